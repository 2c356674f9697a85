"""A clock tick: read, plan, send what is due through the pipeline, then keep house.

:meth:`Clock.tick` can run in any number of processes at once because every send is claimed
first (:mod:`bot.clock.sends`). A send whose moment passed while no clock ran is made up for once
within the grace window, and skipped with a log line after it. :mod:`bot.clock.scheduler` calls
``tick`` on time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from bot import replay
from bot.bootstrap import Services
from bot.clock import reads, upkeep
from bot.clock.config import ClockConfig, TickReport
from bot.clock.delivery import Deliveries
from bot.clock.kinds import Digests, Nudges, Reminders
from bot.clock.pipeline import Pipeline
from bot.clock.plan import plan
from bot.clock.recovery import Recovery
from bot.intake.privacy import apply_retention

log = logging.getLogger(__name__)


class Clock:
    def __init__(
        self,
        services: Services,
        deliveries: Deliveries,
        config: ClockConfig | None = None,
        *,
        worker: str = "clock",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.services = services
        self.deliveries = deliveries
        self.config = config or ClockConfig()
        self.worker = worker
        self.pipeline = Pipeline(
            services.sessions, self.config, worker=worker, now=services.now, sleep=sleep
        )

    async def tick(
        self,
        now: dt.datetime | None = None,
        *,
        catching_up: bool = False,
        team_ids: list[int] | None = None,
    ) -> TickReport:
        """Send what is due at ``now`` (for ``team_ids`` only, when given)."""
        moment = now or self.services.now()
        report = TickReport()
        sessions, platforms = self.services.sessions, self.deliveries.platforms
        found = await reads.teams(sessions, platforms, team_ids)
        waiting = await reads.waiting(sessions, platforms, moment)
        due = plan(
            moment,
            found.times,
            found.people,
            await reads.known_sends(sessions, moment),
            open_nudges=waiting.nudges,
            rules=self.config.rules,
            catching_up=catching_up,
        )
        for missed in due.missed:
            log.info(
                "skipped %s: due %s, more than %s ago",
                missed.what,
                missed.due.isoformat(),
                self.config.grace,
            )
        run, services, deliveries = self.pipeline.run, self.services, self.deliveries
        jobs = [
            run(Digests(services, deliveries, found), due.digests, moment, report),
            run(Nudges(services, deliveries, found, moment), due.nudges, moment, report),
            run(Reminders(services, deliveries, waiting, moment), due.reminders, moment, report),
        ]
        if team_ids is None:
            # The sweep also finishes member lists a web process left waiting (bot.clock.roster).
            jobs.append(upkeep.keep_rosters(services, deliveries, self.worker))
        await asyncio.gather(*jobs)
        report.expired = await upkeep.expire(services, due.expire_sent_before)
        await replay.forget(services, moment)
        if team_ids is None:  # the sweep every few minutes and start-up, not each send job
            await apply_retention(services, moment)
        return report

    async def start_up(self, now: dt.datetime | None = None) -> TickReport:
        """On start: give up claims of processes that died mid-send, then catch up."""
        moment = now or self.services.now()
        report = TickReport()
        await self.recover(moment, report)
        caught_up = await self.tick(moment, catching_up=True)
        caught_up.add(report)
        return caught_up

    async def recover(self, now: dt.datetime, report: TickReport) -> None:
        """Finish sends a stopped process claimed but never confirmed (:mod:`.recovery`)."""
        recovery = Recovery(self.services, self.deliveries, self.pipeline, self.config.lease)
        await recovery.run(now, report)
