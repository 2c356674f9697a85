"""`waarom teams`, `status` and `ideas` print whole values when piped, and JSON on request."""

from __future__ import annotations

import asyncio
import json

import pytest
from typer.testing import CliRunner

from bot import bootstrap, chat
from bot.chat.origin import Origin
from bot.cli import app
from bot.config import load_settings

LONG = "klantenservice-noord-oost-nederland-en-vlaanderen"


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", database_url)
    services = bootstrap.build(load_settings())
    lead = Origin("console", "ws", LONG, "lea", conversation_name=LONG, home=True)

    async def make_team() -> None:
        await chat.handle_text(services, lead, "feedback De monteur kwam niet opdagen")
        await services.close()

    asyncio.run(make_team())
    return CliRunner()


def test_piped_lists_keep_every_value_whole(cli: CliRunner) -> None:
    for command in (["teams"], ["status"]):
        done = cli.invoke(app, command)
        assert done.exit_code == 0, done.output
        assert LONG in done.output
        header, first = done.output.splitlines()[:2]
        assert len(header.split("\t")) == len(first.split("\t"))


def test_json_lists_have_one_object_per_row(cli: CliRunner) -> None:
    teams = json.loads(cli.invoke(app, ["teams", "--format", "json"]).output)
    assert [t["name"] for t in teams] == [LONG]
    status = json.loads(cli.invoke(app, ["status", "--format", "json"]).output)
    assert status[0]["next digest"].startswith("20")
    assert status[0]["last sends"] == []
    ideas = json.loads(cli.invoke(app, ["ideas", "--format", "json"]).output)
    assert ideas == []
