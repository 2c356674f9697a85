"""Submitted forms: an answer, feedback, settings. Stored first (:func:`save_form`, one
committed transaction), talked about after (:func:`after_form`), so that an adapter can
acknowledge the platform in between."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.bootstrap import Services
from bot.chat import quick_answer
from bot.chat.answers import answered, claim_answer
from bot.chat.checks import form_problems
from bot.chat.feedback import store_chat_feedback
from bot.chat.identity import Context, identify
from bot.chat.origin import Origin
from bot.chat.replies import told
from bot.chat.settings import submit_settings
from bot.messages import FormErrors, Outcome
from bot.storage.models import Idea, Nudge


def check_form(
    services: Services, form_id: str, values: Mapping[str, str], language: str
) -> dict[str, str]:
    """What is wrong with a submitted form, field name → problem in ``language``; empty
    when it may be stored. Needs no database, so an adapter can refuse a form before it
    stores anything (:func:`save_form` checks again).
    """
    return form_problems(services.catalog.translator(language), form_id, values)


@dataclass(frozen=True, slots=True)
class SavedForm:
    """A submitted form once :func:`save_form` has committed it: what can be said about it
    already (problems, refusals, a stored feedback item, new settings) and, for an answer,
    the idea it became, whose thanks :func:`after_form` works out later."""

    outcomes: tuple[Outcome, ...] = ()
    idea_id: int | None = None
    language: str = ""


async def save_form(
    services: Services, origin: Origin, form_id: str, context: str, values: Mapping[str, str]
) -> SavedForm:
    """Store a submitted form in one transaction, committed when this returns, and nothing
    more: an adapter acknowledges the platform after it, so it holds only the write.
    Problems come back as :class:`FormErrors` (then nothing was stored)."""
    if form_id == "answer" and not check_form(
        services, form_id, values, services.settings.waarom_language
    ):
        # In one statement when nothing but the answer needs writing (PostgreSQL).
        quick = await quick_answer.store(services, origin, context, dict(values))
        if quick is not None:
            return SavedForm(idea_id=quick[0], language=quick[1])
    async with services.sessions() as session, session.begin():
        ctx = await identify(services, session, origin)
        return await _saved(ctx, form_id, context, values)


async def _saved(ctx: Context, form_id: str, context: str, values: Mapping[str, str]) -> SavedForm:
    if form_id == "settings":
        return SavedForm(tuple(await submit_settings(ctx, context, values)))
    # The adapter may have checked already (check_form); this is the check that counts.
    errors = form_problems(ctx.t, form_id, values)
    if errors:
        return SavedForm((FormErrors(errors),))
    if form_id == "answer":
        claimed = await claim_answer(ctx, context, values)
        if isinstance(claimed, list):
            return SavedForm(tuple(claimed))
        return SavedForm(idea_id=claimed, language=ctx.t.language)
    if form_id == "feedback":
        segment = (values.get("segment") or "").strip() or None
        return SavedForm(tuple(await store_chat_feedback(ctx, values["text"], segment)))
    return SavedForm((told(ctx.t, "action.unknown"),))


async def after_form(services: Services, saved: SavedForm) -> list[Outcome]:
    """What to say about a saved form: for an answer the thanks, with similar ideas, and
    the prompt shown as answered. Reads only; may run after the acknowledgement."""
    if saved.idea_id is None:
        return list(saved.outcomes)
    async with services.sessions() as session:
        idea = await session.get(Idea, saved.idea_id)
        nudge = await session.get(Nudge, idea.nudge_id) if idea and idea.nudge_id else None
        if idea is None or nudge is None:  # merged or removed since: nothing left to say
            return []
        t = services.catalog.translator(saved.language)
        return await answered(services, session, t, idea, nudge)


async def handle_form(
    services: Services, origin: Origin, form_id: str, context: str, values: Mapping[str, str]
) -> list[Outcome]:
    """Store a submitted form and say what came of it (:func:`save_form`, then
    :func:`after_form`)."""
    return await after_form(services, await save_form(services, origin, form_id, context, values))
