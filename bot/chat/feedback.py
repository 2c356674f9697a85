"""Feedback told in chat: ``feedback the export is slow #students``, or its form."""

from __future__ import annotations

import zoneinfo

from bot.chat import views
from bot.chat.checks import form_problems
from bot.chat.command_text import Typed
from bot.chat.identity import Context
from bot.chat.replies import told
from bot.intake.feedback import store_feedback
from bot.intake.markers import shown
from bot.intake.normalise import FieldMap, Rejected, normalise
from bot.messages import OpenForm, Outcome


async def feedback_command(ctx: Context, typed: Typed) -> list[Outcome]:
    if not typed.args:
        return [OpenForm(views.feedback_form(ctx.t))]
    rest, segment = typed.rest, None
    words = rest.split()
    if words and words[-1].startswith("#") and len(words[-1]) > 1:
        segment = words[-1][1:]
        rest = rest.rsplit(None, 1)[0] if len(words) > 1 else ""
    if not rest.strip():
        return [OpenForm(views.feedback_form(ctx.t))]
    return await store_chat_feedback(ctx, rest, segment)


async def store_chat_feedback(ctx: Context, text: str, segment: str | None) -> list[Outcome]:
    # The limits in the team's language first; intake's own reasons are the importer's.
    problems = form_problems(ctx.t, "feedback", {"text": text, "segment": segment or ""})
    if problems:
        return [told(ctx.t, "feedback.rejected", reason=" ".join(problems.values()).rstrip("."))]
    record = {"text": text, "segment": segment}
    try:
        item = normalise(
            record,
            FieldMap(received_at=None, score=None, step=None, external_id=None, source=None),
            zone=zoneinfo.ZoneInfo(ctx.team.timezone),
            default_source=f"chat:{ctx.origin.platform}",
            now=ctx.now,
        )
    except Rejected as exc:
        return [told(ctx.t, "feedback.rejected", reason=str(exc))]
    stored = await store_feedback(ctx.session, ctx.team.org_id, [item], logged_by=ctx.member.id)
    key = "feedback.stored" if stored else "feedback.duplicate"
    return [told(ctx.t, key, text=shown(item.redacted, ctx.t))]
