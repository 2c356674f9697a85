"""Team schedules as people write them: ``"mon 09:00"``, ``"tue,thu 10:00"``, ``"18:00-08:00"``.

Days are accepted in English and Dutch (``ma``, ``di``, ``wo``, ``do``, ``vr``, ``za``, ``zo``)
and stored in English; :func:`describe` shows them in the reader's language. A problem is a
:class:`ScheduleError` naming a catalog text (``schedule.<key>``), so each surface says it in
its reader's language.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from babel.dates import get_day_names

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ALIASES = {
    **{day: index for index, day in enumerate(DAYS)},
    **{day: index for index, day in enumerate(("ma", "di", "wo", "do", "vr", "za", "zo"))},
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "maandag": 0,
    "dinsdag": 1,
    "woensdag": 2,
    "donderdag": 3,
    "vrijdag": 4,
    "zaterdag": 5,
    "zondag": 6,
}
_TIME_RE = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class ScheduleError(ValueError):
    """``key`` names the text under ``schedule.`` in the catalogs; ``values`` fill it."""

    def __init__(self, key: str, **values: str) -> None:
        super().__init__(f"{key} {values}")
        self.key = key
        self.values = values


@dataclass(frozen=True, slots=True)
class Weekly:
    days: tuple[int, ...]  # 0 = Monday
    at: dt.time

    def __str__(self) -> str:
        return f"{','.join(DAYS[d] for d in self.days)} {self.at:%H:%M}"


@dataclass(frozen=True, slots=True)
class Quiet:
    start: dt.time
    end: dt.time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def contains(self, moment: dt.time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end  # over midnight


def parse_time(text: str) -> dt.time:
    match = _TIME_RE.match(text.strip())
    if not match:
        raise ScheduleError("bad_time", text=text.strip())
    return dt.time(int(match.group(1)), int(match.group(2)))


def parse_weekly(text: str, *, single_day: bool = False) -> Weekly:
    parts = text.strip().lower().split()
    if len(parts) != 2:
        raise ScheduleError("days_and_time", text=text.strip())
    names = [name for name in re.split(r"[,+/]", parts[0]) if name]
    days: list[int] = []
    for name in names:
        if "-" in name:
            first, _, last = name.partition("-")
            if first not in _ALIASES or last not in _ALIASES:
                raise ScheduleError("unknown_day", day=name)
            days.extend(range(_ALIASES[first], _ALIASES[last] + 1))
        elif name in _ALIASES:
            days.append(_ALIASES[name])
        else:
            raise ScheduleError("unknown_day", day=name)
    if not days:
        raise ScheduleError("days_and_time", text=text.strip())
    if single_day and len(set(days)) != 1:
        raise ScheduleError("one_day")
    return Weekly(tuple(sorted(set(days))), parse_time(parts[1]))


def parse_quiet(text: str) -> Quiet | None:
    cleaned = text.strip().lower()
    if cleaned in {"", "none", "off", "geen", "uit"}:
        return None
    start, sep, end = cleaned.partition("-")
    if not sep:
        raise ScheduleError("quiet_form", text=text.strip())
    return Quiet(parse_time(start), parse_time(end))


def last_occurrence(weekly: Weekly, zone: dt.tzinfo, now: dt.datetime) -> dt.datetime:
    """The latest moment at or before ``now`` that ``weekly`` names, in ``zone`` (so 09:00
    stays 09:00 local across daylight-saving changes). Returned in UTC."""
    local_today = now.astimezone(zone).date()
    for back in range(8):
        day = local_today - dt.timedelta(days=back)
        if day.weekday() not in weekly.days:
            continue
        moment = dt.datetime.combine(day, weekly.at, zone).astimezone(dt.UTC)
        if moment <= now:
            return moment
    raise AssertionError("a weekly schedule occurs every week")  # pragma: no cover


def next_occurrence(weekly: Weekly, zone: dt.tzinfo, now: dt.datetime) -> dt.datetime:
    """The first moment after ``now`` that ``weekly`` names (in UTC)."""
    local_today = now.astimezone(zone).date()
    for ahead in range(8):
        day = local_today + dt.timedelta(days=ahead)
        if day.weekday() not in weekly.days:
            continue
        moment = dt.datetime.combine(day, weekly.at, zone).astimezone(dt.UTC)
        if moment > now:
            return moment
    raise AssertionError("a weekly schedule occurs every week")  # pragma: no cover


def is_weekend(moment: dt.datetime, zone: dt.tzinfo) -> bool:
    return moment.astimezone(zone).weekday() >= 5


def allowed(moment: dt.datetime, zone: dt.tzinfo, quiet: Quiet | None) -> bool:
    """Whether a person may be disturbed at ``moment``: not at the weekend, not in quiet hours."""
    if is_weekend(moment, zone):
        return False
    return quiet is None or not quiet.contains(moment.astimezone(zone).time())


# --- which nudges a schedule can really send -----------------------------------------------

WEEKEND = frozenset({5, 6})


@dataclass(frozen=True, slots=True)
class Reach:
    """What the clock will skip of a nudge schedule: days at the weekend, and its time when
    that falls in quiet hours (people are never nudged then)."""

    weekend_days: tuple[int, ...]
    in_quiet_hours: bool
    all_days: int

    @property
    def never(self) -> bool:
        return self.in_quiet_hours or len(self.weekend_days) == self.all_days

    @property
    def partly(self) -> bool:
        return not self.never and bool(self.weekend_days)


def reach(weekly: Weekly, quiet: Quiet | None) -> Reach:
    return Reach(
        tuple(day for day in weekly.days if day in WEEKEND),
        quiet is not None and quiet.contains(weekly.at),
        len(weekly.days),
    )


def next_allowed(
    weekly: Weekly, zone: dt.tzinfo, now: dt.datetime, quiet: Quiet | None
) -> dt.datetime | None:
    """The first moment after ``now`` that ``weekly`` names and people may be disturbed at
    (the next nudge the clock really sends); ``None`` if there is none."""
    moment = now
    for _ in range(len(weekly.days) * 2 + 1):
        moment = next_occurrence(weekly, zone, moment)
        if allowed(moment, zone, quiet):
            return moment
    return None


# --- a team's schedule, read once --------------------------------------------------------


def zone_named(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The time zone called ``name``; ``None`` for no name or one the system does not know."""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class TeamSchedule:
    """A team's schedule settings parsed once: what the clock and the scheduler both go by.

    A part that cannot be read is ``None`` and sends nothing; nudges also need readable quiet
    hours (sending them at night because the quiet hours were garbled would be worse).
    """

    zone: zoneinfo.ZoneInfo
    digest: Weekly | None
    nudges: Weekly | None
    quiet: Quiet | None
    unreadable: tuple[str, ...] = ()  # "digest", "nudges": for a warning

    @classmethod
    def read(cls, timezone: str, digest: str, nudges: str, quiet_hours: str | None) -> TeamSchedule:
        """Raises :class:`ScheduleError` only for a time zone the system does not know."""
        zone = zone_named(timezone)
        if zone is None:
            raise ScheduleError("bad_timezone", zone=timezone)
        unreadable: list[str] = []
        try:
            weekly: Weekly | None = parse_weekly(digest, single_day=True)
        except ScheduleError:
            weekly, unreadable = None, ["digest"]
        try:
            quiet = parse_quiet(quiet_hours or "")
        except ScheduleError:
            quiet, nudging = None, None
        else:
            try:
                nudging = parse_weekly(nudges)
            except ScheduleError:
                nudging = None
        if nudging is None:
            unreadable.append("nudges")
        return cls(zone, weekly, nudging, quiet, tuple(unreadable))

    def zone_for(self, member_zone: str | None) -> zoneinfo.ZoneInfo:
        """A member's own time zone where the platform told us a valid one, else the team's."""
        return zone_named(member_zone) or self.zone

    def may_disturb(self, moment: dt.datetime, zone: dt.tzinfo) -> bool:
        return allowed(moment, zone, self.quiet)


def describe(weekly: Weekly | str, language: str) -> str:
    """A schedule in the reader's language: ``"di,do 10:00"`` for Dutch readers."""
    if isinstance(weekly, str):
        try:
            weekly = parse_weekly(weekly)
        except ScheduleError:
            return str(weekly)
    names = get_day_names("abbreviated", locale=language)
    return f"{','.join(names[d].lower() for d in weekly.days)} {weekly.at:%H:%M}"
