"""What the clock sends, and when: weekly digests, nudges, reminders, expiry.

:meth:`Clock.tick` looks at the database and sends whatever is due at ``now``; it can run
in any number of processes at once because every send is claimed first (:mod:`bot.sends`).
A send whose moment passed while no clock ran is made up for once within the grace window,
and skipped with a log line after it. :mod:`bot.scheduler` calls ``tick`` on time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import zoneinfo
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bootstrap import Services
from bot.delivery import (
    Deliveries,
    Delivery,
    DeliveryFailure,
    MemberTarget,
    PermanentFailure,
    TeamTarget,
    TransientFailure,
)
from bot.digest import (
    CustomerVoice,
    DigestData,
    Week,
    build_digest,
    customer_voice,
    digest_of,
    remember_many,
    render_digest,
    team_parts,
)
from bot.messages import Message
from bot.models import Installation, Member, Nudge, ProcessedEvent, Send, Team, TeamMember
from bot.nudges import nudge_content, plan_nudge
from bot.privacy import apply_retention
from bot.roster import RosterSource
from bot.roster_keeper import Keeper
from bot.schedule import ScheduleError, allowed, last_occurrence, parse_quiet, parse_weekly
from bot.sends import (
    Outcome,
    Outcomes,
    SendKey,
    claim,
    claim_many,
    exists,
    finish,
    take_over,
)
from bot.views import prompt_message

log = logging.getLogger(__name__)

EVENT_MEMORY = dt.timedelta(days=2)


@dataclass(frozen=True)
class ClockConfig:
    grace: dt.timedelta = dt.timedelta(hours=6)
    concurrency: int = 50
    attempts: int = 3
    backoff: float = 1.0  # seconds, doubled per attempt
    expire_after: dt.timedelta = dt.timedelta(days=7)
    lease: dt.timedelta = dt.timedelta(minutes=10)


@dataclass
class TickReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    expired: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        if outcome == "sent":
            self.by_kind[kind] = self.by_kind.get(kind, 0) + 1


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
        self.sleep = sleep
        self._limit = asyncio.Semaphore(self.config.concurrency)

    # --- the whole tick ----------------------------------------------------------------

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
        # Teams of one organisation in one time zone share the customer part of a digest.
        voices = Voices(self.services)
        teams = await self._teams(team_ids)
        members = await self._members([team.id for team, _ in teams])
        known = await self._known_sends(moment)
        jobs: list[Awaitable[None]] = []
        digests: list[tuple[Team, Installation, Week]] = []
        for team, inst in teams:
            week = self._digest_due(team, moment, catching_up, known)
            if week is not None:
                digests.append((team, inst, week))
            jobs.extend(
                self._nudge_jobs(
                    team, inst, members.get(team.id, []), moment, report, catching_up, known
                )
            )
        jobs.append(self._send_digests(digests, moment, report, voices))
        jobs.extend(await self._reminder_jobs(moment, report))
        if team_ids is None:
            # The sweep also finishes member lists a web process left waiting (bot.roster).
            jobs.append(self._keep_rosters())
        await asyncio.gather(*jobs)
        report.expired = await self._expire(moment)
        await self._forget_old_events(moment)
        if team_ids is None:  # the sweep every few minutes and start-up, not each send job
            await apply_retention(self.services, moment)
        return report

    async def start_up(self, now: dt.datetime | None = None) -> TickReport:
        """On start: give up claims of processes that died mid-send, then catch up."""
        moment = now or self.services.now()
        report = TickReport()
        await self.recover(moment, report)
        caught_up = await self.tick(moment, catching_up=True)
        caught_up.sent += report.sent
        caught_up.failed += report.failed
        for kind, count in report.by_kind.items():
            caught_up.by_kind[kind] = caught_up.by_kind.get(kind, 0) + count
        return caught_up

    async def recover(self, now: dt.datetime, report: TickReport) -> None:
        """Finish sends a stopped process claimed but never confirmed (older than the lease).

        Where the platform can tell (Slack keeps the send's marker in the message metadata)
        a send that did arrive is recorded as sent and one that did not is sent now; where it
        cannot, the send is marked "unknown" rather than risk showing it twice.
        """
        async with self.services.sessions() as session:
            rows = (
                await session.execute(
                    select(Send, Team, Installation)
                    .join(Team, Team.id == Send.team_id)
                    .join(Installation, Installation.id == Team.installation_id)
                    .where(Send.status == "claimed", Send.claimed_at < now - self.config.lease)
                    .order_by(Send.id)
                )
            ).all()
        if rows:
            log.info("checking %d send(s) a stopped clock left unconfirmed", len(rows))
        for send, team, inst in rows:
            await self._recover_one(send, team, inst, now, report)

    async def _recover_one(
        self, send: Send, team: Team, inst: Installation, now: dt.datetime, report: TickReport
    ) -> None:
        key = SendKey(send.team_id, send.kind, send.period, send.target)
        member = None
        if send.target.startswith("member:"):
            async with self.services.sessions() as session:
                member = await session.get(Member, int(send.target.split(":", 1)[1]))
        target: TeamTarget | MemberTarget = (
            MemberTarget(
                inst.platform, inst.external_id, member.id, member.external_id, member.address
            )
            if member is not None
            else TeamTarget(inst.platform, inst.external_id, team.external_id, team.address)
        )
        try:
            delivery = self.deliveries.for_platform(inst.platform)
            landed = await delivery.delivered(
                target, key.marker, send.claimed_at - dt.timedelta(minutes=1)
            )
        except DeliveryFailure:
            landed = None
        if landed is True:
            await finish(self.services.sessions, send.id, "sent", now=now)
            log.info("send %s had arrived before its process stopped", key.marker)
            return
        message = await self._recovered_message(send, team) if landed is False else None
        if message is None:
            await finish(
                self.services.sessions,
                send.id,
                "unknown",
                now=now,
                error="the sending process stopped mid-send",
            )
            log.warning("send %s: outcome unknown after its process stopped", key.marker)
            return
        if not await take_over(self.services.sessions, send, now=now, worker=self.worker):
            return

        async def again() -> dict[str, Any]:
            if isinstance(target, MemberTarget):
                return await delivery.to_member(target, message, key.marker)
            return await delivery.to_team(target, message, key.marker)

        await self._deliver(send.id, send.kind, team.id, report, again)

    async def _recovered_message(self, send: Send, team: Team) -> Message | None:
        if send.kind not in ("digest", "nudge", "reminder"):
            return None  # a one-off notice (bot.roster_keeper): not worth a second try
        t = self.services.catalog.translator(team.language)
        async with self.services.sessions() as session:
            if send.kind == "digest":
                data = await build_digest(
                    session, team, Week.parse(send.period), self.services.library
                )
                return render_digest(data, t)
            nudge_id = (
                (send.message_ref or {}).get("nudge_id")
                if send.kind == "nudge"
                else int(send.period.split(":", 1)[0])
            )
            nudge = await session.get(Nudge, nudge_id) if nudge_id else None
            if nudge is None:
                return None
            prompt, quote = await nudge_content(session, self.services.library, nudge)
            return prompt_message(t, prompt, nudge, quote)

    async def _members(self, team_ids: list[int]) -> dict[int, list[Member]]:
        found: dict[int, list[Member]] = {}
        async with self.services.sessions() as session:
            for chunk in range(0, len(team_ids), 1000):
                rows = await session.execute(
                    select(TeamMember.team_id, Member)
                    .join(Member, Member.id == TeamMember.member_id)
                    .where(TeamMember.team_id.in_(team_ids[chunk : chunk + 1000]))
                    .order_by(Member.id)
                )
                for team_id, person in rows:
                    found.setdefault(team_id, []).append(person)
        return found

    async def _known_sends(self, now: dt.datetime) -> set[SendKey]:
        """Sends of the last days already claimed: one query instead of one per team.
        (Only a shortcut: the claim itself still decides.)"""
        async with self.services.sessions() as session:
            rows = await session.execute(
                select(Send.team_id, Send.kind, Send.period, Send.target).where(
                    Send.claimed_at >= now - dt.timedelta(days=9), Send.status != "retry"
                )
            )
            return {SendKey(*row) for row in rows}

    async def _teams(self, team_ids: list[int] | None = None) -> list[tuple[Team, Installation]]:
        async with self.services.sessions() as session:
            rows = await session.execute(
                select(Team, Installation)
                .join(Installation, Installation.id == Team.installation_id)
                .where(
                    Team.active.is_(True),
                    Team.direct.is_(False),
                    Installation.active.is_(True),
                    Installation.platform.in_(self.deliveries.platforms),
                )
                .where(Team.id.in_(team_ids) if team_ids is not None else Team.id.is_not(None))
                .order_by(Team.id)
            )
            return [(row.Team, row.Installation) for row in rows]

    def _due(self, occurrence: dt.datetime, now: dt.datetime, what: str, catching_up: bool) -> bool:
        late = now - occurrence
        if late <= self.config.grace:
            return True
        if catching_up and late <= self.config.grace + dt.timedelta(days=1):
            log.info(
                "skipped %s: due %s, more than %s ago",
                what,
                occurrence.isoformat(),
                self.config.grace,
            )
        return False

    # --- digests -----------------------------------------------------------------------

    def _digest_due(
        self, team: Team, now: dt.datetime, catching_up: bool, known: set[SendKey]
    ) -> Week | None:
        """The week whose digest ``team`` is due at ``now``, if one is and not sent yet."""
        try:
            schedule = parse_weekly(team.digest_schedule, single_day=True)
        except ScheduleError:
            log.warning("team %s: unreadable digest schedule %r", team.id, team.digest_schedule)
            return None
        zone = zoneinfo.ZoneInfo(team.timezone)
        occurrence = last_occurrence(schedule, zone, now)
        if not self._due(occurrence, now, f"digest of team {team.id}", catching_up):
            return None
        week = Week.to_send(occurrence, zone)
        if SendKey(team.id, "digest", str(week), "team") in known:
            return None
        return week

    async def _send_digests(
        self,
        due: list[tuple[Team, Installation, Week]],
        now: dt.datetime,
        report: TickReport,
        voices: Voices,
    ) -> None:
        """The fan-out: digests prepared, claimed and recorded a chunk at a time.

        A chunk is prepared (a few queries for all its teams) while the one before it goes
        out; its sends are claimed in one transaction only when there is room among the
        ``concurrency`` sends under way, so what is claimed but not yet sent stays as small as
        when each send claimed for itself; outcomes are written in batches.
        """
        size = self.config.concurrency
        outcomes = Outcomes(self.services.sessions, size=size)
        tasks: list[asyncio.Task[None]] = []
        sending: set[asyncio.Task[None]] = set()
        try:
            for first in range(0, len(due), size):
                try:
                    ready = await self._prepare_digests(due[first : first + size], voices)
                except Exception:
                    # Nothing of this chunk is claimed: the next sweep tries these teams again,
                    # and the other chunks go out as usual.
                    log.exception("digests of %d team(s) could not be prepared", size)
                    continue
                while ready:
                    while len(sending) > size // 2:
                        _, sending = await asyncio.wait(
                            sending, return_when=asyncio.FIRST_COMPLETED
                        )
                    room = size - len(sending)
                    chunk, ready = ready[:room], ready[room:]
                    try:
                        claimed = await claim_many(
                            self.services.sessions,
                            [p.key for p in chunk],
                            now=now,
                            worker=self.worker,
                            along=_remember(chunk),
                        )
                    except Exception:
                        log.exception("digests of %d team(s) could not be claimed", len(chunk))
                        continue
                    for prepared in chunk:
                        send_id = claimed.get(prepared.key)
                        if send_id is None:
                            continue  # another process has it
                        task = asyncio.create_task(
                            self._send_prepared(prepared, send_id, report, outcomes)
                        )
                        tasks.append(task)
                        sending.add(task)
        finally:
            # What was claimed goes out and is recorded, also when a later chunk failed.
            results = await asyncio.gather(*tasks, return_exceptions=True)
            await outcomes.close()
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _prepare_digests(
        self, due: list[tuple[Team, Installation, Week]], voices: Voices
    ) -> list[PreparedDigest]:
        # Built and rendered before the claim, so that between claiming and sending there is
        # nothing but the send: a process killed in between loses as little as possible.
        async with self.services.sessions() as session, session.begin():
            voice = [await voices.get(session, team, week) for team, _, week in due]
            parts = await team_parts(session, [(team, week) for team, _, week in due])
        prepared: list[PreparedDigest] = []
        for (team, inst, week), team_voice in zip(due, voice, strict=True):
            data = digest_of(team, week, self.services.library, team_voice, parts[team.id])
            prepared.append(
                PreparedDigest(
                    key=SendKey(team.id, "digest", str(week), "team"),
                    team=team,
                    data=data,
                    message=render_digest(data, self.services.catalog.translator(team.language)),
                    target=TeamTarget(
                        inst.platform, inst.external_id, team.external_id, team.address
                    ),
                    delivery=self.deliveries.for_platform(inst.platform),
                )
            )
        return prepared

    async def _send_prepared(
        self, prepared: PreparedDigest, send_id: int, report: TickReport, outcomes: Outcomes
    ) -> None:
        # Not behind the limit nudges share: the fan-out keeps its own sends under way to
        # ``concurrency``, and a claimed digest must not wait for unrelated sends to go out.
        await self._deliver(
            send_id,
            "digest",
            prepared.team.id,
            report,
            lambda: prepared.delivery.to_team(
                prepared.target, prepared.message, prepared.key.marker
            ),
            outcomes=outcomes,
        )

    # --- nudges --------------------------------------------------------------------------

    def _nudge_jobs(
        self,
        team: Team,
        inst: Installation,
        members: list[Member],
        now: dt.datetime,
        report: TickReport,
        catching_up: bool,
        known: set[SendKey],
    ) -> list[Awaitable[None]]:
        try:
            schedule = parse_weekly(team.nudge_schedule)
            quiet = parse_quiet(team.quiet_hours or "")
        except ScheduleError:
            log.warning("team %s: unreadable nudge schedule %r", team.id, team.nudge_schedule)
            return []
        jobs: list[Awaitable[None]] = []
        for member in members:
            if member.unreachable and not member.address:
                continue  # the platform refused them a chat; counted in `waarom status`
            # At the member's own local time where the platform told us their zone.
            zone = _zone(member.timezone) or zoneinfo.ZoneInfo(team.timezone)
            occurrence = last_occurrence(schedule, zone, now)
            if not allowed(occurrence, zone, quiet):
                continue
            if not self._due(occurrence, now, f"nudge of member {member.id}", catching_up):
                continue
            day = occurrence.astimezone(zone).date().isoformat()
            if SendKey(team.id, "nudge", day, f"member:{member.id}") in known:
                continue
            jobs.append(self._send_nudge(team, inst, member, day, now, report))
        return jobs

    async def _send_nudge(
        self,
        team: Team,
        inst: Installation,
        member: Member,
        day: str,
        now: dt.datetime,
        report: TickReport,
    ) -> None:
        key = SendKey(team.id, "nudge", day, f"member:{member.id}")
        if await exists(self.services.sessions, key):
            return
        async with self.services.sessions() as session:
            nudge = await plan_nudge(session, self.services.library, team, member, now=now)
            prompt, quote = await nudge_content(session, self.services.library, nudge)

        async def record(session: AsyncSession, send: Send) -> None:
            # The nudge exists exactly when its send was claimed (and the send knows it, for
            # a process that has to finish it after a crash).
            session.add(nudge)
            await session.flush()
            send.message_ref = {"nudge_id": nudge.id}

        delivery = self.deliveries.for_platform(inst.platform)
        async with self._limit:
            send_id = await claim(
                self.services.sessions, key, now=now, worker=self.worker, along=record
            )
            if send_id is None:
                return
            message = prompt_message(
                self.services.catalog.translator(team.language), prompt, nudge, quote
            )
            target = MemberTarget(
                inst.platform, inst.external_id, member.id, member.external_id, member.address
            )
            ref = await self._deliver(
                send_id,
                "nudge",
                team.id,
                report,
                lambda: delivery.to_member(target, message, key.marker),
            )
        async with self.services.sessions() as session, session.begin():
            # Not delivered: the nudge reached no one, so it does not wait for an answer.
            values: dict[str, Any] = {"message_ref": ref} if ref else {"status": "expired"}
            await session.execute(update(Nudge).where(Nudge.id == nudge.id).values(**values))

    async def _keep_rosters(self) -> None:
        for platform in self.deliveries.platforms:
            delivery = self.deliveries.for_platform(platform)
            if isinstance(delivery, RosterSource):
                keeper = Keeper(self.services, platform, delivery, delivery, worker=self.worker)
                try:
                    await keeper.catch_up()
                except Exception:  # the sends of this tick go out regardless
                    log.exception("%s: member lists not caught up", platform)

    # --- reminders and expiry ----------------------------------------------------------

    async def _reminder_jobs(self, now: dt.datetime, report: TickReport) -> list[Awaitable[None]]:
        async with self.services.sessions() as session:
            rows = (
                await session.execute(
                    select(Nudge, Team, Installation, Member)
                    .join(Team, Team.id == Nudge.team_id)
                    .join(Installation, Installation.id == Team.installation_id)
                    .join(Member, Member.id == Nudge.member_id)
                    .where(
                        Team.active.is_(True),
                        Installation.active.is_(True),
                        Installation.platform.in_(self.deliveries.platforms),
                        ((Nudge.status == "sent") & Nudge.reminded_at.is_(None))
                        | ((Nudge.status == "snoozed") & (Nudge.snoozed_until <= now)),
                    )
                    .order_by(Nudge.id)
                )
            ).all()
        jobs: list[Awaitable[None]] = []
        for nudge, team, inst, member in rows:
            if nudge.status == "sent" and nudge.sent_at > now - dt.timedelta(
                hours=team.reminder_hours
            ):
                continue
            zone = _zone(member.timezone) or zoneinfo.ZoneInfo(team.timezone)
            try:
                quiet = parse_quiet(team.quiet_hours or "")
            except ScheduleError:
                quiet = None
            if not allowed(now, zone, quiet):
                continue  # wait for the morning, or Monday
            jobs.append(self._send_reminder(nudge, team, inst, member, now, report))
        return jobs

    async def _send_reminder(
        self,
        nudge: Nudge,
        team: Team,
        inst: Installation,
        member: Member,
        now: dt.datetime,
        report: TickReport,
    ) -> None:
        # One reminder per nudge; a snoozed nudge comes back once per snooze.
        period = (
            f"{nudge.id}"
            if nudge.status == "sent"
            else f"{nudge.id}:{nudge.snoozed_until:%Y%m%d%H%M}"
        )
        async with self.services.sessions() as session:
            prompt, quote = await nudge_content(session, self.services.library, nudge)
        message = prompt_message(
            self.services.catalog.translator(team.language), prompt, nudge, quote
        )
        target = MemberTarget(
            inst.platform, inst.external_id, member.id, member.external_id, member.address
        )
        delivery = self.deliveries.for_platform(inst.platform)
        async with self._limit:
            key = SendKey(team.id, "reminder", period, f"member:{member.id}")
            send_id = await claim(self.services.sessions, key, now=now, worker=self.worker)
            if send_id is None:
                return
            ref = await self._deliver(
                send_id,
                "reminder",
                team.id,
                report,
                lambda: delivery.to_member(target, message, key.marker),
            )
        async with self.services.sessions() as session, session.begin():
            values: dict[str, Any] = {"reminded_at": now}
            if nudge.status == "snoozed":
                values.update(status="sent", snoozed_until=None)
            if ref is not None:
                values["message_ref"] = ref
            await session.execute(update(Nudge).where(Nudge.id == nudge.id).values(**values))

    async def _forget_old_events(self, now: dt.datetime) -> None:
        # Replay protection only needs ids for as long as platforms retry (Slack: minutes,
        # Teams: seconds); two days is ample and keeps the table small.
        async with self.services.sessions() as session, session.begin():
            await session.execute(
                delete(ProcessedEvent).where(ProcessedEvent.received_at < now - EVENT_MEMORY)
            )

    async def _expire(self, now: dt.datetime) -> int:
        async with self.services.sessions() as session, session.begin():
            result = await session.execute(
                update(Nudge)
                .where(
                    Nudge.status.in_(("sent", "snoozed")),
                    Nudge.sent_at < now - self.config.expire_after,
                )
                .values(status="expired")
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    # --- delivery with retries ---------------------------------------------------------

    async def _deliver(
        self,
        send_id: int,
        kind: str,
        team_id: int,
        report: TickReport,
        attempt: Callable[[], Awaitable[dict[str, Any]]],
        *,
        outcomes: Outcomes | None = None,
    ) -> dict[str, Any] | None:
        async def record(
            status: str, error: str | None = None, message_ref: dict[str, Any] | None = None
        ) -> None:
            outcome = Outcome(send_id, status, self.services.now(), error, message_ref)
            if outcomes is not None:
                await outcomes.add(outcome)
            else:
                await finish(
                    self.services.sessions,
                    send_id,
                    status,
                    now=outcome.at,
                    error=error,
                    message_ref=message_ref,
                )

        delay = self.config.backoff
        last_error = ""
        for number in range(1, self.config.attempts + 1):
            try:
                ref = await attempt()
            except PermanentFailure as exc:
                await record("failed", error=str(exc))
                # A channel that is gone stops the team; one unreachable person does not.
                if kind == "digest":
                    await self._disable(team_id, str(exc))
                report.count(kind, "failed")
                return None
            except (TransientFailure, DeliveryFailure) as exc:
                last_error = str(exc)
                wait = getattr(exc, "retry_after", None) or delay
                log.info("%s for team %s failed (attempt %d): %s", kind, team_id, number, exc)
                if number < self.config.attempts:
                    await self.sleep(wait)
                    delay *= 2
                continue
            await record("sent", message_ref=ref)
            report.count(kind, "sent")
            return ref
        # Out of attempts for now: a later tick may claim it again (until MAX_ATTEMPTS).
        await record("retry", error=last_error)
        report.count(kind, "failed")
        return None

    async def _disable(self, team_id: int, reason: str) -> None:
        log.warning("team %s disabled: %s", team_id, reason)
        async with self.services.sessions() as session, session.begin():
            await session.execute(
                update(Team)
                .where(Team.id == team_id)
                .values(active=False, disabled_reason=reason[:500])
            )


@dataclass(frozen=True)
class PreparedDigest:
    """A digest ready to go out: built, rendered and addressed."""

    key: SendKey
    team: Team
    data: DigestData
    message: Message
    target: TeamTarget
    delivery: Delivery


class Voices:
    """Customer voice per (organisation, week, time zone), computed once per tick."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._done: dict[tuple[int, str, str], CustomerVoice] = {}
        self._locks: dict[tuple[int, str, str], asyncio.Lock] = {}

    async def get(self, session: AsyncSession, team: Team, week: Week) -> CustomerVoice:
        key = (team.org_id, str(week), team.timezone)
        async with self._locks.setdefault(key, asyncio.Lock()):
            if key not in self._done:
                self._done[key] = await customer_voice(
                    session, team.org_id, week, zoneinfo.ZoneInfo(team.timezone)
                )
            return self._done[key]


def _remember(
    chunk: list[PreparedDigest],
) -> Callable[[AsyncSession, dict[SendKey, int]], Awaitable[None]]:
    """Keeps the digests whose sends were won, in the claiming transaction: a digest is
    stored exactly when its send is claimed."""

    async def keep(session: AsyncSession, won: dict[SendKey, int]) -> None:
        await remember_many(session, [p.data for p in chunk if p.key in won])

    return keep


def _zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
