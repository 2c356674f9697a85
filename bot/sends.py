"""Claiming a scheduled send exactly once, across any number of clock processes.

A send is claimed by inserting its row; the unique key (team, kind, period, target) lets only
one process win. The row then records the outcome. A send that failed for a passing reason may
be claimed again (a conditional UPDATE, also atomic) until it runs out of attempts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.models import Send

MAX_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class SendKey:
    team_id: int
    kind: str  # digest | nudge | reminder
    period: str  # ISO week, local date, nudge id
    target: str  # "team" or "member:<id>"

    @property
    def marker(self) -> str:
        """Stable across retries: what a platform stores with the message to recognise it."""
        return f"{self.team_id}/{self.kind}/{self.period}/{self.target}"


def _where(key: SendKey) -> Any:
    return (
        (Send.team_id == key.team_id)
        & (Send.kind == key.kind)
        & (Send.period == key.period)
        & (Send.target == key.target)
    )


async def exists(sessions: async_sessionmaker[AsyncSession], key: SendKey) -> bool:
    """A cheap look before expensive preparation; the claim itself still decides."""
    async with sessions() as session:
        status = await session.scalar(select(Send.status).where(_where(key)))
    return status is not None and status != "retry"


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    key: SendKey,
    *,
    now: dt.datetime,
    worker: str,
    along: Callable[[AsyncSession, Send], Awaitable[None]] | None = None,
) -> int | None:
    """The send's id if this process may send it now; None if another has (or is).

    ``along`` runs in the claiming transaction, so what it writes (e.g. the nudge being
    sent) exists exactly when the claim does.
    """
    try:
        async with sessions() as session, session.begin():
            row = Send(
                team_id=key.team_id,
                kind=key.kind,
                period=key.period,
                target=key.target,
                status="claimed",
                attempts=1,
                claimed_at=now,
                claimed_by=worker,
            )
            session.add(row)
            await session.flush()
            if along is not None:
                await along(session, row)
            return row.id
    except IntegrityError:
        pass
    # Already there: take it over only if it failed for a passing reason.
    async with sessions() as session, session.begin():
        existing = await session.scalar(select(Send).where(_where(key)))
        if existing is None or existing.status != "retry" or existing.attempts >= MAX_ATTEMPTS:
            return None
        taken = await session.execute(
            update(Send)
            .where(
                Send.id == existing.id, Send.status == "retry", Send.attempts == existing.attempts
            )
            .values(
                status="claimed", attempts=existing.attempts + 1, claimed_at=now, claimed_by=worker
            )
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        if along is not None:
            await along(session, existing)
        return existing.id


async def finish(
    sessions: async_sessionmaker[AsyncSession],
    send_id: int,
    status: str,
    *,
    now: dt.datetime,
    error: str | None = None,
    message_ref: dict[str, Any] | None = None,
) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            update(Send)
            .where(Send.id == send_id)
            .values(status=status, finished_at=now, error=error, message_ref=message_ref)
        )


async def take_over(
    sessions: async_sessionmaker[AsyncSession], send: Send, *, now: dt.datetime, worker: str
) -> bool:
    """Claim a send another (stopped) process left claimed; only one taker wins."""
    async with sessions() as session, session.begin():
        taken = await session.execute(
            update(Send)
            .where(Send.id == send.id, Send.status == "claimed", Send.claimed_at == send.claimed_at)
            .values(claimed_at=now, claimed_by=worker, attempts=send.attempts + 1)
        )
        return taken.rowcount == 1  # type: ignore[attr-defined, no-any-return]
