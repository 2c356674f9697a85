"""An ISO week, the period a digest covers: Monday to Sunday in a team's time zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        try:
            year, number = text.strip().upper().split("-W")
            week = cls(int(year), int(number))
            dt.date.fromisocalendar(week.year, week.number, 1)
        except ValueError:
            raise ValueError(f"{text!r} is not an ISO week like 2026-W47") from None
        return week

    @classmethod
    def of(cls, moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> Week:
        year, number, _ = moment.astimezone(zone).isocalendar()
        return cls(year, number)

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    def bounds(self, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """Monday 00:00 to the next Monday 00:00 in ``zone``, as UTC instants."""
        start = dt.datetime.combine(self.monday(), dt.time(), zone)
        end = dt.datetime.combine(self.monday() + dt.timedelta(days=7), dt.time(), zone)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    @classmethod
    def to_send(cls, moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> Week:
        """The week a digest sent at ``moment`` is about: the last complete week."""
        return cls.of(moment, zone).previous()

    def previous(self) -> Week:
        year, number, _ = (self.monday() - dt.timedelta(days=7)).isocalendar()
        return Week(year, number)
