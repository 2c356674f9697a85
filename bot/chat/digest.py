"""``digest``: this week's digest for the team, as the clock would send it."""

from __future__ import annotations

import zoneinfo

from bot.chat.command_text import Typed
from bot.chat.identity import Context, home_team
from bot.chat.replies import private
from bot.digest import build_digest, render_digest
from bot.messages import Outcome
from bot.week import Week


async def digest_command(ctx: Context, typed: Typed) -> list[Outcome]:
    team = await home_team(ctx)
    week = Week.to_send(ctx.now, zoneinfo.ZoneInfo(team.timezone))
    data = await build_digest(ctx.session, team, week, ctx.services.library)
    return [private(render_digest(data, ctx.services.catalog.translator(team.language)))]
