"""The clock's housekeeping each tick: expiring unanswered nudges, forgetting old event ids,
finishing member lists a web process left waiting."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, update

from bot.bootstrap import Services
from bot.delivery import Deliveries
from bot.models import Nudge, ProcessedEvent
from bot.nudge_state import OPEN, NudgeStatus
from bot.roster import RosterSource
from bot.roster_keeper import Keeper

log = logging.getLogger(__name__)

EVENT_MEMORY = dt.timedelta(days=2)


async def expire(services: Services, sent_before: dt.datetime) -> int:
    """Nudges still waiting for an answer that were sent before ``sent_before``."""
    async with services.sessions() as session, session.begin():
        result = await session.execute(
            update(Nudge)
            .where(Nudge.status.in_(OPEN), Nudge.sent_at < sent_before)
            .values(status=NudgeStatus.EXPIRED)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


async def forget_old_events(services: Services, now: dt.datetime) -> None:
    # Replay protection only needs ids for as long as platforms retry (Slack: minutes,
    # Teams: seconds); two days is ample and keeps the table small.
    async with services.sessions() as session, session.begin():
        await session.execute(
            delete(ProcessedEvent).where(ProcessedEvent.received_at < now - EVENT_MEMORY)
        )


async def keep_rosters(services: Services, deliveries: Deliveries, worker: str) -> None:
    for platform in deliveries.platforms:
        delivery = deliveries.for_platform(platform)
        if isinstance(delivery, RosterSource):
            keeper = Keeper(services, platform, delivery, delivery, worker=worker)
            try:
                await keeper.catch_up()
            except Exception:  # the sends of this tick go out regardless
                log.exception("%s: member lists not caught up", platform)
