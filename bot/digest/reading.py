"""A period's feedback read for a digest: streamed in partitions and kept column by column."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Feedback
from bot.voice.text import terms

_PARTITION = 5000  # rows per fetch when reading a period
# Rows stored before feedback.terms existed (migration 0004 fills them in) are analysed from
# their text; every other row only has its stored words split.
_TEXT_IF_NO_TERMS = case((Feedback.terms.is_(None), Feedback.redacted), else_=None)


@dataclass(frozen=True, slots=True)
class Period:
    """The feedback of the week a digest is about, in id order, one list per column."""

    ids: list[int]
    texts: list[str]  # the redacted text: the only form a digest may show
    scores: list[float | None]
    segments: list[str | None]
    steps: list[str | None]
    feelings: list[float | None]  # as intake stored it; None for rows stored before
    burdens: list[str | None]  # likewise
    terms: list[str | None]


@dataclass(frozen=True, slots=True)
class Earlier:
    """The week before, whose quotes are never shown: only its scores and words."""

    scores: list[float | None]
    texts: list[str | None]  # only where its words were not stored
    terms: list[str | None]


async def read_period(
    session: AsyncSession, org_id: int, start: dt.datetime, end: dt.datetime
) -> Period:
    columns = (
        Feedback.id,
        Feedback.redacted,
        Feedback.score,
        Feedback.segment,
        Feedback.step,
        Feedback.sentiment,
        Feedback.burdens,
        Feedback.terms,
    )
    return Period(*await _columns(session, columns, org_id, start, end))


async def read_earlier(
    session: AsyncSession, org_id: int, start: dt.datetime, end: dt.datetime
) -> Earlier:
    columns = (Feedback.score, _TEXT_IF_NO_TERMS.label("redacted"), Feedback.terms)
    return Earlier(*await _columns(session, columns, org_id, start, end))


async def _columns(
    session: AsyncSession,
    columns: tuple[Any, ...],
    org_id: int,
    start: dt.datetime,
    end: dt.datetime,
) -> tuple[list[Any], ...]:
    query = (
        select(*columns)
        .where(Feedback.org_id == org_id, Feedback.received_at >= start, Feedback.received_at < end)
        .order_by(Feedback.id)
        .execution_options(yield_per=_PARTITION)
    )
    # Streamed in partitions and kept column by column: a busy week never sits in memory as
    # row objects, and the digest's loops run over plain lists. Through the connection, as
    # the ORM adds nothing here but time per row.
    connection = await session.connection()
    result = await connection.stream(query)
    kept: tuple[list[Any], ...] = tuple([] for _ in columns)
    async for partition in result.partitions():
        for column, values in zip(kept, zip(*partition, strict=True), strict=True):
            column.extend(values)
    return kept


def terms_of(texts: Sequence[str | None], stored: Sequence[str | None]) -> list[str]:
    """Each text's language and words: as stored at intake, else found in the text."""
    return [
        terms(text or "") if words is None else words
        for text, words in zip(texts, stored, strict=True)
    ]
