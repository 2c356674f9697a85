"""A team's settings in chat: shown, changed one at a time (``settings quiet 18:00-08:00``),
set with the form, and its leads named. The rules are :mod:`bot.chat.team_settings`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.chat import team_settings, views
from bot.chat.checks import settings_values
from bot.chat.command_text import Typed
from bot.chat.identity import Context
from bot.chat.replies import private, refused, told
from bot.clock.schedule import describe
from bot.i18n import Translator
from bot.messages import Facts, FormErrors, Heading, Message, OpenForm, Outcome, Paragraph
from bot.storage import directory
from bot.storage.models import Team


def _summary(t: Translator, team: Team, leads: Sequence[str]) -> Message:
    facts = (
        (t("settings.language"), team.language),
        (t("settings.timezone"), team.timezone),
        (t("settings.digest"), describe(team.digest_schedule, t.language)),
        (t("settings.nudges"), describe(team.nudge_schedule, t.language)),
        (t("settings.quiet"), team.quiet_hours or "—"),
        (t("settings.reminder"), t("settings.reminder_value", hours=team.reminder_hours)),
        (t("settings.leads"), ", ".join(leads) or t("settings.no_leads")),
    )
    return Message(
        (Heading(t("settings.title")), Facts(facts), Paragraph(t("settings.how"), muted=True)),
        t("settings.title"),
    )


async def settings_command(ctx: Context, typed: Typed) -> list[Outcome]:
    team, args = ctx.team, typed.args
    if not args:
        return [OpenForm(views.settings_form(ctx.t, team))]
    name = args[0].lower()
    if name == "show":
        return [private(_summary(ctx.t, team, await directory.lead_names(ctx.session, team.id)))]
    if name == "leads":
        return await _set_leads(ctx, team)
    if name not in team_settings.FIELDS or len(args) < 2:
        return [told(ctx.t, "settings.usage")]
    checked = team_settings.check({name: " ".join(args[1:])}, ctx.t, team)
    if checked.errors:
        return [private(views.text_message(" ".join(checked.errors.values())))]
    return await _saved(ctx, team, checked)


async def _set_leads(ctx: Context, team: Team) -> list[Outcome]:
    if not ctx.origin.mentions:
        return [told(ctx.t, "settings.leads_usage")]
    members = [
        await directory.member(ctx.session, ctx.installation.id, uid) for uid in ctx.origin.mentions
    ]
    await ctx.session.flush()
    await directory.set_leads(ctx.session, team.id, {m.id for m in members})
    names = [m.display_name or m.external_id for m in members]
    return [told(ctx.t, "settings.leads_set", names=", ".join(names))]


async def submit_settings(ctx: Context, context: str, values: Mapping[str, str]) -> list[Outcome]:
    """The settings form, for the team it names (``context``)."""
    if not await ctx.is_lead():
        return refused(ctx.t)
    team = ctx.team
    if context.isdigit() and int(context) != team.id:
        found = await ctx.session.get(Team, int(context))
        # The form names the team it changes: leading the chat it was submitted from (say,
        # one's own direct chat with the bot) does not make one a lead of that team.
        if (
            found is None
            or found.installation_id != ctx.installation.id
            or not await directory.is_lead(ctx.session, found, ctx.member)
        ):
            return refused(ctx.t)
        team = found
    checked = team_settings.check(settings_values(values), ctx.t, team)
    if checked.errors:
        return [FormErrors(checked.errors)]
    return await _saved(ctx, team, checked)


async def _saved(ctx: Context, team: Team, checked: team_settings.Checked) -> list[Outcome]:
    team_settings.apply(team, checked.updates)
    t = ctx.services.catalog.translator(team.language)
    leads = await directory.lead_names(ctx.session, team.id)
    said: list[Outcome] = [private(_summary(t, team, leads))]
    # Warnings in the language the change was asked in, like its errors.
    said += [private(views.text_message(w)) for w in checked.warnings.values()]
    return said
