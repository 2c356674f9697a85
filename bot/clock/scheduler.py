"""The ``waarom clock`` process: APScheduler jobs derived from the teams in the database.

Every minute the job list is brought in step with the teams' settings (no pickled job store
to go stale): one cron job per digest schedule and time zone, and one per nudge schedule and
member time zone, each for all the teams that share it and each in its zone, so DST changes
keep 09:00 at 09:00. A sweep every few minutes makes
up for anything missed (settings changed after the minute passed, a restart) and sends
reminders. Every job goes through :class:`bot.clock.Clock`, whose claims make doubles
impossible even with several clock processes.
"""

from __future__ import annotations

import asyncio
import logging
import zoneinfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from bot.clock import Clock
from bot.clock.schedule import DAYS, ScheduleError, TeamSchedule, Weekly
from bot.storage.models import Member, Team, TeamMember

log = logging.getLogger(__name__)

SYNC_SECONDS = 60
SWEEP_SECONDS = 300
STOP_SECONDS = 25


def _cron(days: tuple[int, ...], hour: int, minute: int, zone: str) -> CronTrigger:
    return CronTrigger(
        day_of_week=",".join(DAYS[d] for d in days),
        hour=hour,
        minute=minute,
        timezone=zoneinfo.ZoneInfo(zone),
    )


class ClockProcess:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.scheduler = AsyncIOScheduler(timezone=zoneinfo.ZoneInfo("UTC"))
        self._specs: dict[str, str] = {}
        self._running: set[asyncio.Task[object]] = set()

    async def _tick(self, team_ids: list[int] | None = None) -> None:
        task: asyncio.Task[object] | None = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await self.clock.tick(team_ids=team_ids)
        finally:
            if task is not None:
                self._running.discard(task)

    async def desired_jobs(self) -> dict[str, tuple[str, list[int], CronTrigger]]:
        """job id → (spec, team ids, trigger): one job per schedule and time zone, for all
        the teams that share it.

        One job for all of them, not one per team: at 09:00 on a Monday a thousand teams are
        then one tick, which computes each organisation's customer voice once and prepares,
        claims and records their digests a chunk at a time."""
        services = self.clock.services
        async with services.sessions() as session:
            teams = (
                await session.scalars(
                    select(Team).where(Team.active.is_(True), Team.direct.is_(False))
                )
            ).all()
            zones = {
                (row.team_id, row.timezone)
                for row in await session.execute(
                    select(TeamMember.team_id, Member.timezone).join(
                        Member, Member.id == TeamMember.member_id
                    )
                )
            }
        groups: dict[str, tuple[Weekly, str, set[int]]] = {}
        for team in teams:
            try:
                schedule = TeamSchedule.read(
                    team.timezone, team.digest_schedule, team.nudge_schedule, team.quiet_hours
                )
            except ScheduleError:
                schedule = None
            if schedule is None or schedule.digest is None or schedule.nudges is None:
                log.warning("team %s has an unreadable schedule; skipped", team.id)
                continue
            digest, nudges, zone = schedule.digest, schedule.nudges, schedule.zone.key
            groups.setdefault(f"digest:{digest}@{zone}", (digest, zone, set()))[2].add(team.id)
            # Each member at their own local time (bot.clock.plan): one job per zone in use.
            names = {name for t, name in zones if t == team.id} or {None}
            for member_zone in sorted({schedule.zone_for(name).key for name in names}):
                key = f"nudges:{nudges}@{member_zone}"
                groups.setdefault(key, (nudges, member_zone, set()))[2].add(team.id)
        jobs: dict[str, tuple[str, list[int], CronTrigger]] = {}
        for job_id, (weekly, zone, team_ids) in groups.items():
            ids = sorted(team_ids)
            # The spec names the teams too, so a team joining or leaving a time replaces it.
            spec = f"{job_id}:{','.join(map(str, ids))}"
            jobs[job_id] = (spec, ids, _cron(weekly.days, weekly.at.hour, weekly.at.minute, zone))
        return jobs

    async def sync(self) -> None:
        desired = await self.desired_jobs()
        for job_id in set(self._specs) - set(desired):
            self.scheduler.remove_job(job_id)
            del self._specs[job_id]
        for job_id, (spec, team_ids, trigger) in desired.items():
            if self._specs.get(job_id) == spec:
                continue
            self.scheduler.add_job(
                self._tick,
                trigger,
                id=job_id,
                replace_existing=True,
                kwargs={"team_ids": team_ids},
                misfire_grace_time=int(self.clock.config.grace.total_seconds()),
                coalesce=True,
                max_instances=3,
            )
            self._specs[job_id] = spec
        log.debug("clock: %d scheduled jobs", len(self._specs))

    async def run(self, stop: asyncio.Event) -> None:
        report = await self.clock.start_up()
        log.info("clock started: caught up %d send(s), %d failed", report.sent, report.failed)
        await self.sync()
        self.scheduler.add_job(self.sync, IntervalTrigger(seconds=SYNC_SECONDS), id="sync")
        self.scheduler.add_job(
            self._tick,
            IntervalTrigger(seconds=SWEEP_SECONDS),
            id="sweep",
            coalesce=True,
            max_instances=1,
        )
        self.scheduler.start()
        try:
            await stop.wait()
        finally:
            self.scheduler.shutdown(wait=False)
            # A tick under way finishes what it claimed and records the outcomes before the
            # deliveries are closed; platforms give a stopping process about 30 seconds.
            if self._running:
                log.info("clock stopping: waiting for %d tick(s) under way", len(self._running))
                await asyncio.wait(self._running, timeout=STOP_SECONDS)
