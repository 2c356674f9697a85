"""Claiming a scheduled send exactly once, across any number of clock processes.

A send is claimed by inserting its row; the unique key (team, kind, period, target) lets only
one process win. The row then records the outcome. A send that failed for a passing reason may
be claimed again (a conditional UPDATE, also atomic) until it runs out of attempts.

A fan-out claims a chunk of sends in one statement (:func:`claim_many`, the same unique key
deciding) and records their outcomes a batch at a time (:class:`Outcomes`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import Send

MAX_ATTEMPTS = 5


log = logging.getLogger(__name__)


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


def _claimed(key: SendKey, now: dt.datetime, worker: str) -> dict[str, Any]:
    """The row of a send claimed now, before any outcome."""
    return {
        "team_id": key.team_id,
        "kind": key.kind,
        "period": key.period,
        "target": key.target,
        "status": "claimed",
        "attempts": 1,
        "claimed_at": now,
        "claimed_by": worker,
    }


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
            row = Send(**_claimed(key, now, worker))
            session.add(row)
            await session.flush()
            if along is not None:
                await along(session, row)
            return row.id
    except IntegrityError:
        pass
    return await _claim_again(sessions, key, now=now, worker=worker, along=along)


async def _claim_again(
    sessions: async_sessionmaker[AsyncSession],
    key: SendKey,
    *,
    now: dt.datetime,
    worker: str,
    along: Callable[[AsyncSession, Send], Awaitable[None]] | None = None,
) -> int | None:
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


async def claim_many(
    sessions: async_sessionmaker[AsyncSession],
    keys: list[SendKey],
    *,
    now: dt.datetime,
    worker: str,
    along: Callable[[AsyncSession, dict[SendKey, int]], Awaitable[None]] | None = None,
) -> dict[SendKey, int]:
    """:func:`claim` for many sends: the id of each this process may send now.

    One INSERT … ON CONFLICT DO NOTHING claims every key no one holds; the database returns
    the rows it inserted, so a key another process holds (or is inserting: PostgreSQL waits
    for that transaction) is not returned. Keys are inserted in one order, so two processes
    claiming overlapping chunks wait for each other and never deadlock. ``along`` runs in the
    claiming transaction with what was won. Sends that failed for a passing reason are taken
    over one at a time, as :func:`claim` does.
    """
    ordered = sorted(set(keys), key=lambda k: (k.team_id, k.kind, k.period, k.target))
    won: dict[SendKey, int] = {}
    if not ordered:
        return won
    async with sessions() as session, session.begin():
        insert = (
            postgresql.insert(Send)
            if session.get_bind().dialect.name == "postgresql"
            else sqlite.insert(Send)
        )
        rows = await session.execute(
            insert.values([_claimed(key, now, worker) for key in ordered])
            .on_conflict_do_nothing(index_elements=["team_id", "kind", "period", "target"])
            .returning(Send.id, Send.team_id, Send.kind, Send.period, Send.target)
        )
        for row in rows:
            won[SendKey(row.team_id, row.kind, row.period, row.target)] = row.id
        if along is not None and won:
            await along(session, dict(won))
    await _take_over_failed(sessions, ordered, won, now=now, worker=worker, along=along)
    return won


async def _take_over_failed(
    sessions: async_sessionmaker[AsyncSession],
    ordered: list[SendKey],
    won: dict[SendKey, int],
    *,
    now: dt.datetime,
    worker: str,
    along: Callable[[AsyncSession, dict[SendKey, int]], Awaitable[None]] | None,
) -> None:
    """Adds to ``won`` the keys not inserted whose send failed for a passing reason and
    that this process took over, one at a time (as :func:`claim` does)."""
    for key in ordered:
        if key in won:
            continue

        async def one(session: AsyncSession, send: Send, key: SendKey = key) -> None:
            if along is not None:
                await along(session, {key: send.id})

        # What is won above is committed: it must reach the caller to go out, so a take-over
        # that fails (a database blip) only loses itself; a later tick tries it again.
        try:
            again = await _claim_again(sessions, key, now=now, worker=worker, along=one)
        except Exception:
            log.exception("send %s: could not take it over; left for a later tick", key.marker)
            continue
        if again is not None:
            won[key] = again


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


@dataclass(frozen=True, slots=True)
class Outcome:
    send_id: int
    status: str
    at: dt.datetime
    error: str | None = None
    message_ref: dict[str, Any] | None = None


async def finish_many(sessions: async_sessionmaker[AsyncSession], outcomes: list[Outcome]) -> None:
    """:func:`finish` for many sends, in one transaction."""
    if not outcomes:
        return
    async with sessions() as session, session.begin():
        await session.execute(
            update(Send),
            [
                {
                    "id": o.send_id,
                    "status": o.status,
                    "finished_at": o.at,
                    "error": o.error,
                    "message_ref": o.message_ref,
                }
                for o in outcomes
            ],
        )


class Outcomes:
    """The outcomes of a fan-out, written a batch at a time rather than a transaction per send.

    Until its batch is written a send that went out still reads "claimed"; a process stopped
    in that moment leaves it to the recovery, as one stopped between sending and recording
    always did (Slack finds the message by its marker; elsewhere it becomes "unknown"). So a
    batch is written once it holds ``size`` outcomes or, by a timer, ``age`` seconds after
    its first, and :meth:`flush` writes the rest at the end of the fan-out. A batch whose
    write fails is kept for the next one.
    """

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, size: int = 50, age: float = 0.5
    ) -> None:
        self.sessions = sessions
        self.size = size
        self.age = age
        self._pending: list[Outcome] = []
        self._timer: asyncio.TimerHandle | None = None
        self._writing: set[asyncio.Task[None]] = set()

    async def add(self, outcome: Outcome) -> None:
        self._pending.append(outcome)
        if len(self._pending) >= self.size:
            await self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.age, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        task = asyncio.create_task(self._flush_logged())
        self._writing.add(task)  # held until done: the loop keeps only weak references
        task.add_done_callback(self._writing.discard)

    async def _flush_logged(self) -> None:
        try:
            await self.flush()
        except Exception:
            log.exception(
                "could not record %d send outcome(s); kept for the next write", len(self._pending)
            )

    async def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        if not batch:
            return
        try:
            await finish_many(self.sessions, batch)
        except BaseException:
            self._pending[:0] = batch
            raise

    async def close(self) -> None:
        """Write what is left, after any write the timer started."""
        if self._writing:
            await asyncio.gather(*self._writing, return_exceptions=True)
        await self.flush()


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


async def recent_sends(
    sessions: async_sessionmaker[AsyncSession], team_id: int, limit: int = 5
) -> list[Send]:
    """A team's latest sends, newest first (for `waarom status`)."""
    async with sessions() as session:
        return list(
            (
                await session.scalars(
                    select(Send)
                    .where(Send.team_id == team_id)
                    .order_by(Send.claimed_at.desc(), Send.id.desc())
                    .limit(limit)
                )
            ).all()
        )
