"""An answer to a prompt: the prompt claimed and the idea written, then the thanks."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from bot.bootstrap import Services
from bot.chat import views
from bot.chat.buttons import mine
from bot.chat.identity import Context
from bot.chat.replies import private, told
from bot.engine.ideas import insert_idea, recent_open_ideas, similar_ideas
from bot.engine.nudges import claim_for_answer, nudge_content
from bot.i18n import Translator
from bot.intake.normalise import typed_text
from bot.messages import Outcome, UpdateOrigin
from bot.storage.models import Idea, Nudge


async def claim_answer(
    ctx: Context, context: str, values: Mapping[str, str]
) -> int | list[Outcome]:
    """Claim the prompt and write the idea, in three statements; or the refusal, when the
    prompt is not the actor's or was answered already."""
    if not context.isdigit():
        return [told(ctx.t, "nudge.not_yours")]
    claimed = await claim_for_answer(
        ctx.session, int(context), member_id=ctx.member.id, org_id=ctx.team.org_id, now=ctx.now
    )
    if claimed is None:  # say why: not theirs, or answered already
        key = "nudge.already_answered" if await mine(ctx, context) else "nudge.not_yours"
        return [told(ctx.t, key)]
    return await insert_idea(
        ctx.session,
        team_id=claimed.team_id,
        author_id=ctx.member.id,
        why=typed_text(values["why"]),
        how=typed_text(values["how"]),
        now=ctx.now,
        nudge_id=int(context),
        prompt_id=claimed.prompt_id,
        feedback_id=claimed.feedback_id,
    )


async def answered(
    services: Services, session: AsyncSession, t: Translator, idea: Idea, nudge: Nudge
) -> list[Outcome]:
    """The thanks, naming open ideas like it, and the prompt shown as answered."""
    prompt, quote = await nudge_content(session, services.library, nudge)
    others = await recent_open_ideas(session, nudge.team_id, exclude=idea.id)
    similar = similar_ideas(f"{idea.why} {idea.how}", others)
    thanks = t("answer.thanks", id=idea.id)
    if similar:
        thanks += " " + t("answer.similar", ids=", ".join(f"#{s.idea_id}" for s in similar))
    return [
        private(views.thanks_message(t, thanks, [s.idea_id for s in similar])),
        UpdateOrigin(views.prompt_message(t, prompt, nudge, quote, state="answered")),
    ]
