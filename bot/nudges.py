"""Create a nudge: pick a customer quote the member has not seen and a prompt that fits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.highlights import Candidate, pick_highlights
from bot.models import Digest, Feedback, Member, Nudge, Team
from bot.nudge_state import NudgeStatus
from bot.prompts import Prompt, PromptLibrary
from bot.rotation import choose_prompt

QUOTE_WINDOW = dt.timedelta(days=28)
QUOTE_POOL = 400
HISTORY = 30


async def _strongest_theme(session: AsyncSession, team: Team) -> tuple[str, ...]:
    payload = await session.scalar(
        select(Digest.payload)
        .where(Digest.team_id == team.id)
        .order_by(Digest.week.desc())
        .limit(1)
    )
    themes = (payload or {}).get("themes") or []
    return tuple(themes[0]["keywords"]) if themes else ()


async def _fresh_quote(
    session: AsyncSession, team: Team, member: Member, now: dt.datetime
) -> Feedback | None:
    seen = select(Nudge.feedback_id).where(
        Nudge.member_id == member.id, Nudge.feedback_id.is_not(None)
    )
    rows = (
        await session.scalars(
            select(Feedback)
            .where(
                Feedback.org_id == team.org_id,
                Feedback.received_at >= now - QUOTE_WINDOW,
                Feedback.received_at <= now,
                Feedback.id.not_in(seen),
            )
            .order_by(Feedback.received_at.desc(), Feedback.id.desc())
            .limit(QUOTE_POOL)
        )
    ).all()
    picked = pick_highlights(
        [Candidate(f.id, f.redacted, f.segment, f.step, f.score) for f in rows], k=1
    )
    if not picked:
        return None
    return next(f for f in rows if f.id == picked[0].id)


async def new_nudge(
    session: AsyncSession, library: PromptLibrary, team: Team, member: Member, *, now: dt.datetime
) -> Nudge:
    """Choose and store a nudge for ``member`` now."""
    nudge = await plan_nudge(session, library, team, member, now=now)
    session.add(nudge)
    await session.flush()
    return nudge


async def plan_nudge(
    session: AsyncSession, library: PromptLibrary, team: Team, member: Member, *, now: dt.datetime
) -> Nudge:
    """Choose the prompt and quote of a nudge without storing it (the caller adds it)."""
    recent = list(
        (
            await session.scalars(
                select(Nudge.prompt_id)
                .where(Nudge.member_id == member.id)
                .order_by(Nudge.id.desc())
                .limit(HISTORY)
            )
        ).all()
    )
    quote = await _fresh_quote(session, team, member, now)
    prompt = choose_prompt(
        library,
        team.language,
        "quote" if quote is not None else "waarom",
        recent=recent,
        theme_words=await _strongest_theme(session, team),
        step=quote.step if quote is not None else None,
        seed=f"{member.id}:{len(recent)}",
    )
    nudge = Nudge(
        team_id=team.id,
        member_id=member.id,
        prompt_id=prompt.id,
        feedback_id=quote.id if quote is not None else None,
        status=NudgeStatus.SENT,
        sent_at=now,
    )
    return nudge


async def nudge_content(
    session: AsyncSession, library: PromptLibrary, nudge: Nudge
) -> tuple[Prompt, Feedback | None]:
    prompt = library.get(nudge.prompt_id)
    if prompt is None:  # a prompt removed from the library since: fall back, don't fail
        prompt = choose_prompt(library, "en", "waarom", recent=[], seed=nudge.prompt_id)
    quote = await session.get(Feedback, nudge.feedback_id) if nudge.feedback_id else None
    return prompt, quote
