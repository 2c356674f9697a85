"""Nudges: create one (a customer quote the member has not seen and a prompt that fits),
find a member's own, and claim one for an answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.nudge_state import OPEN, NudgeStatus
from bot.engine.prompts import Prompt, PromptLibrary
from bot.engine.rotation import choose_prompt
from bot.storage.models import Digest, Feedback, Member, Nudge, Team
from bot.voice.highlights import Candidate, pick_highlights

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


async def own_nudge(
    session: AsyncSession, nudge_id: int, *, member_id: int, org_id: int
) -> Nudge | None:
    """The nudge, if it is the member's (or a team-wide prompt in their organisation)."""
    nudge = await session.get(Nudge, nudge_id)
    if nudge is None:
        return None
    team = await session.get(Team, nudge.team_id)
    if team is None or team.org_id != org_id:
        return None
    if nudge.member_id is not None and nudge.member_id != member_id:
        return None
    return nudge


async def open_nudges(session: AsyncSession, member_id: int, limit: int) -> Sequence[Nudge]:
    """The member's newest prompts still waiting for an answer."""
    query = (
        select(Nudge)
        .where(Nudge.member_id == member_id, Nudge.status.in_(OPEN))
        .order_by(Nudge.sent_at.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()


# The prompt claimed atomically, and only if it is the actor's (or their team's, in their
# organisation): a double submit, or two web processes, make one idea. Built once, as it
# runs on every answer.
_nudges, _teams = Nudge.metadata.tables["nudges"].c, Team.metadata.tables["teams"].c
_CLAIM = (
    update(Nudge.metadata.tables["nudges"])
    .where(
        _nudges.id == bindparam("nudge"),
        _nudges.status != NudgeStatus.ANSWERED,
        or_(_nudges.member_id == bindparam("member"), _nudges.member_id.is_(None)),
        _nudges.team_id.in_(select(_teams.id).where(_teams.org_id == bindparam("org"))),
    )
    .values(status=NudgeStatus.ANSWERED, answered_at=bindparam("now"))
    .returning(_nudges.team_id, _nudges.prompt_id, _nudges.feedback_id)
)


async def claim_for_answer(
    session: AsyncSession, nudge_id: int, *, member_id: int, org_id: int, now: dt.datetime
) -> Row[Any] | None:
    """Mark the nudge answered; its ``team_id``, ``prompt_id`` and ``feedback_id``, or None
    when it is not the member's or was answered already."""
    values = {"nudge": nudge_id, "member": member_id, "org": org_id, "now": now}
    return (await session.execute(_CLAIM, values)).first()
