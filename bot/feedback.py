"""Storing and reading customer feedback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.intake import FeedbackIn
from bot.models import Feedback


def _insert_ignoring_duplicates(session: AsyncSession) -> Insert:
    dialect = session.get_bind().dialect.name
    keys = ["org_id", "dedupe_key"]
    if dialect == "postgresql":
        return postgresql.insert(Feedback).on_conflict_do_nothing(index_elements=keys)
    return sqlite.insert(Feedback).on_conflict_do_nothing(index_elements=keys)


async def store_feedback(
    session: AsyncSession, org_id: int, items: Sequence[FeedbackIn], *, logged_by: int | None = None
) -> int:
    """Insert ``items``; rows already stored (same dedupe key) are skipped by the database's
    unique constraint, so concurrent imports of the same file cannot double anything.
    Returns how many rows were new."""
    if not items:
        return 0
    now = dt.datetime.now(dt.UTC)
    rows = [
        {**asdict(item), "org_id": org_id, "created_at": now, "logged_by_member_id": logged_by}
        for item in items
    ]
    result = await session.execute(
        _insert_ignoring_duplicates(session).returning(Feedback.id), rows
    )
    return len(result.all())


async def feedback_between(
    session: AsyncSession, org_id: int, start: dt.datetime, end: dt.datetime
) -> Sequence[Feedback]:
    """Feedback received in ``[start, end)``, oldest first."""
    result = await session.scalars(
        select(Feedback)
        .where(Feedback.org_id == org_id, Feedback.received_at >= start, Feedback.received_at < end)
        .order_by(Feedback.received_at, Feedback.id)
    )
    return result.all()
