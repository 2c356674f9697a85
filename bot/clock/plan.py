"""What is due at a moment: the clock's timing rules as one pure function.

:func:`plan` takes plain values (each team's parsed schedule, its members' time zones, the
nudges waiting for an answer, the sends already claimed) and returns the digests, nudges and
reminders due at ``now`` and the moment before which unanswered nudges expire. It reads no
database and sends nothing, so every rule can be tried with a list and a date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.clock.schedule import TeamSchedule, last_occurrence
from bot.clock.sends import SendKey
from bot.engine.nudge_state import NudgeStatus
from bot.week import Week


@dataclass(frozen=True, slots=True)
class Rules:
    grace: dt.timedelta = dt.timedelta(hours=6)  # a missed moment is made up for this long
    expire_after: dt.timedelta = dt.timedelta(days=7)


@dataclass(frozen=True, slots=True)
class TeamTimes:
    id: int
    schedule: TeamSchedule
    reminder_hours: int = 24


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    zone: str | None = None  # as the platform told it; the team's where missing or unknown
    reachable: bool = True  # False: the platform refused them a chat


@dataclass(frozen=True, slots=True)
class OpenNudge:
    """A nudge waiting for an answer, with what its reminder depends on."""

    id: int
    team: TeamTimes
    member: Person
    status: NudgeStatus
    sent_at: dt.datetime
    reminded_at: dt.datetime | None = None
    snoozed_until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class DueDigest:
    team_id: int
    week: Week

    @property
    def key(self) -> SendKey:
        return SendKey(self.team_id, "digest", str(self.week), "team")


@dataclass(frozen=True, slots=True)
class DueNudge:
    team_id: int
    member_id: int
    day: str  # the member's local date

    @property
    def key(self) -> SendKey:
        return SendKey(self.team_id, "nudge", self.day, f"member:{self.member_id}")


@dataclass(frozen=True, slots=True)
class DueReminder:
    nudge_id: int
    team_id: int
    member_id: int
    period: str  # one reminder per nudge; a snoozed nudge comes back once per snooze
    snoozed: bool

    @property
    def key(self) -> SendKey:
        return SendKey(self.team_id, "reminder", self.period, f"member:{self.member_id}")


@dataclass(frozen=True, slots=True)
class Missed:
    """A send whose moment passed longer ago than the grace window, seen while catching up."""

    what: str
    due: dt.datetime


@dataclass
class Plan:
    expire_sent_before: dt.datetime
    digests: list[DueDigest] = field(default_factory=list)
    nudges: list[DueNudge] = field(default_factory=list)
    reminders: list[DueReminder] = field(default_factory=list)
    missed: list[Missed] = field(default_factory=list)


def plan(
    now: dt.datetime,
    teams: Sequence[TeamTimes],
    members: Mapping[int, Sequence[Person]],
    known: Iterable[SendKey] = (),
    *,
    open_nudges: Sequence[OpenNudge] = (),
    rules: Rules = Rules(),
    catching_up: bool = False,
) -> Plan:
    """The sends due at ``now`` that are not among ``known`` (already claimed)."""
    result = Plan(expire_sent_before=now - rules.expire_after)
    claimed = set(known)
    timing = _Timing(now, rules.grace, catching_up, result.missed)
    for team in teams:
        digest = _digest(team, timing)
        if digest is not None and digest.key not in claimed:
            result.digests.append(digest)
        for nudge in _nudges(team, members.get(team.id, ()), timing):
            if nudge.key not in claimed:
                result.nudges.append(nudge)
    result.reminders = [r for r in _reminders(open_nudges, now) if r.key not in claimed]
    return result


@dataclass(frozen=True)
class _Timing:
    now: dt.datetime
    grace: dt.timedelta
    catching_up: bool
    missed: list[Missed]

    def on_time(self, occurrence: dt.datetime, what: str) -> bool:
        late = self.now - occurrence
        if late <= self.grace:
            return True
        # Said once, by the first catch-up after the window closed (not every start-up after).
        if self.catching_up and late <= self.grace + dt.timedelta(days=1):
            self.missed.append(Missed(what, occurrence))
        return False


def _digest(team: TeamTimes, timing: _Timing) -> DueDigest | None:
    weekly, zone = team.schedule.digest, team.schedule.zone
    if weekly is None:
        return None
    occurrence = last_occurrence(weekly, zone, timing.now)
    if not timing.on_time(occurrence, f"digest of team {team.id}"):
        return None
    return DueDigest(team.id, Week.to_send(occurrence, zone))


def _nudges(team: TeamTimes, members: Iterable[Person], timing: _Timing) -> Iterable[DueNudge]:
    weekly = team.schedule.nudges
    if weekly is None:
        return
    for member in members:
        if not member.reachable:
            continue  # counted in `waarom status`
        # At the member's own local time where the platform told us their zone.
        zone = team.schedule.zone_for(member.zone)
        occurrence = last_occurrence(weekly, zone, timing.now)
        if not team.schedule.may_disturb(occurrence, zone):
            continue
        if not timing.on_time(occurrence, f"nudge of member {member.id}"):
            continue
        yield DueNudge(team.id, member.id, occurrence.astimezone(zone).date().isoformat())


def _reminders(nudges: Iterable[OpenNudge], now: dt.datetime) -> Iterable[DueReminder]:
    for nudge in nudges:
        if nudge.status == NudgeStatus.SENT:
            waited = nudge.sent_at <= now - dt.timedelta(hours=nudge.team.reminder_hours)
            if nudge.reminded_at is not None or not waited:
                continue
            period = f"{nudge.id}"
        elif nudge.status == NudgeStatus.SNOOZED and nudge.snoozed_until is not None:
            if nudge.snoozed_until > now:
                continue
            period = f"{nudge.id}:{nudge.snoozed_until:%Y%m%d%H%M}"
        else:
            continue
        zone = nudge.team.schedule.zone_for(nudge.member.zone)
        if not nudge.team.schedule.may_disturb(now, zone):
            continue  # wait for the morning, or Monday
        yield DueReminder(
            nudge.id,
            nudge.team.id,
            nudge.member.id,
            period,
            snoozed=nudge.status == NudgeStatus.SNOOZED,
        )
