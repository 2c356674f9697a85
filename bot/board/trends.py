"""How a team's themes and participation moved over the last twelve weeks.

Theme counts come from the digests that were sent (each holds its week's themes, labelled in
the team's language), so the chart shows what the team was told, week by week. Participation
is a team figure only: questions sent and answered per week, never who answered.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Digest, Nudge
from bot.week import Week

WEEKS = 12
THEMES_SHOWN = 6


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    counts: tuple[int, ...]  # one per week, oldest first

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class Trends:
    weeks: tuple[str, ...]  # ISO weeks, oldest first
    themes: tuple[Series, ...]
    asked: tuple[int, ...]
    answered: tuple[int, ...]


def last_weeks(now: dt.datetime, zone: zoneinfo.ZoneInfo, count: int = WEEKS) -> list[Week]:
    """The ``count`` complete weeks before ``now``'s week, oldest first."""
    week = Week.to_send(now, zone)
    weeks = [week]
    for _ in range(count - 1):
        week = week.previous()
        weeks.append(week)
    return weeks[::-1]


async def _themes(session: AsyncSession, team_id: int, weeks: list[str]) -> tuple[Series, ...]:
    payloads = await session.execute(
        select(Digest.week, Digest.payload).where(Digest.team_id == team_id, Digest.week.in_(weeks))
    )
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(weeks))
    for week, payload in payloads:
        for theme in payload.get("themes") or []:
            name = str(theme.get("label") or theme.get("name") or "").strip()
            if name:
                counts[name][weeks.index(week)] += int(theme.get("count") or 0)
    series = sorted(
        (Series(name, tuple(values)) for name, values in counts.items()),
        key=lambda s: (-s.total, s.name),
    )
    return tuple(series[:THEMES_SHOWN])


async def team_trends(
    session: AsyncSession, team_id: int, zone: zoneinfo.ZoneInfo, *, now: dt.datetime
) -> Trends:
    weeks = last_weeks(now, zone)
    names = [str(week) for week in weeks]
    start = weeks[0].bounds(zone)[0]
    end = weeks[-1].bounds(zone)[1]
    asked = [0] * len(weeks)
    answered = [0] * len(weeks)
    rows = await session.execute(
        select(Nudge.sent_at, Nudge.status).where(
            Nudge.team_id == team_id, Nudge.sent_at >= start, Nudge.sent_at < end
        )
    )
    for sent_at, status in rows:
        index = names.index(str(Week.of(sent_at, zone)))
        asked[index] += 1
        answered[index] += status == "answered"
    return Trends(
        tuple(names), await _themes(session, team_id, names), tuple(asked), tuple(answered)
    )
