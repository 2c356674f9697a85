"""`waarom forget`: a customer's feedback is erased everywhere it is kept, and stays erased."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.bootstrap import Services
from bot.cli import app
from bot.digest import Week
from bot.intake.privacy import NotAKey, customer, forget
from bot.storage.models import Digest, Feedback, Idea, Nudge
from tests.support.privacy_support import (
    another_process_connected,
    everything_stored,
    fixed_services,
    keep_digest,
    nudge_and_idea_on,
    sqlite_bytes,
    store,
    support_team,
)

WEEK = Week.parse("2026-W46")

# Each customer's text carries a word found nowhere else, to look for afterwards.
JAN = {
    "text": "Kwispelstaart: bel me op 06-12345678 of mail Jan.Jansen@Example.nl, de accu is leeg",
    "external_id": "nps-1",
    "source": "nps",
}
JAN_AGAIN = {
    "text": "Bromvlieg: nog steeds geen accu, mijn nummer is +31 6 1234 5678",
    "external_id": "nps-2",
    "source": "nps",
}
SURVEY = {"text": "Zandloper: de app is traag geworden", "source": "enquete"}
BOJAN = {
    "text": "Nachtegaal: mail bojan.jansen@example.nl, mijn fiets piept",
    "external_id": "nps-4",
    "source": "nps",
}
WORDS = {
    "nps-1": "kwispelstaart",
    "nps-2": "bromvlieg",
    "enquete": "zandloper",
    "nps-4": "nachtegaal",
}


def _rows() -> list[dict[str, object]]:
    when = ["2026-11-10T10:00:00+01:00", "2026-11-11T10:00:00+01:00"]
    return [
        {**JAN, "received_at": when[0], "score": 2, "segment": "zakelijk"},
        {**JAN_AGAIN, "received_at": when[1], "score": 3, "segment": "zakelijk"},
        {**SURVEY, "received_at": when[0], "score": 9, "segment": "student"},
        {**BOJAN, "received_at": when[1], "score": 4, "segment": "gezin"},
    ]


@dataclass
class Case:
    option: str
    value: str
    gone: tuple[str, ...]  # keys of WORDS whose feedback is erased


CASES = [
    Case("external_id", "nps-1", ("nps-1",)),
    # Case-insensitive, and bojan.jansen@… is someone else.
    Case("email", "JAN.JANSEN@example.NL", ("nps-1",)),
    # Written nationally, matched in both the national and the international form.
    Case("phone", "06 1234 5678", ("nps-1", "nps-2")),
    Case("source", "enquete", ("enquete",)),
]


async def _world(services: Services) -> None:
    target, anna = await support_team(services)
    assert await store(services, _rows()) == 4
    async with services.sessions() as session:
        ids = (await session.scalars(select(Feedback.id).order_by(Feedback.id))).all()
    for feedback_id in ids:
        await nudge_and_idea_on(services, feedback_id, target, anna)
    digest = await keep_digest(services, target, WEEK)
    assert len(digest["highlights"]) == 4


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.option)
async def test_forget_erases_the_feedback_from_every_table(services: Services, case: Case) -> None:
    await _world(services)
    before = (await everything_stored(services)).lower()
    assert all(word in before for word in WORDS.values())

    removed = await forget(services.sessions, customer(**{case.option: case.value}))

    after = (await everything_stored(services)).lower()
    for key, word in WORDS.items():
        assert (word in after) is (key not in case.gone), word
    assert (removed.feedback, removed.nudge_quotes, removed.idea_links) == (len(case.gone),) * 3
    # Each erased item was a highlight; some are quoted in "what customers put up with" too.
    assert removed.digests == 1
    assert removed.digest_highlights >= len(case.gone)
    async with services.sessions() as session:
        # The nudges and ideas stay (they are the team's), without the customer's words.
        assert len((await session.scalars(select(Nudge))).all()) == 4
        assert len((await session.scalars(select(Idea))).all()) == 4
        digest = await session.scalar(select(Digest))
    assert digest is not None and len(digest.payload["highlights"]) == 4 - len(case.gone)


async def test_forgotten_feedback_is_not_imported_again(services: Services) -> None:
    await _world(services)
    await forget(services.sessions, customer(phone="+31612345678"))
    await forget(services.sessions, customer(source="enquete"))
    # The same export again: by external id, and by content for rows without one.
    assert await store(services, _rows()) == 0
    stored = (await everything_stored(services)).lower()
    assert "kwispelstaart" not in stored and "zandloper" not in stored
    assert await store(services, [{**SURVEY, "text": "Zandloper, nu echt"}]) == 1


async def test_a_dry_run_counts_what_forgetting_removes_and_removes_nothing(
    services: Services,
) -> None:
    await _world(services)
    counted = await forget(services.sessions, customer(phone="0612345678"), dry_run=True)
    assert counted.feedback == 2
    assert counted.digest_highlights >= 2
    assert "kwispelstaart" in (await everything_stored(services)).lower()


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({}, "--external-id, --email, --phone or --source"),
        ({"email": "jan at example"}, "not an e-mail address"),
        ({"phone": "12"}, "not a phone number"),
    ],
)
def test_a_request_that_names_no_customer_is_refused(keys: dict[str, str], message: str) -> None:
    with pytest.raises(NotAKey, match=message):
        customer(**keys)


def _cli(database_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["forget", *args], env={"DATABASE_URL": database_url}, input=""
    )
    return result.exit_code, result.output


async def _cli_world(url: str) -> None:
    services = fixed_services(url)
    try:
        await _world(services)
    finally:
        await services.close()


async def _stored(url: str) -> str:
    services = fixed_services(url)
    try:
        return (await everything_stored(services)).lower()
    finally:
        await services.close()


def test_the_cli_refuses_without_yes_when_no_one_can_confirm(database_url: str) -> None:
    asyncio.run(_cli_world(database_url))
    code, output = _cli(database_url, "--email", "jan.jansen@example.nl")
    assert code == 1
    assert "feedback: 1 item(s)" in output
    assert "Nothing removed: confirm at a terminal, or add --yes." in output
    assert "kwispelstaart" in asyncio.run(_stored(database_url))


def test_the_cli_reports_what_it_removed_per_table(database_url: str) -> None:
    asyncio.run(_cli_world(database_url))
    code, output = _cli(database_url, "--phone", "+31 6 12345678", "--yes")
    assert code == 0, output
    removed = output.split("Removed:", 1)[1]
    assert "feedback: 2 item(s)" in removed
    assert "nudges: 2 quote(s) removed" in removed
    assert "ideas: 2 link(s)" in removed
    assert "digests: 3 quote(s) removed from 1 kept digest(s)" in removed
    stored = asyncio.run(_stored(database_url))
    assert "kwispelstaart" not in stored and "bromvlieg" not in stored

    code, output = _cli(database_url, "--phone", "+31 6 12345678", "--yes")
    assert (code, output.strip()) == (0, "Nothing stored matches; nothing removed.")
    code, output = _cli(database_url, "--org", "elsewhere", "--source", "nps", "--yes")
    assert code == 2 and "no organisation 'elsewhere'" in output


def test_on_sqlite_the_erased_text_is_not_left_in_the_file(
    tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "waarom.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    raw = [
        b"Kwispelstaart",
        b"kwispelstaart",
        b"06-12345678",
        b"Jan.Jansen@Example.nl",
        b"Bromvlieg",
    ]
    with another_process_connected(url):
        asyncio.run(_cli_world(url))
        assert all(piece in sqlite_bytes(url) for piece in raw)

        code, output = _cli(url, "--phone", "0612345678", "--yes")

        assert code == 0, output
        on_disk = sqlite_bytes(url)
    assert not [piece for piece in raw if piece in on_disk]
    assert b"Zandloper" in on_disk  # what was not erased is still there


def _at_a_terminal(database_url: str, answer: bytes, *args: str) -> tuple[int, str]:
    """Run `waarom forget` with a terminal as its input, typing ``answer``."""
    import os
    import pty
    import subprocess
    import sys

    root = str(Path(__file__).resolve().parents[2])
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]),
    }
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "forget", *args],
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
        )
        os.write(controller, answer)
        output, _ = process.communicate(timeout=120)
    finally:
        os.close(terminal)
        os.close(controller)
    return process.returncode, output.decode()


def test_at_a_terminal_it_asks_before_removing(database_url: str) -> None:
    asyncio.run(_cli_world(database_url))
    code, output = _at_a_terminal(database_url, b"n\n", "--source", "enquete")
    assert code == 1 and "Remove it for good?" in output and "Nothing removed." in output
    assert "zandloper" in asyncio.run(_stored(database_url))

    code, output = _at_a_terminal(database_url, b"y\n", "--source", "enquete")
    assert code == 0 and "Removed:" in output and "feedback: 1 item(s)" in output
    assert "zandloper" not in asyncio.run(_stored(database_url))
