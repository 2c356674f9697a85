"""Storing and reading customer feedback."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import fields

from sqlalchemy import Insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.intake.normalise import FeedbackIn
from bot.storage.models import Feedback, ForgottenFeedback

_FIELDS = tuple(field.name for field in fields(FeedbackIn))
_UNNEST_TYPES = {
    "received_at": "timestamptz",
    "source": "text",
    "text": "text",
    "redacted": "text",
    "score": "float8",
    "segment": "text",
    "step": "text",
    "external_id": "text",
    "dedupe_key": "text",
    "terms": "text",
    "sentiment": "float8",
    "burdens": "text",
}
_UNNEST_INSERT = text(
    "INSERT INTO feedback (org_id, logged_by_member_id, created_at, "
    + ", ".join(_UNNEST_TYPES)
    + ") SELECT :org_id, :logged_by, :created_at, * FROM unnest("
    + ", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in _UNNEST_TYPES.items())
    + ") ON CONFLICT (org_id, dedupe_key) DO NOTHING"
)


def _insert_ignoring_duplicates(session: AsyncSession) -> Insert:
    dialect = session.get_bind().dialect.name
    keys = ["org_id", "dedupe_key"]
    if dialect == "postgresql":
        return postgresql.insert(Feedback).on_conflict_do_nothing(index_elements=keys)
    return sqlite.insert(Feedback).on_conflict_do_nothing(index_elements=keys)


def key_hash(dedupe_key: str) -> str:
    """How an erased row's dedupe key is kept (see
    :class:`bot.storage.models.ForgottenFeedback`)."""
    return hashlib.sha256(dedupe_key.encode()).hexdigest()


_FORGOTTEN_CHUNK = 500
_ANYONE_FORGOTTEN = text("SELECT 1 FROM forgotten_feedback WHERE org_id = :org_id LIMIT 1")


async def _not_forgotten(
    session: AsyncSession, org_id: int, items: Sequence[FeedbackIn]
) -> Sequence[FeedbackIn]:
    """``items`` without those erased on request before, which an import of the same file
    or a webhook's retry would otherwise bring back."""
    if not items:
        return items
    # Nearly always nobody was forgotten: one indexed probe, and no hashing at all. A plain
    # statement on the connection, as it runs once per batch of an import.
    connection = await session.connection()
    if (await connection.execute(_ANYONE_FORGOTTEN, {"org_id": org_id})).first() is None:
        return items
    hashes = {item.dedupe_key: key_hash(item.dedupe_key) for item in items}
    unique = sorted(set(hashes.values()))
    forgotten: set[str] = set()
    for start in range(0, len(unique), _FORGOTTEN_CHUNK):
        forgotten.update(
            await session.scalars(
                select(ForgottenFeedback.key_hash).where(
                    ForgottenFeedback.org_id == org_id,
                    ForgottenFeedback.key_hash.in_(unique[start : start + _FORGOTTEN_CHUNK]),
                )
            )
        )
    return [item for item in items if hashes[item.dedupe_key] not in forgotten]


async def store_feedback(
    session: AsyncSession, org_id: int, items: Sequence[FeedbackIn], *, logged_by: int | None = None
) -> int:
    """Insert ``items``; rows already stored (same dedupe key) are skipped by the database's
    unique constraint, so concurrent imports of the same file cannot double anything, and
    rows erased on request before are skipped too. Returns how many rows were new."""
    items = await _not_forgotten(session, org_id, items)
    if not items:
        return 0
    now = dt.datetime.now(dt.UTC)
    # Rows in key order: concurrent batches with overlapping keys then take their row locks
    # in the same order and wait for each other instead of deadlocking.
    items = sorted(items, key=lambda item: item.dedupe_key)
    rows = [
        {
            **{name: getattr(item, name) for name in _FIELDS},
            "org_id": org_id,
            "created_at": now,
            "logged_by_member_id": logged_by,
        }
        for item in items
    ]
    # A plain executemany (no RETURNING) lets the driver pipeline the batch; both drivers
    # report the summed row count, to which skipped duplicates add nothing.
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        # One statement over arrays: a single small query the server plans once, and a row
        # count that counts exactly the rows that were new.
        columns = {name: [row[name] for row in rows] for name in _UNNEST_TYPES}
        result = await connection.execute(
            _UNNEST_INSERT, {**columns, "org_id": org_id, "created_at": now, "logged_by": logged_by}
        )
    else:
        # sqlite3's executemany sums the changed rows; ignored duplicates add nothing.
        result = await connection.execute(_insert_ignoring_duplicates(session), rows)
    return result.rowcount
