"""The clock's timing rules, tried with plain values: no database, no delivery."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bot.clock.plan import (
    DueDigest,
    DueNudge,
    DueReminder,
    OpenNudge,
    Person,
    Plan,
    Rules,
    TeamTimes,
    plan,
)
from bot.clock.schedule import TeamSchedule
from bot.clock.sends import SendKey
from bot.digest import Week
from bot.engine.nudge_state import NudgeStatus


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def team(
    team_id: int = 1,
    *,
    zone: str = "Europe/Amsterdam",
    digest: str = "mon 09:00",
    nudges: str = "tue,thu 10:00",
    quiet: str | None = "18:00-08:00",
    reminder_hours: int = 24,
) -> TeamTimes:
    return TeamTimes(team_id, TeamSchedule.read(zone, digest, nudges, quiet), reminder_hours)


def at(now: str, teams: list[TeamTimes], people: Sequence[Person] = (), **kw: Any) -> Plan:
    """The plan at ``now`` with ``people`` in every team."""
    return plan(utc(now), teams, {t.id: people for t in teams}, **kw)


def test_the_weekly_digest_is_due_at_the_local_minute_of_each_team() -> None:
    teams = [team(1, zone="Asia/Tokyo"), team(2), team(3, zone="America/New_York")]
    # Monday 16 November 2026, 09:00 local: Tokyo, then Amsterdam, then New York.
    assert at("2026-11-15T23:59:00+00:00", teams).digests == []
    assert [d.team_id for d in at("2026-11-16T00:00:00+00:00", teams).digests] == [1]
    assert [d.team_id for d in at("2026-11-16T05:00:00+00:00", teams).digests] == [1]
    # Tokyo's is more than the six-hour window late by Amsterdam's 09:00.
    assert [d.team_id for d in at("2026-11-16T08:00:00+00:00", teams).digests] == [2]
    due = at("2026-11-16T14:00:00+00:00", teams).digests
    assert [d.team_id for d in due] == [2, 3]
    assert [d.team_id for d in at("2026-11-16T14:01:00+00:00", teams).digests] == [3]
    # About the last complete week, in the team's own calendar.
    assert due[0] == DueDigest(2, Week(2026, 46))


def test_the_digest_keeps_its_local_time_across_the_dst_change() -> None:
    teams = [team()]
    # Summer time: 09:00 Amsterdam is 07:00 UTC on Monday 19 October.
    assert at("2026-10-19T06:59:00+00:00", teams).digests == []
    assert at("2026-10-19T07:00:00+00:00", teams).digests == [DueDigest(1, Week(2026, 42))]
    # The clocks went back on Sunday 25 October: 09:00 is now 08:00 UTC.
    assert at("2026-10-26T07:00:00+00:00", teams).digests == []
    assert at("2026-10-26T08:00:00+00:00", teams).digests == [DueDigest(1, Week(2026, 43))]


def test_nudges_go_on_the_schedules_days_at_each_members_local_time() -> None:
    teams = [team()]
    people = [Person(10), Person(11, "Asia/Singapore"), Person(12, "Not/A_Zone")]
    # Tuesday 17 November, 10:00 in Singapore: only the member who lives there.
    assert at("2026-11-17T02:00:00+00:00", teams, people).nudges == [DueNudge(1, 11, "2026-11-17")]
    # 10:00 in Amsterdam: the others (an unknown zone counts as the team's).
    due = at("2026-11-17T09:00:00+00:00", teams, people).nudges
    assert [(n.member_id, n.day) for n in due] == [(10, "2026-11-17"), (12, "2026-11-17")]
    # Wednesday is not a nudge day; Thursday is.
    assert at("2026-11-18T09:00:00+00:00", teams, people).nudges == []
    assert len(at("2026-11-19T09:00:00+00:00", teams, people).nudges) == 2


def test_no_nudge_inside_quiet_hours_on_a_weekend_day_or_to_an_unreachable_member() -> None:
    early = [team(nudges="tue 07:00")]  # inside 18:00-08:00
    assert at("2026-11-17T06:00:00+00:00", early, [Person(10)]).nudges == []
    weekend = [team(nudges="sat 10:00")]
    assert at("2026-11-21T09:00:00+00:00", weekend, [Person(10)]).nudges == []
    unreachable = [Person(10, reachable=False)]
    assert at("2026-11-17T09:00:00+00:00", [team()], unreachable).nudges == []
    # Without quiet hours 07:00 is a time like any other.
    open_early = [team(nudges="tue 07:00", quiet=None)]
    assert len(at("2026-11-17T06:00:00+00:00", open_early, [Person(10)]).nudges) == 1


def test_nothing_already_claimed_is_planned_twice() -> None:
    teams = [team()]
    now = "2026-11-17T09:00:00+00:00"
    first = at(now, teams, [Person(10), Person(11)])
    claimed = {n.key for n in first.nudges[:1]}
    assert claimed == {SendKey(1, "nudge", "2026-11-17", "member:10")}
    again = at(now, teams, [Person(10), Person(11)], known=claimed)
    assert [n.member_id for n in again.nudges] == [11]
    # The same holds later in the grace window, and for the digest.
    monday = "2026-11-16T08:00:00+00:00"
    digest = at(monday, teams).digests[0]
    assert at("2026-11-16T10:00:00+00:00", teams, known={digest.key}).digests == []


def test_a_missed_send_is_made_up_within_the_grace_window_and_told_once_after() -> None:
    teams = [team()]
    rules = Rules(grace=dt.timedelta(hours=6))
    assert len(at("2026-11-16T14:00:00+00:00", teams, rules=rules).digests) == 1
    late = at("2026-11-16T20:00:00+00:00", teams, rules=rules, catching_up=True)
    assert late.digests == []
    assert [m.what for m in late.missed] == ["digest of team 1"]
    assert late.missed[0].due == utc("2026-11-16T08:00:00+00:00")
    # Not told again by every start-up of the week, nor by an ordinary tick.
    assert at("2026-11-18T20:00:00+00:00", teams, rules=rules, catching_up=True).missed == []
    assert at("2026-11-16T20:00:00+00:00", teams, rules=rules).missed == []


def _waiting(status: NudgeStatus, sent_at: str, **kw: Any) -> OpenNudge:
    return OpenNudge(7, team(), Person(10), status, utc(sent_at), **kw)


def test_a_reminder_after_the_teams_hours_and_after_a_snooze_never_at_night() -> None:
    sent = [_waiting(NudgeStatus.SENT, "2026-11-17T09:00:00+00:00")]
    assert at("2026-11-18T08:59:00+00:00", [], open_nudges=sent).reminders == []
    assert at("2026-11-18T09:00:00+00:00", [], open_nudges=sent).reminders == [
        DueReminder(7, 1, 10, "7", snoozed=False)
    ]
    # 06:00 in Amsterdam is inside the quiet hours: the reminder waits for the morning.
    assert at("2026-11-19T05:00:00+00:00", [], open_nudges=sent).reminders == []
    reminded = [
        _waiting(
            NudgeStatus.SENT,
            "2026-11-17T09:00:00+00:00",
            reminded_at=utc("2026-11-18T09:00:00+00:00"),
        )
    ]
    assert at("2026-11-19T09:00:00+00:00", [], open_nudges=reminded).reminders == []
    until = utc("2026-11-18T12:00:00+00:00")
    snoozed = [_waiting(NudgeStatus.SNOOZED, "2026-11-17T09:00:00+00:00", snoozed_until=until)]
    assert at("2026-11-18T11:59:00+00:00", [], open_nudges=snoozed).reminders == []
    due = at("2026-11-18T12:00:00+00:00", [], open_nudges=snoozed).reminders
    assert due == [DueReminder(7, 1, 10, "7:202611181200", snoozed=True)]
    assert (
        at("2026-11-18T12:00:00+00:00", [], open_nudges=snoozed, known={due[0].key}).reminders == []
    )


def test_unanswered_nudges_expire_after_the_configured_time() -> None:
    rules = Rules(expire_after=dt.timedelta(days=7))
    result = at("2026-11-24T09:00:00+00:00", [], rules=rules)
    assert result.expire_sent_before == utc("2026-11-17T09:00:00+00:00")


def test_an_unreadable_part_of_a_schedule_sends_nothing_of_that_part() -> None:
    broken_digest = TeamSchedule.read("Europe/Amsterdam", "someday", "tue 10:00", None)
    assert broken_digest.digest is None and broken_digest.nudges is not None
    assert broken_digest.unreadable == ("digest",)
    broken_quiet = TeamSchedule.read("Europe/Amsterdam", "mon 09:00", "tue 10:00", "late")
    assert broken_quiet.nudges is None and broken_quiet.quiet is None
    teams = [TeamTimes(1, broken_digest), TeamTimes(2, broken_quiet)]
    result = at("2026-11-16T08:00:00+00:00", teams)
    assert [d.team_id for d in result.digests] == [2]
    result = at("2026-11-17T09:00:00+00:00", teams, [Person(10)])
    assert [n.team_id for n in result.nudges] == [1]
