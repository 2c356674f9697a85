"""The rules for a team's settings, shared by chat (command and form) and ``waarom settings``.

A schedule the clock can never act on is refused rather than saved: nudges only at the
weekend, or at a time inside the team's quiet hours, would be accepted today and never sent.
A schedule that is partly skipped (``fri,sat 10:00``) is saved with a warning naming what
will be skipped. Every problem and warning is a catalog text, in the reader's language.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.clock.schedule import (
    Quiet,
    ScheduleError,
    Weekly,
    describe,
    parse_quiet,
    parse_weekly,
    reach,
)
from bot.i18n import Translator
from bot.storage.models import Team

FIELDS = ("language", "timezone", "digest", "nudges", "quiet", "reminder")
LANGUAGES = ("nl", "en")


@dataclass
class Checked:
    """Column updates, field errors and warnings (field → text) of a settings change."""

    updates: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)


def _one(name: str, value: str) -> str:
    """The column value for one setting, or :class:`ScheduleError`."""
    if name == "language":
        if value not in LANGUAGES:
            raise ScheduleError("bad_language")
        return value
    if name == "timezone":
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ScheduleError("bad_timezone", zone=value) from None
        return value
    if name == "digest":
        return str(parse_weekly(value, single_day=True))
    if name == "nudges":
        return str(parse_weekly(value))
    if name == "quiet":
        quiet = parse_quiet(value)
        return str(quiet) if quiet else ""
    if name == "reminder":
        if not value.isdigit() or not 1 <= int(value) <= 168:
            raise ScheduleError("bad_reminder")
        return value
    raise ScheduleError("unknown_setting", name=name)


_COLUMNS = {
    "language": "language",
    "timezone": "timezone",
    "digest": "digest_schedule",
    "nudges": "nudge_schedule",
    "quiet": "quiet_hours",
    "reminder": "reminder_hours",
}


def explain(t: Translator, problem: ScheduleError) -> str:
    return t(f"schedule.{problem.key}", **problem.values)


def check(values: Mapping[str, str], t: Translator, team: Team | None = None) -> Checked:
    """Check the given settings against each other and, for what is not given, the team's
    current ones (``team`` may be unknown when a form is checked before anything is read)."""
    checked = Checked()
    for name, raw in values.items():
        try:
            checked.updates[_COLUMNS[name]] = _one(name, raw.strip())
        except ScheduleError as problem:
            checked.errors[name] = explain(t, problem)
        except KeyError:
            checked.errors[name] = explain(t, ScheduleError("unknown_setting", name=name))
    if "nudges" in checked.errors or "quiet" in checked.errors:
        return checked
    nudges_text = checked.updates.get("nudge_schedule", team.nudge_schedule if team else None)
    if "quiet_hours" in checked.updates:
        quiet_text: str | None = checked.updates["quiet_hours"]
    else:
        quiet_text = (team.quiet_hours or "") if team else None
    if nudges_text is None or quiet_text is None:
        return checked
    _check_reach(checked, parse_weekly(nudges_text), parse_quiet(quiet_text), t, values)
    return checked


def _check_reach(
    checked: Checked,
    nudges: Weekly,
    quiet: Quiet | None,
    t: Translator,
    values: Mapping[str, str],
) -> None:
    found = reach(nudges, quiet)
    # The problem belongs to the field that was changed (the nudges when both were).
    where = "nudges" if "nudges" in values else "quiet"
    shown = describe(nudges, t.language)
    if found.in_quiet_hours:
        checked.errors[where] = t("schedule.in_quiet_hours", nudges=shown, quiet=str(quiet))
    elif found.never:
        checked.errors[where] = t("schedule.weekend_only", nudges=shown)
    elif found.partly:
        days = describe(Weekly(found.weekend_days, nudges.at), t.language).split()[0]
        checked.warnings[where] = t("schedule.weekend_skipped", days=days)


def apply(team: Team, updates: Mapping[str, str]) -> None:
    for column, value in updates.items():
        if column == "reminder_hours":
            team.reminder_hours = int(value)
        elif column == "quiet_hours":
            team.quiet_hours = value or None
        else:
            setattr(team, column, value)
