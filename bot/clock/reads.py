"""What the clock reads before planning: teams, members, open nudges and recent sends.

Each read returns the rows the sends are prepared from and the plain values
:func:`bot.clock.plan.plan` decides on, with every team's schedule parsed once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock.plan import OpenNudge, Person, TeamTimes
from bot.clock.schedule import ScheduleError, TeamSchedule
from bot.clock.sends import SendKey
from bot.engine.nudge_state import NudgeStatus
from bot.storage.models import Installation, Member, Nudge, Send, Team, TeamMember

log = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]


@dataclass
class Found:
    """Rows by id (to prepare sends from) and the values the plan needs."""

    teams: dict[int, tuple[Team, Installation]] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    times: list[TeamTimes] = field(default_factory=list)
    people: dict[int, list[Person]] = field(default_factory=dict)


def team_times(team: Team) -> TeamTimes | None:
    """The team's schedule as one value; ``None`` (with a warning) for an unknown time zone."""
    try:
        schedule = TeamSchedule.read(
            team.timezone, team.digest_schedule, team.nudge_schedule, team.quiet_hours
        )
    except ScheduleError:
        log.warning("team %s: unknown time zone %r", team.id, team.timezone)
        return None
    return TeamTimes(team.id, schedule, team.reminder_hours)


def person(member: Member) -> Person:
    return Person(member.id, member.timezone, not (member.unreachable and not member.address))


async def teams(sessions: Sessions, platforms: list[str], team_ids: list[int] | None) -> Found:
    found = Found()
    async with sessions() as session:
        rows = await session.execute(
            select(Team, Installation)
            .join(Installation, Installation.id == Team.installation_id)
            .where(
                Team.active.is_(True),
                Team.direct.is_(False),
                Installation.active.is_(True),
                Installation.platform.in_(platforms),
            )
            .where(Team.id.in_(team_ids) if team_ids is not None else Team.id.is_not(None))
            .order_by(Team.id)
        )
        for team, inst in rows:
            times = team_times(team)
            if times is None:
                continue
            if "digest" in times.schedule.unreadable:
                log.warning("team %s: unreadable digest schedule %r", team.id, team.digest_schedule)
            if "nudges" in times.schedule.unreadable:
                log.warning("team %s: unreadable nudge schedule %r", team.id, team.nudge_schedule)
            found.teams[team.id] = (team, inst)
            found.times.append(times)
        await _members(session, found)
    return found


async def _members(session: AsyncSession, found: Found) -> None:
    team_ids = list(found.teams)
    for chunk in range(0, len(team_ids), 1000):
        rows = await session.execute(
            select(TeamMember.team_id, Member)
            .join(Member, Member.id == TeamMember.member_id)
            .where(TeamMember.team_id.in_(team_ids[chunk : chunk + 1000]))
            .order_by(Member.id)
        )
        for team_id, member in rows:
            found.members[member.id] = member
            found.people.setdefault(team_id, []).append(person(member))


@dataclass
class Waiting:
    """Nudges waiting for an answer that may be due a reminder, with their rows by nudge id."""

    nudges: list[OpenNudge] = field(default_factory=list)
    rows: dict[int, tuple[Nudge, Team, Installation, Member]] = field(default_factory=dict)


async def waiting(sessions: Sessions, platforms: list[str], now: dt.datetime) -> Waiting:
    found = Waiting()
    async with sessions() as session:
        rows = await session.execute(
            select(Nudge, Team, Installation, Member)
            .join(Team, Team.id == Nudge.team_id)
            .join(Installation, Installation.id == Team.installation_id)
            .join(Member, Member.id == Nudge.member_id)
            .where(
                Team.active.is_(True),
                Installation.active.is_(True),
                Installation.platform.in_(platforms),
                ((Nudge.status == NudgeStatus.SENT) & Nudge.reminded_at.is_(None))
                | ((Nudge.status == NudgeStatus.SNOOZED) & (Nudge.snoozed_until <= now)),
            )
            .order_by(Nudge.id)
        )
        times: dict[int, TeamTimes | None] = {}
        for nudge, team, inst, member in rows:
            if team.id not in times:
                times[team.id] = team_times(team)
            team_time = times[team.id]
            if team_time is None:
                continue
            found.rows[nudge.id] = (nudge, team, inst, member)
            found.nudges.append(
                OpenNudge(
                    nudge.id,
                    team_time,
                    person(member),
                    NudgeStatus(nudge.status),
                    nudge.sent_at,
                    nudge.reminded_at,
                    nudge.snoozed_until,
                )
            )
    return found


async def known_sends(sessions: Sessions, now: dt.datetime) -> set[SendKey]:
    """Sends of the last days already claimed: one query instead of one per team.
    (Only a shortcut: the claim itself still decides.)"""
    async with sessions() as session:
        rows = await session.execute(
            select(Send.team_id, Send.kind, Send.period, Send.target).where(
                Send.claimed_at >= now - dt.timedelta(days=9), Send.status != "retry"
            )
        )
        return {SendKey(*row) for row in rows}
