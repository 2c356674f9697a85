"""What an operator's terminal shows: no traceback, no customer text, files safe to open."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine.ideas import write_csv

WAAROM = [sys.executable, "-c", "from bot.cli import main; main()"]


def _waarom(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*WAAROM, *args],
        env={**os.environ, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.finding(13)
def test_a_bad_secret_key_names_the_variable_without_a_traceback(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
        "WAAROM_SECRET_KEY": "short",
        "SLACK_CLIENT_ID": "1.2",
        "SLACK_CLIENT_SECRET": "s",
        "SLACK_SIGNING_SECRET": "s",
    }
    for command in (["serve"], ["teams"]):
        done = _waarom(*command, env=env, cwd=tmp_path)
        assert done.returncode == 2
        assert "WAAROM_SECRET_KEY" in done.stderr
        assert "Traceback" not in done.stderr + done.stdout


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    done = _waarom(
        "teams", env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}, cwd=tmp_path
    )
    assert done.returncode == 2
    assert "cannot be reached" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.finding(12)
def test_verbose_import_logs_no_customer_text(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}
    assert _waarom("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    source = tmp_path / "nps.csv"
    source.write_text("Opmerking\nMevrouw Jansen wacht al drie weken op haar fiets\n")
    done = _waarom("-v", "import", str(source), "--text", "Opmerking", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Jansen" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.finding(12)
def test_verbose_reaches_long_running_processes() -> None:
    import logging

    from bot import logs

    logs.configure(verbose=True)
    logs.service()
    try:
        assert logging.getLogger("bot.web").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
    finally:
        for name in logs.OURS:
            logging.getLogger(name).setLevel(logging.NOTSET)


@pytest.mark.finding(6)
def test_a_repeated_failure_is_logged_a_few_times_then_counted() -> None:
    import logging

    from bot.logs import Throttle

    throttle = Throttle(burst=3, interval=60)
    record = logging.LogRecord("asyncio", logging.ERROR, "", 0, "accept failed", None, None)
    passed = sum(throttle.filter(record) for _ in range(1000))
    assert passed == 3


@pytest.mark.finding(11)
def test_csv_cells_are_safe_in_spreadsheets_and_empty_ones_stay_empty() -> None:
    stream = io.StringIO()
    write_csv(
        [
            {"id": 1, "why": '=HYPERLINK("x")', "how": "", "owner": None, "status": "-5"},
            {"id": 2, "why": "gewoon", "how": "@team", "owner": "\tx", "status": "new"},
        ],
        stream,
    )
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert rows[0]["why"].startswith("'=") and rows[0]["status"] == "'-5"
    assert rows[0]["how"] == "" and rows[0]["owner"] == ""
    assert rows[1]["why"] == "gewoon" and rows[1]["how"] == "'@team"
    assert rows[1]["owner"] == "'\tx"
