"""The clock's housekeeping each tick: expiring unanswered nudges, forgetting old event ids,
finishing member lists a web process left waiting."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import update

from bot.bootstrap import Services
from bot.clock.delivery import Deliveries
from bot.clock.roster import RosterSource
from bot.clock.roster_keeper import Keeper
from bot.engine.nudge_state import OPEN, NudgeStatus
from bot.storage.models import Nudge

log = logging.getLogger(__name__)


async def expire(services: Services, sent_before: dt.datetime) -> int:
    """Nudges still waiting for an answer that were sent before ``sent_before``."""
    async with services.sessions() as session, session.begin():
        result = await session.execute(
            update(Nudge)
            .where(Nudge.status.in_(OPEN), Nudge.sent_at < sent_before)
            .values(status=NudgeStatus.EXPIRED)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


async def keep_rosters(services: Services, deliveries: Deliveries, worker: str) -> None:
    for platform in deliveries.platforms:
        delivery = deliveries.for_platform(platform)
        if isinstance(delivery, RosterSource):
            keeper = Keeper(services, platform, delivery, delivery, worker=worker)
            try:
                await keeper.catch_up()
            except Exception:  # the sends of this tick go out regardless
                log.exception("%s: member lists not caught up", platform)
