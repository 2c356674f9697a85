"""One way out for every scheduled send: prepare → claim → deliver → record.

Digests, nudges and reminders all go through :meth:`Pipeline.run`. A chunk of due sends is
prepared first (built and rendered before the claim, so that between claiming and sending
there is nothing but the send: a process killed in between loses as little as possible); it
is claimed in one transaction only when there is room among the sends under way
(:func:`bot.clock.sends.claim_many`, where the unique key lets one process win), so what is claimed
but not yet sent stays small; each send is delivered with retries and its outcome recorded a
batch at a time (:class:`bot.clock.sends.Outcomes`). A chunk is prepared while the one before it
goes out. What a kind writes with its claim (the digest, the nudge) exists exactly when the
claim does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock.config import ClockConfig, TickReport
from bot.clock.delivery import (
    Delivery,
    DeliveryFailure,
    MemberTarget,
    PermanentFailure,
    TeamTarget,
    TransientFailure,
)
from bot.clock.sends import Outcome, Outcomes, SendKey, claim_many, finish
from bot.messages import Message
from bot.storage.models import Team

log = logging.getLogger(__name__)

Ref = dict[str, Any]


@dataclass(frozen=True)
class Prepared:
    """A send ready to go: addressed, its message built (rendered at delivery, once the claim
    gave what it names an id), and the item its kind records (a digest, a nudge)."""

    key: SendKey
    target: TeamTarget | MemberTarget
    render: Callable[[], Message]
    delivery: Delivery
    item: Any = None

    async def send(self, message: Message) -> Ref:
        if isinstance(self.target, MemberTarget):
            return await self.delivery.to_member(self.target, message, self.key.marker)
        return await self.delivery.to_team(self.target, message, self.key.marker)


def rendered(message: Message) -> Callable[[], Message]:
    """For a message that could be built before the claim."""
    return lambda: message


Due = TypeVar("Due", contravariant=True)


class Kind(Protocol[Due]):
    """What differs between digests, nudges and reminders: the steps around the pipeline."""

    name: str

    async def prepare(self, due: Sequence[Due]) -> list[Prepared]: ...

    async def claimed(self, session: AsyncSession, won: list[tuple[Prepared, int]]) -> None:
        """In the claiming transaction, with the sends this process won."""

    async def delivered(self, prepared: Prepared, ref: Ref | None) -> None:
        """After the outcome is known; ``ref`` is ``None`` when the send did not arrive."""


class Room:
    """Sends under way, kept to ``size`` across every kind of a tick: a chunk is claimed
    once no more than half are under way, and only as much of it as there is room for."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.busy = 0
        self._changed = asyncio.Condition()

    async def take(self, wanted: int) -> int:
        async with self._changed:
            await self._changed.wait_for(lambda: self.busy <= self.size // 2)
            taken = min(wanted, self.size - self.busy)
            self.busy += taken
            return taken

    async def give_back(self, count: int = 1) -> None:
        if count:
            async with self._changed:
                self.busy -= count
                self._changed.notify_all()


class Pipeline:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        config: ClockConfig,
        *,
        worker: str,
        now: Callable[[], dt.datetime],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.sessions = sessions
        self.config = config
        self.worker = worker
        self.now = now
        self.sleep = sleep
        self.room = Room(config.concurrency)

    async def run(
        self, kind: Kind[Due], due: Sequence[Due], now: dt.datetime, report: TickReport
    ) -> None:
        size = self.config.concurrency
        outcomes = Outcomes(self.sessions, size=size)
        tasks: list[asyncio.Task[None]] = []
        try:
            for first in range(0, len(due), size):
                chunk = due[first : first + size]
                try:
                    ready = await kind.prepare(chunk)
                except Exception:
                    # Nothing of this chunk is claimed: the next sweep tries these sends
                    # again, and the other chunks go out as usual.
                    log.exception("%d %s send(s) could not be prepared", len(chunk), kind.name)
                    continue
                await self._claim(kind, ready, now, report, outcomes, tasks)
        finally:
            # What was claimed goes out and is recorded, also when a later chunk failed.
            results = await asyncio.gather(*tasks, return_exceptions=True)
            await outcomes.close()
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _claim(
        self,
        kind: Kind[Due],
        ready: list[Prepared],
        now: dt.datetime,
        report: TickReport,
        outcomes: Outcomes,
        tasks: list[asyncio.Task[None]],
    ) -> None:
        while ready:
            room = await self.room.take(len(ready))
            chunk, ready = ready[:room], ready[room:]
            try:
                claimed = await claim_many(
                    self.sessions,
                    [p.key for p in chunk],
                    now=now,
                    worker=self.worker,
                    along=_along(kind, chunk),
                )
            except Exception:
                await self.room.give_back(room)
                log.exception("%d %s send(s) could not be claimed", len(chunk), kind.name)
                continue
            won = [(p, claimed[p.key]) for p in chunk if p.key in claimed]
            await self.room.give_back(room - len(won))  # the others: another process has them
            for prepared, send_id in won:
                tasks.append(
                    asyncio.create_task(self._send(kind, prepared, send_id, report, outcomes))
                )

    async def _send(
        self,
        kind: Kind[Due],
        prepared: Prepared,
        send_id: int,
        report: TickReport,
        outcomes: Outcomes,
    ) -> None:
        try:
            ref = await self.deliver(prepared, send_id, report, outcomes)
        finally:
            await self.room.give_back()
        await kind.delivered(prepared, ref)

    async def deliver(
        self,
        prepared: Prepared,
        send_id: int,
        report: TickReport,
        outcomes: Outcomes | None = None,
    ) -> Ref | None:
        """Deliver a claimed send, retrying passing failures, and record its outcome."""
        kind = prepared.key.kind
        message = prepared.render()
        delay = self.config.backoff
        last_error = ""
        for number in range(1, self.config.attempts + 1):
            try:
                ref = await prepared.send(message)
            except PermanentFailure as exc:
                await self._record(Outcome(send_id, "failed", self.now(), str(exc)), outcomes)
                # A channel that is gone stops the team; one unreachable person does not.
                if isinstance(prepared.target, TeamTarget):
                    await self._disable(prepared.key.team_id, str(exc))
                report.count(kind, "failed")
                return None
            except (TransientFailure, DeliveryFailure) as exc:
                last_error = str(exc)
                wait = getattr(exc, "retry_after", None) or delay
                log.info(
                    "%s for team %s failed (attempt %d): %s",
                    kind,
                    prepared.key.team_id,
                    number,
                    exc,
                )
                if number < self.config.attempts:
                    await self.sleep(wait)
                    delay *= 2
                continue
            await self._record(Outcome(send_id, "sent", self.now(), message_ref=ref), outcomes)
            report.count(kind, "sent")
            return ref
        # Out of attempts for now: a later tick may claim it again (until MAX_ATTEMPTS).
        await self._record(Outcome(send_id, "retry", self.now(), last_error), outcomes)
        report.count(kind, "failed")
        return None

    async def _record(self, outcome: Outcome, outcomes: Outcomes | None) -> None:
        if outcomes is not None:
            await outcomes.add(outcome)
            return
        await finish(
            self.sessions,
            outcome.send_id,
            outcome.status,
            now=outcome.at,
            error=outcome.error,
            message_ref=outcome.message_ref,
        )

    async def _disable(self, team_id: int, reason: str) -> None:
        log.warning("team %s disabled: %s", team_id, reason)
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(Team)
                .where(Team.id == team_id)
                .values(active=False, disabled_reason=reason[:500])
            )


def _along(
    kind: Kind[Due], chunk: list[Prepared]
) -> Callable[[AsyncSession, dict[SendKey, int]], Awaitable[None]]:
    async def along(session: AsyncSession, won: dict[SendKey, int]) -> None:
        await kind.claimed(session, [(p, won[p.key]) for p in chunk if p.key in won])

    return along
