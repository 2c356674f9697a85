"""Ideas in chat: the list, a lead moving one (``idea 3 planned @anna``), a merge. The
author hears of what a lead did to their idea."""

from __future__ import annotations

from bot.chat import command_text, views
from bot.chat.command_text import Typed
from bot.chat.identity import Context, team_ids
from bot.chat.replies import private, told
from bot.engine.idea_notices import author_notice
from bot.engine.ideas import IdeaError, count_ideas, list_ideas, merge, move, team_idea
from bot.messages import Outcome
from bot.storage import directory
from bot.storage.models import Idea, Member

IDEAS_SHOWN = 15


async def ideas_command(ctx: Context, typed: Typed) -> list[Outcome]:
    args = typed.args
    status = command_text.status_named(args[0], ctx.t) if args else None
    if args and status is None:
        named = command_text.status_names(ctx.t)
        return [told(ctx.t, "ideas.bad_status", status=args[0], statuses=named)]
    shown_from = await team_ids(ctx)
    ideas = await list_ideas(ctx.session, shown_from, status, limit=IDEAS_SHOWN)
    total = await count_ideas(ctx.session, shown_from, status)
    names = await directory.names(
        ctx.session, [i.author_member_id for i in ideas] + [i.owner_member_id for i in ideas]
    )
    return [private(views.ideas_message(ctx.t, ideas, names, status=status, total=total))]


def _number(word: str) -> int | None:
    return int(word.lstrip("#")) if word.lstrip("#").isdigit() else None


async def _owner_named(ctx: Context, words: tuple[str, ...]) -> Member | str | None:
    """The new owner a lead named (a mention, or a name after the status); the name as
    typed when no member has it."""
    if ctx.origin.mentions:
        return await directory.member(ctx.session, ctx.installation.id, ctx.origin.mentions[0])
    if not words:
        return None
    found = await directory.member_named(ctx.session, ctx.installation.id, " ".join(words))
    return found if found is not None else " ".join(words)


async def idea_command(ctx: Context, typed: Typed) -> list[Outcome]:
    args = typed.args
    number = _number(args[0]) if args else None
    if len(args) < 2 or number is None:
        return [told(ctx.t, "idea.usage", statuses=command_text.status_names(ctx.t))]
    owner = await _owner_named(ctx, args[2:])
    if isinstance(owner, str):
        return [told(ctx.t, "idea.unknown_owner", name=owner)]
    try:
        idea = await team_idea(ctx.session, ctx.team, number)
        status_to = command_text.status_named(args[1], ctx.t) or args[1].lower()
        events = await move(
            ctx.session, idea, status_to, actor_id=ctx.member.id, now=ctx.now, owner=owner
        )
    except IdeaError as exc:
        if exc.key == "ideas.bad_status":
            exc.values["statuses"] = command_text.status_names(ctx.t)
        return [told(ctx.t, exc.key, **exc.values)]
    status = ctx.t(f"status.{idea.status}")
    if not events:
        return [told(ctx.t, "idea.unchanged", id=idea.id, status=status)]
    moved: list[Outcome] = [told(ctx.t, "idea.moved", id=idea.id, status=status)]
    return moved + await _author_notice(ctx, idea, "idea.author_moved", status=status)


async def merge_command(ctx: Context, typed: Typed) -> list[Outcome]:
    numbers = [_number(a) for a in typed.args]
    if len(numbers) != 2 or None in numbers:
        return [told(ctx.t, "merge.usage")]
    try:
        idea = await team_idea(ctx.session, ctx.team, numbers[0] or 0)
        into = await team_idea(ctx.session, ctx.team, numbers[1] or 0)
        await merge(ctx.session, idea, into, actor_id=ctx.member.id, now=ctx.now)
    except IdeaError as exc:
        return [told(ctx.t, exc.key, **exc.values)]
    done: list[Outcome] = [told(ctx.t, "merge.done", id=idea.id, into=into.id)]
    return done + await _author_notice(ctx, idea, "merge.author", into=into.id)


async def _author_notice(ctx: Context, idea: Idea, key: str, **values: object) -> list[Outcome]:
    return list(await author_notice(ctx.session, ctx.t, idea, ctx.member.id, key, **values))
