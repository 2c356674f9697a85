"""Typed commands: the text parsed by :mod:`bot.chat.command_text`, its word looked up here and
the topic's handler called, lead-only commands refused to others."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.bootstrap import Services
from bot.chat import command_text, views
from bot.chat.board import board_command
from bot.chat.command_text import Typed
from bot.chat.digest import digest_command
from bot.chat.feedback import feedback_command
from bot.chat.ideas import idea_command, ideas_command, merge_command
from bot.chat.identity import Context, home_team, identify
from bot.chat.origin import Origin
from bot.chat.replies import private, refused
from bot.chat.settings import settings_command
from bot.engine.nudges import new_nudge, nudge_content
from bot.messages import Outcome, Say

Handler = Callable[[Context, Typed], Awaitable[list[Outcome]]]

ALIASES = {
    "hulp": "help",
    "?": "help",
    "vraag": "ask",
    "ideeën": "ideas",
    "ideeen": "ideas",
    "idee": "idea",
    "samenvoegen": "merge",
    "instellingen": "settings",
    "overzicht": "digest",
    "bord": "board",
}


async def handle_text(services: Services, origin: Origin, text: str) -> list[Outcome]:
    """A command as typed: ``ideas new``, ``feedback …``, ``help`` (empty: help)."""
    typed = command_text.parse(text)
    async with services.sessions() as session, session.begin():
        ctx = await identify(services, session, origin)
        command = ALIASES.get(typed.word, typed.word)
        handler = COMMANDS.get(command)
        if handler is None:
            unknown = typed.word or None  # nothing typed: plain help
            return [private(views.help_message(ctx.t, unknown=unknown, lead=await ctx.is_lead()))]
        # Everyone may read the settings (the refusal of a lead command points there).
        reading = command == "settings" and typed.first.lower() == "show"
        if command in views.LEAD_COMMANDS and not reading and not await ctx.is_lead():
            return refused(ctx.t)
        return await handler(ctx, typed)


async def _help(ctx: Context, typed: Typed) -> list[Outcome]:
    return [private(views.help_message(ctx.t, lead=await ctx.is_lead()))]


async def _ask(ctx: Context, typed: Typed) -> list[Outcome]:
    team = await home_team(ctx)
    nudge = await new_nudge(ctx.session, ctx.services.library, team, ctx.member, now=ctx.now)
    prompt, quote = await nudge_content(ctx.session, ctx.services.library, nudge)
    return [Say(views.prompt_message(ctx.t, prompt, nudge, quote), private=not ctx.team.direct)]


COMMANDS: dict[str, Handler] = {
    "help": _help,
    "ask": _ask,
    "feedback": feedback_command,
    "ideas": ideas_command,
    "idea": idea_command,
    "merge": merge_command,
    "digest": digest_command,
    "settings": settings_command,
    "board": board_command,
}
