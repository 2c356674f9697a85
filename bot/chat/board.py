"""The ``board`` command: a one-time sign-in link to the board, for the actor alone."""

from __future__ import annotations

from bot.board import access as board_access
from bot.chat.command_text import Typed
from bot.chat.identity import Context
from bot.chat.replies import told
from bot.messages import Outcome


async def board_command(ctx: Context, typed: Typed) -> list[Outcome]:
    public = ctx.services.settings.waarom_public_url
    if not public:
        return [told(ctx.t, "board_chat.unset")]
    await ctx.session.flush()  # a member met for the first time has its id from here on
    token = await board_access.new_link(ctx.session, ctx.member.id, now=ctx.now)
    return [told(ctx.t, "board_chat.link", link=board_access.link_url(public, token))]
