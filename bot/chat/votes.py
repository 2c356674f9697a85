"""The vote button on an idea message: a vote for the idea, or, pressed again, taken back.

The same rule as the board's (:mod:`bot.engine.votes`): one vote per member per idea, for
an idea of one of the member's own teams, never for a merged one.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.chat.identity import Context, team_ids
from bot.chat.replies import told
from bot.engine import votes
from bot.engine.ideas import IdeaError
from bot.messages import Outcome
from bot.storage.models import Idea


async def vote_button(ctx: Context, value: str) -> list[Outcome]:
    idea = None
    if value.isdigit() and len(value) < 19:
        idea = await ctx.session.scalar(
            select(Idea).where(Idea.id == int(value), Idea.team_id.in_(await team_ids(ctx)))
        )
    if idea is None:
        return [told(ctx.t, "ideas.unknown", id=value)]
    try:
        if await votes.vote(ctx.session, idea, ctx.member.id, now=ctx.now):
            return [told(ctx.t, "idea.voted", id=idea.id, count=idea.votes)]
        await votes.take_back(ctx.session, idea, ctx.member.id)
    except IdeaError as exc:
        return [told(ctx.t, exc.key, **exc.values)]
    return [told(ctx.t, "idea.vote_taken_back", id=idea.id)]
