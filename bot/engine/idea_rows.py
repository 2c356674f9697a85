"""Ideas as rows for the operator (``waarom ideas``, its table and its CSV): each idea with
its team, author and owner by name rather than by id."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.ideas import list_ideas
from bot.storage.models import Member, Team


async def idea_rows(
    session: AsyncSession, team_ids: Sequence[int] | None, status: str | None = None
) -> list[dict[str, object]]:
    """The ideas of ``team_ids`` (every team's when None), newest first, with ``status``
    only when given; merged ideas are left out (they live on in the one they joined)."""
    teams = {t.id: t.name or t.external_id for t in await session.scalars(select(Team))}
    found = await list_ideas(session, list(teams) if team_ids is None else team_ids, status)
    members = {m.id: m.display_name or m.external_id for m in await session.scalars(select(Member))}
    return [
        {
            "id": i.id,
            "team": teams.get(i.team_id, ""),
            "status": i.status,
            "why": i.why,
            "how": i.how,
            "author": members.get(i.author_member_id or 0, ""),
            "owner": members.get(i.owner_member_id or 0, ""),
            "votes": i.votes,
            "created_at": i.created_at.isoformat(),
            "done_at": i.done_at.isoformat() if i.done_at else "",
        }
        for i in found
    ]
