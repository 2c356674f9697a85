"""A prompt's buttons: Answer opens the form, Skip and Later move the nudge where
:mod:`bot.engine.nudge_state` allows it ("Later" does not bring back a skipped prompt); and
the vote button on an idea (:mod:`bot.chat.votes`)."""

from __future__ import annotations

import datetime as dt

from bot.bootstrap import Services
from bot.chat import views
from bot.chat.identity import Context, identify
from bot.chat.origin import Origin
from bot.chat.replies import told
from bot.chat.votes import vote_button
from bot.engine.nudge_state import NudgeStatus, can_move
from bot.engine.nudges import nudge_content, own_nudge
from bot.engine.rotation import choose_prompt
from bot.messages import Message, OpenForm, Outcome, UpdateOrigin
from bot.storage.models import Nudge

SNOOZE = dt.timedelta(days=1)
# The buttons that move a nudge, and where to.
_MOVES = {"nudge.skip": NudgeStatus.SKIPPED, "nudge.later": NudgeStatus.SNOOZED}
# What the prompt says in place of its buttons once it has left "sent".
_SHOWN: dict[str, str] = {
    NudgeStatus.SKIPPED: "skipped",
    NudgeStatus.SNOOZED: "snoozed",
    NudgeStatus.EXPIRED: "expired",
}


async def mine(ctx: Context, value: str) -> Nudge | None:
    """The nudge a button or form names, if it is the actor's to act on."""
    if not value.isdigit():
        return None
    return await own_nudge(ctx.session, int(value), member_id=ctx.member.id, org_id=ctx.team.org_id)


async def handle_action(
    services: Services, origin: Origin, action: str, value: str
) -> list[Outcome]:
    async with services.sessions() as session, session.begin():
        ctx = await identify(services, session, origin)
        if action == "idea.vote":
            return await vote_button(ctx, value)
        nudge = await mine(ctx, value)
        if nudge is None:
            return [told(ctx.t, "nudge.not_yours")]
        if nudge.status == NudgeStatus.ANSWERED:
            return [told(ctx.t, "nudge.already_answered")]
        if action == "nudge.answer":
            zo = choose_prompt(
                services.library, ctx.t.language, "zo", recent=[], seed=str(nudge.id)
            )
            return [OpenForm(views.answer_form(ctx.t, nudge, zo))]
        to = _MOVES.get(action)
        if to is None:
            return [told(ctx.t, "action.unknown")]
        return [UpdateOrigin(await _moved(ctx, nudge, to))]


async def _moved(ctx: Context, nudge: Nudge, to: NudgeStatus) -> Message:
    """Move the nudge if it may go there, and show the prompt as it now stands: pressed on a
    prompt that was skipped or expired meanwhile, "Later" leaves it as it was."""
    if can_move(nudge.status, to):
        nudge.status = to
        if to is NudgeStatus.SNOOZED:
            nudge.snoozed_until = ctx.now + SNOOZE
    prompt, quote = await nudge_content(ctx.session, ctx.services.library, nudge)
    state = _SHOWN.get(nudge.status)
    return views.prompt_message(ctx.t, prompt, nudge, quote, state=state)
