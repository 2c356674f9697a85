"""Commands that only read or change a team start without the heavy libraries: scikit-learn
and scipy are loaded only by commands that build a digest, and the chat SDKs only by the
processes that talk to a platform. Each command runs in a fresh process, as an operator
runs it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from bot import bootstrap, chat
from bot.chat.origin import Origin
from bot.config import load_settings

PROBE = (
    "import sys\n"
    "from bot.cli import app\n"
    "code = 0\n"
    "try:\n"
    "    app(sys.argv[1:], standalone_mode=False)\n"
    "except SystemExit as exc:\n"
    "    code = exc.code or 0\n"
    "heavy = ('sklearn', 'scipy', 'slack_bolt', 'slack_sdk', 'botbuilder')\n"
    "print('LOADED', ','.join(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def loaded(argv: list[str], database_url: str) -> set[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": os.getcwd()}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.startswith("LOADED")]
    return set(filter(None, line.removeprefix("LOADED ").split(",")))


@pytest.fixture
def team_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    services = bootstrap.build(load_settings(_env_file=None))
    lead = Origin("console", "ws", "support", "lea", conversation_name="support", home=True)

    async def make_team() -> None:
        await chat.handle_text(services, lead, "help")
        await services.close()

    asyncio.run(make_team())
    return database_url


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["teams"], ["status"], ["settings", "support", "--language", "en"], ["orgs"]],
    ids=["help", "teams", "status", "settings", "orgs"],
)
def test_reading_and_changing_a_team_loads_no_heavy_library(
    team_database: str, argv: list[str]
) -> None:
    assert loaded(argv, team_database) == set()
