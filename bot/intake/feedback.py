"""Storing and reading customer feedback."""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
from collections.abc import Sequence

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.intake.normalise import FeedbackIn
from bot.storage.models import Feedback, ForgottenFeedback

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
# The arrays go in psycopg's binary format (``%b``): the text format quotes and escapes
# every element in Python, which cost more than the rest of storing a row.
_UNNEST_INSERT = (
    "INSERT INTO feedback (org_id, logged_by_member_id, created_at, "
    + ", ".join(_UNNEST_TYPES)
    + ") SELECT CAST(%(org_id)s AS bigint), CAST(%(logged_by)s AS bigint), "
    + "CAST(%(created_at)s AS timestamptz), * FROM unnest("
    + ", ".join(f"CAST(%({name})b AS {kind}[])" for name, kind in _UNNEST_TYPES.items())
    + ") ON CONFLICT (org_id, dedupe_key) DO NOTHING"
)


_SQLITE_COLUMNS = ("org_id", "logged_by_member_id", "created_at", *_UNNEST_TYPES)
_SQLITE_INSERT = (
    f"INSERT INTO feedback ({', '.join(_SQLITE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _SQLITE_COLUMNS)}) "
    "ON CONFLICT (org_id, dedupe_key) DO NOTHING"
)
_row_values = operator.attrgetter(*_UNNEST_TYPES)
_RECEIVED_AT = tuple(_UNNEST_TYPES).index("received_at")


async def _insert_sqlite(
    connection: AsyncConnection,
    org_id: int,
    items: Sequence[FeedbackIn],
    now: dt.datetime,
    logged_by: int | None,
) -> int:
    """The batch as plain rows straight to sqlite3's executemany: SQLAlchemy would look at
    each of its 15 values per row to see whether it needs converting, and only the times
    do. Those are converted by the column's own type, so they are stored exactly as any
    other write stores them. The row count sqlite3 sums is the rows that were new: an
    ignored duplicate adds nothing."""
    dialect = connection.dialect
    to_stored = Feedback.__table__.c.received_at.type.dialect_impl(dialect).bind_processor(dialect)
    assert to_stored is not None
    head = (org_id, logged_by, to_stored(now))
    rows = []
    for item in items:
        values = list(_row_values(item))
        values[_RECEIVED_AT] = to_stored(values[_RECEIVED_AT])
        rows.append((*head, *values))
    result = await connection.exec_driver_sql(_SQLITE_INSERT, rows)
    return result.rowcount


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
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        return await _insert_sqlite(connection, org_id, items, now, logged_by)
    return await _insert_postgresql(connection, org_id, items, now, logged_by)


async def _insert_postgresql(
    connection: AsyncConnection,
    org_id: int,
    items: Sequence[FeedbackIn],
    now: dt.datetime,
    logged_by: int | None,
) -> int:
    """One statement over arrays, a column each: a single small query the server plans
    once, and a row count that counts exactly the rows that were new. Written for the
    driver (psycopg's placeholders): SQLAlchemy's own would send the arrays as text."""
    columns = zip(*map(_row_values, items), strict=True)
    parameters: dict[str, object] = {
        name: list(values) for name, values in zip(_UNNEST_TYPES, columns, strict=True)
    }
    parameters.update(org_id=org_id, created_at=now, logged_by=logged_by)
    result = await connection.exec_driver_sql(_UNNEST_INSERT, parameters)
    return result.rowcount
