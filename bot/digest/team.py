"""What a digest says about the team itself, read for many teams at once."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest.data import CustomerVoice
from bot.engine.prompts import PromptLibrary
from bot.storage.models import Digest, Idea, Nudge, Team
from bot.week import Week


@dataclass
class TeamPart:
    """What a digest says about the team itself: the prompts it got lately (newest first),
    the ideas it logged or finished in the week and the week's nudges."""

    recent: list[str] = field(default_factory=list)
    ideas: list[Any] = field(default_factory=list)
    nudged: int = 0
    answered: int = 0


@dataclass(frozen=True, slots=True)
class TeamWeek:
    """What the team's sections of a digest are computed from."""

    team: Team
    week: Week
    library: PromptLibrary
    voice: CustomerVoice
    part: TeamPart


# Many teams per query: a fan-out asks for the team parts of a chunk of teams at once.
_PER_QUERY = 500


async def team_parts(session: AsyncSession, teams: list[tuple[Team, Week]]) -> dict[int, TeamPart]:
    """The team part of the digest of each (team, week), by team id: one query per week
    and two per week and time zone among ``teams`` (three in all, nearly always), not three
    per team."""
    parts = {team.id: TeamPart() for team, _ in teams}
    groups: dict[tuple[Week, str], list[int]] = defaultdict(list)
    for team, week in teams:
        groups[(week, team.timezone)].append(team.id)
    by_week: dict[Week, list[int]] = defaultdict(list)
    for (week, _zone), ids in groups.items():
        by_week[week].extend(ids)
    for week, ids in by_week.items():
        for chunk in range(0, len(ids), _PER_QUERY):
            await _recent_prompts(session, week, ids[chunk : chunk + _PER_QUERY], parts)
    for (week, zone_name), ids in groups.items():
        start, end = week.bounds(zoneinfo.ZoneInfo(zone_name))
        for chunk in range(0, len(ids), _PER_QUERY):
            await _ideas_and_nudges(session, start, end, ids[chunk : chunk + _PER_QUERY], parts)
    return parts


async def _recent_prompts(
    session: AsyncSession, week: Week, team_ids: list[int], parts: dict[int, TeamPart]
) -> None:
    # The prompts of each team's 20 latest other digests; only the prompt id is read, not
    # the whole stored digest.
    latest = (
        select(
            Digest.team_id,
            Digest.week,
            Digest.payload[("waarom", "id")].as_string().label("prompt"),
            func.row_number()
            .over(partition_by=Digest.team_id, order_by=Digest.week.desc())
            .label("n"),
        )
        .where(Digest.team_id.in_(team_ids), Digest.week != str(week))
        .subquery()
    )
    rows = await session.execute(
        select(latest.c.team_id, latest.c.prompt)
        .where(latest.c.n <= 20)
        .order_by(latest.c.team_id, latest.c.week.desc())
    )
    for team_id, prompt in rows:
        if prompt:
            parts[team_id].recent.append(prompt)


async def _ideas_and_nudges(
    session: AsyncSession,
    start: dt.datetime,
    end: dt.datetime,
    team_ids: list[int],
    parts: dict[int, TeamPart],
) -> None:
    ideas = await session.execute(
        select(
            Idea.team_id,
            Idea.id,
            Idea.why,
            Idea.how,
            Idea.status,
            Idea.created_at,
            Idea.done_at,
            Idea.merged_into_id,
        )
        .where(
            Idea.team_id.in_(team_ids),
            or_(
                and_(Idea.created_at >= start, Idea.created_at < end),
                and_(Idea.status == "done", Idea.done_at >= start, Idea.done_at < end),
            ),
        )
        .order_by(Idea.id)
    )
    for idea in ideas:
        parts[idea.team_id].ideas.append(idea)
    counts = await session.execute(
        select(Nudge.team_id, func.count(), func.count().filter(Nudge.status == "answered"))
        .where(Nudge.team_id.in_(team_ids), Nudge.sent_at >= start, Nudge.sent_at < end)
        .group_by(Nudge.team_id)
    )
    for team_id, nudged, answered in counts:
        parts[team_id].nudged, parts[team_id].answered = int(nudged), int(answered)
