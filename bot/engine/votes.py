"""Votes: anyone in a team may vote once for one of its ideas, and take the vote back.

A vote is a row keyed by (idea, member), so a second vote by the same member cannot exist;
``ideas.votes`` is raised or lowered in the same transaction, by the database, so two votes
at once both count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.ideas import IdeaError
from bot.storage.board_models import Vote
from bot.storage.models import Idea


def _open(idea: Idea) -> None:
    if idea.merged_into_id is not None:
        raise IdeaError("ideas.is_merged", id=idea.id, into=idea.merged_into_id)


async def vote(session: AsyncSession, idea: Idea, member_id: int, *, now: dt.datetime) -> bool:
    """Vote for ``idea``; False when this member had voted for it already."""
    _open(idea)
    try:
        async with session.begin_nested():
            session.add(Vote(idea_id=idea.id, member_id=member_id, created_at=now))
    except IntegrityError:
        return False
    await session.execute(update(Idea).where(Idea.id == idea.id).values(votes=Idea.votes + 1))
    await session.refresh(idea, ["votes"])
    return True


async def take_back(session: AsyncSession, idea: Idea, member_id: int) -> bool:
    """Take back this member's vote for ``idea``; False when there was none."""
    _open(idea)
    gone = await session.execute(
        delete(Vote).where(Vote.idea_id == idea.id, Vote.member_id == member_id)
    )
    if not gone.rowcount:  # type: ignore[attr-defined]
        return False
    await session.execute(update(Idea).where(Idea.id == idea.id).values(votes=Idea.votes - 1))
    await session.refresh(idea, ["votes"])
    return True


async def voted_for(session: AsyncSession, member_id: int, idea_ids: Sequence[int]) -> set[int]:
    """Which of ``idea_ids`` this member has voted for."""
    if not idea_ids:
        return set()
    rows = await session.scalars(
        select(Vote.idea_id).where(Vote.member_id == member_id, Vote.idea_id.in_(idea_ids))
    )
    return set(rows.all())
