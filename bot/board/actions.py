"""What a lead does to an idea on the board: move it (status, owner) or merge it.

The rules and history are :mod:`bot.engine.ideas`' own (``move`` and ``merge``), as in chat; the
author is told as in chat too, in the team's language, unless the author made the change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.idea_notices import author_notice
from bot.engine.ideas import merge, move
from bot.i18n import Translator
from bot.messages import Notify
from bot.storage.models import Idea, Member, TeamMember


@dataclass
class Done:
    """What came of an action: the sentence for the lead and the notices to send."""

    key: str
    values: dict[str, object] = field(default_factory=dict)
    notices: list[Notify] = field(default_factory=list)


async def team_member(session: AsyncSession, team_id: int, member_id: int) -> Member | None:
    """A member of the team, who may own its ideas; None for anyone else."""
    return await session.scalar(
        select(Member)
        .join(TeamMember, TeamMember.member_id == Member.id)
        .where(TeamMember.team_id == team_id, Member.id == member_id)
    )


async def change(
    session: AsyncSession,
    t: Translator,
    idea: Idea,
    *,
    status: str,
    owner: Member | None,
    actor_id: int,
    now: dt.datetime,
) -> Done:
    """Move the idea; raises :class:`bot.engine.ideas.IdeaError` as chat's ``idea`` command does."""
    events = await move(session, idea, status, actor_id=actor_id, now=now, owner=owner)
    shown = t(f"status.{idea.status}")
    if not events:
        return Done("idea.unchanged", {"id": idea.id, "status": shown})
    return Done(
        "idea.moved",
        {"id": idea.id, "status": shown},
        await author_notice(session, t, idea, actor_id, "idea.author_moved", status=shown),
    )


async def merge_into(
    session: AsyncSession, t: Translator, idea: Idea, into: Idea, *, actor_id: int, now: dt.datetime
) -> Done:
    """Merge ``idea`` into ``into`` (both of one team); raises :class:`IdeaError`."""
    await merge(session, idea, into, actor_id=actor_id, now=now)
    return Done(
        "merge.done",
        {"id": idea.id, "into": into.id},
        await author_notice(session, t, idea, actor_id, "merge.author", into=into.id),
    )
