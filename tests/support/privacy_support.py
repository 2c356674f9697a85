"""Setting up customers' feedback, a team that was nudged with it and a kept digest, and
looking for what is left of it afterwards: in every table, and in the SQLite file's bytes."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot import bootstrap
from bot.bootstrap import Services
from bot.config import load_settings
from bot.digest import Week, build_digest, remember
from bot.engine.ideas import create_idea
from bot.intake.feedback import store_feedback
from bot.intake.normalise import FieldMap, normalise
from bot.storage.directory import installation, join, member, organisation, team
from bot.storage.models import Base, Member, Nudge, Team

FIELDS = FieldMap(text="text", received_at="received_at", step="step", score="score")
# As the shared ``clock`` fixture: a Wednesday afternoon in week 2026-W47.
NOW = dt.datetime(2026, 11, 18, 14, 0, tzinfo=dt.UTC)


def fixed_services(database_url: str, **settings: object) -> Services:
    """Services for a test that runs its own event loop (one that also runs the CLI)."""
    built = bootstrap.build(
        load_settings(database_url=database_url, waarom_language="en", _env_file=None, **settings)
    )
    built.now = lambda: NOW
    return built


async def store(services: Services, records: Iterable[Mapping[str, object]]) -> int:
    async with services.sessions() as session, session.begin():
        org = await organisation(session)
        items = [
            normalise(record, FIELDS, zone=services.zone, default_source="t", now=services.now())
            for record in records
        ]
        return await store_feedback(session, org.id, items)


async def support_team(services: Services) -> tuple[Team, Member]:
    async with services.sessions() as session, session.begin():
        org = await organisation(session)
        inst = await installation(session, "console", "ws", org_id=org.id)
        created = await team(
            session, inst, "support", name="Support", language="en", timezone="Europe/Amsterdam"
        )
        anna = await member(session, inst.id, "anna", display_name="anna")
        await session.flush()
        await join(session, created.id, anna.id)
        return created, anna


async def nudge_and_idea_on(
    services: Services, feedback_id: int, target: Team, anna: Member
) -> None:
    """A nudge that quoted the feedback and the idea answering it, as chat leaves them."""
    async with services.sessions() as session, session.begin():
        nudge = Nudge(
            team_id=target.id,
            member_id=anna.id,
            prompt_id="en-quote-1",
            feedback_id=feedback_id,
            status="sent",
            sent_at=services.now(),
        )
        session.add(nudge)
        await session.flush()
        await create_idea(
            session,
            team_id=target.id,
            author_id=anna.id,
            why="Because the form asks for a phone number",
            how="Call back within a day",
            nudge_id=nudge.id,
            feedback_id=feedback_id,
            now=services.now(),
        )


async def keep_digest(services: Services, target: Team, week: Week) -> dict[str, Any]:
    async with services.sessions() as session, session.begin():
        data = await build_digest(session, target, week, services.library)
        await remember(session, data)
        return data.to_json()


async def everything_stored(services: Services) -> str:
    """Every row of every table, as one text: what a reader of the database could find."""
    pieces: list[str] = []
    async with services.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in await session.execute(select(table)):
                pieces.append(repr(tuple(row)))
    return "\n".join(pieces)


@contextmanager
def another_process_connected(database_url: str) -> Iterator[None]:
    """A connection held open meanwhile, as a running ``serve`` holds one: SQLite then keeps
    its write-ahead log (the last connection to close would fold it in and delete it)."""
    connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    try:
        # In write-ahead-log mode, as every process of ours sets it (bot.storage.db).
        assert connection.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
        connection.execute("SELECT count(*) FROM feedback").fetchall()
        yield
    finally:
        connection.close()


def sqlite_bytes(database_url: str) -> bytes:
    """The database file and its write-ahead log, as they are on disk."""
    path = Path(database_url.removeprefix("sqlite:///"))
    return b"".join(
        Path(f"{path}{suffix}").read_bytes()
        for suffix in ("", "-wal")
        if Path(f"{path}{suffix}").exists()
    )


def days_ago(services: Services, days: float) -> str:
    return (services.now() - dt.timedelta(days=days)).isoformat()
