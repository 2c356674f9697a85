"""The console adapter and ``waarom demo``, driven by piped input as a script would."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from adapters.console import ConsoleChat
from bot.bootstrap import Services
from bot.storage.models import Idea


async def test_a_piped_script_reads_like_a_chat_and_as_changes_who_speaks(
    services: Services,
) -> None:
    # What each command answers is the contract suite's (tests/contract); here the console's
    # own part: piped lines echoed, buttons numbered, and ``:as`` changing the speaker.
    out = io.StringIO()
    script = "ask\n\nidea 1 done\n:as anna\nidea 1 done\n"
    await ConsoleChat(services, io.StringIO(script), out, echo=True).run()
    text = out.getvalue()
    assert "demo@demo> ask\n" in text
    assert "[1] Answer   [2] Skip   [3] Later" in text
    assert "There is no idea #1 in this team." in text  # demo leads the demo team
    assert "You are now anna." in text
    assert "anna@demo> idea 1 done\nOnly team leads can do that." in text


async def test_a_form_error_asks_again_and_eof_cancels_without_storing(services: Services) -> None:
    too_long = "x" * 1001
    out = io.StringIO()
    await ConsoleChat(services, io.StringIO(f"ask\n1\n{too_long}\nok\n"), out).run()
    text = out.getvalue()
    # The field as the form names it, not its key.
    assert "Waarom? (why do we do it this way?): At most 1000 characters (this is 1001)." in text
    assert "Cancelled." in text
    async with services.sessions() as session:
        assert (await session.scalars(select(Idea))).all() == []


async def test_the_consoles_own_words_follow_the_teams_language(services: Services) -> None:
    out = io.StringIO()
    script = "help\nsettings language nl\nhelp\nsettings\n\n\n\n\n\n"
    await ConsoleChat(services, io.StringIO(script), out).run()
    english, dutch = out.getvalue().split("settings language nl", 1)
    assert "(only you)" in english and "(alleen voor jou)" not in english
    assert "(alleen voor jou)" in dutch and "(only you)" not in dutch
    # The settings form reads the schedules in Dutch too.
    assert "(ma 09:00) [ma 09:00]" in dutch and "(di,do 10:00) [di,do 10:00]" in dutch


def _waarom(
    args: list[str], cwd: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("WAAROM_", "DATABASE_URL"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_waarom_demo_in_dutch_twice_without_duplicates(tmp_path: Path) -> None:
    script = "ask\n1\nWe plannen monteurs alleen overdag\nAvondafspraken tot 21:00\nideeën\n"
    first = _waarom(["demo"], tmp_path, script)
    assert first.returncode == 0, first.stderr
    assert "Klantstem van week" in first.stdout
    assert "In hun eigen woorden" in first.stdout
    assert "Dank je! Je idee staat erin als #1." in first.stdout
    assert "#1 [nieuw] Avondafspraken tot 21:00" in first.stdout
    assert (tmp_path / "waarom.db").exists()
    assert "488 new" in first.stderr

    second = _waarom(["demo"], tmp_path, "ideas\n")
    assert second.returncode == 0, second.stderr
    assert "0 new, 488 already there" in second.stderr
    assert second.stdout.count("#1 [nieuw]") == 1


def test_feedback_told_in_the_demo_leaves_its_digest_on_last_week(tmp_path: Path) -> None:
    first = _waarom(["demo"], tmp_path, "feedback De monteur kwam te laat\n")
    assert first.returncode == 0, first.stderr
    week = first.stdout.split("Klantstem van week ", 1)[1].split()[0]
    # Told today, the feedback is in this week; the digest stays on the complete one.
    again = _waarom(["demo"], tmp_path, "")
    assert again.returncode == 0, again.stderr
    assert f"Klantstem van week {week}" in again.stdout


def test_waarom_demo_in_english(tmp_path: Path) -> None:
    result = _waarom(["demo"], tmp_path, "help\n", WAAROM_LANGUAGE="en")
    assert result.returncode == 0, result.stderr
    assert "Customer voice, week" in result.stdout
    assert "ask — a waarom question now" in result.stdout


def test_help_lists_the_commands_and_unmigrated_databases_are_refused(tmp_path: Path) -> None:
    shown = _waarom(["--help"], tmp_path)
    for command in (
        "demo",
        "import",
        "digest",
        "ideas",
        "prompts",
        "teams",
        "settings",
        "serve",
        "db",
    ):
        assert command in shown.stdout
    refused = _waarom(["ideas"], tmp_path)
    assert refused.returncode == 2
    assert "Run `waarom db upgrade` first" in refused.stderr.replace("\n", " ")


def test_import_command_summary_and_exit_codes(tmp_path: Path) -> None:
    assert _waarom(["db", "upgrade"], tmp_path).returncode == 0
    (tmp_path / "good.csv").write_text(
        "text,when\nLevering te laat,2026-11-02 10:00:00 +0100\n,x\n"
    )
    (tmp_path / "bad.csv").write_text("text,score\n,5\nno score,eleven\n")
    good = _waarom(["import", "good.csv", "--text", "text", "--received-at", "when"], tmp_path)
    assert good.returncode == 0
    assert "good.csv: imported 1, duplicates 0, rejected 1" in good.stdout
    assert "good.csv:3: no text in 'text'" in good.stderr
    again = _waarom(["import", "good.csv", "--text", "text", "--received-at", "when"], tmp_path)
    assert "imported 0, duplicates 1" in again.stdout
    nothing = _waarom(["import", "bad.csv", "--text", "text", "--score", "score"], tmp_path)
    assert nothing.returncode == 1
    missing = _waarom(["import", "good.csv", "--text", "body"], tmp_path)
    assert missing.returncode == 2 and "body" in missing.stderr
