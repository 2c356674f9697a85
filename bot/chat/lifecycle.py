"""The bot added to a conversation, removed from one, or uninstalled; and the member's home
view and feedback form, which open without a command."""

from __future__ import annotations

from bot.bootstrap import Services
from bot.chat import views
from bot.chat.identity import home_team, identify
from bot.chat.origin import Origin
from bot.engine.ideas import ideas_by, list_ideas
from bot.engine.nudges import nudge_content, open_nudges
from bot.messages import Form, Message, Outcome, Say
from bot.storage import directory


async def home(services: Services, origin: Origin) -> Message:
    """The member's open prompts, their own ideas and their team's newest."""
    async with services.sessions() as session, session.begin():
        ctx = await identify(services, session, origin)
        prompts = []
        for nudge in await open_nudges(session, ctx.member.id, limit=3):
            prompt, quote = await nudge_content(session, services.library, nudge)
            prompts.append((nudge, prompt, quote))
        mine = await ideas_by(session, ctx.member.id, limit=10)
        team = await home_team(ctx)
        newest = await list_ideas(session, [team.id], limit=5)
        ideas = [*mine, *newest]
        names = await directory.names(
            session, [i.author_member_id for i in ideas] + [i.owner_member_id for i in ideas]
        )
        return views.home_message(ctx.t, prompts, mine, newest, names)


async def joined(services: Services, origin: Origin) -> list[Outcome]:
    """The bot was added to a conversation: register it and say hello."""
    async with services.sessions() as session, session.begin():
        ctx = await identify(services, session, origin)
        ctx.team.active = True
        ctx.team.disabled_reason = None
        # Whoever added the bot leads the team until leads are set (not whoever spoke first).
        if ctx.team.added_by_member_id is None and origin.user_id:
            ctx.team.added_by_member_id = ctx.member.id
        return [Say(views.text_message(ctx.t("welcome", team=ctx.team.name or "")))]


async def feedback_form(services: Services, origin: Origin, prefill: str) -> Form:
    async with services.sessions() as session, session.begin():
        ctx = await identify(services, session, origin)
        return views.feedback_form(ctx.t, prefill)


async def conversation_removed(services: Services, origin: Origin) -> None:
    async with services.sessions() as session, session.begin():
        await directory.conversation_removed(
            session, origin.platform, origin.workspace_id, origin.conversation_id
        )


async def workspace_removed(services: Services, platform: str, workspace_id: str) -> None:
    """Uninstalled or tokens revoked: stop sending; keep every idea and its history."""
    async with services.sessions() as session, session.begin():
        await directory.uninstalled(session, platform, workspace_id, services.now())
