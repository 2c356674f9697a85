"""Keeping a week's digest: what was sent, for the archive and for the prompts' rotation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest.data import DigestData
from bot.storage.models import Digest


async def remember(session: AsyncSession, data: DigestData) -> None:
    """Keep the digest of a week; the first one built wins (one per team per week, by the
    unique constraint, also when two processes build it at the same moment)."""
    await remember_many(session, [data])


async def remember_many(session: AsyncSession, datas: list[DigestData]) -> None:
    """:func:`remember` for several digests in one statement."""
    if not datas:
        return
    now = dt.datetime.now(dt.UTC)
    values = [
        {"team_id": data.team_id, "week": data.week, "payload": data.to_json(), "created_at": now}
        for data in datas
    ]
    insert = (
        postgresql.insert(Digest)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(Digest)
    )
    await session.execute(
        insert.values(values).on_conflict_do_nothing(index_elements=["team_id", "week"])
    )
