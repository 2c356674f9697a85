"""What a signed-in member does on the board: vote, and for leads move and merge ideas.

Every action is a POST carrying the session's CSRF token (checked by ``signed_in``); an id
outside the member's teams is 404, a lead action by anyone else 403.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.board.app import PREFIX, board_of, notice, signed_in, translator
from adapters.board.pages import idea_response
from bot.board import access as board_access
from bot.board import actions as board_actions
from bot.board import ideas as idea_board
from bot.board.access import Viewer
from bot.engine import votes
from bot.engine.ideas import STATUSES, IdeaError
from bot.messages import Notify


def _id(request: web.Request) -> int | None:
    value = request.match_info.get("id", "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def _back(idea_id: int, said: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"{PREFIX}/ideas/{idea_id}?said={said}")


async def _form(request: web.Request) -> dict[str, str]:
    return {key: value for key, value in (await request.post()).items() if isinstance(value, str)}


async def _refused(
    request: web.Request, viewer: Viewer, session: AsyncSession, idea_id: int, exc: IdeaError
) -> web.StreamResponse:
    """The idea's page again, saying why the change was not made (nothing was written)."""
    await session.rollback()
    t = translator(request, viewer)
    if exc.key == "ideas.bad_status":
        exc.values["statuses"] = ", ".join(t(f"status.{s}") for s in STATUSES)
    problem = t(exc.key, **exc.values)
    return await idea_response(request, viewer, session, idea_id, problem=problem, status=409)


@signed_in
async def vote(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.StreamResponse:
    form = await _form(request)
    services = board_of(request).services
    idea_id = _id(request)
    idea = await idea_board.find(session, viewer.team_ids, idea_id) if idea_id else None
    if idea is None:
        return notice(request, "board.not_found", 404, viewer)
    try:
        if form.get("vote") == "back":
            await votes.take_back(session, idea, viewer.member_id)
            said = "unvote_done"
        else:
            await votes.vote(session, idea, viewer.member_id, now=services.now())
            said = "vote_done"
    except IdeaError as exc:
        return await _refused(request, viewer, session, idea.id, exc)
    await session.commit()
    raise _back(idea.id, said)


async def _lead_idea(
    request: web.Request, viewer: Viewer, session: AsyncSession
) -> idea_board.LeadIdea | web.StreamResponse:
    idea_id = _id(request)
    idea = await idea_board.find(session, viewer.team_ids, idea_id) if idea_id else None
    if idea is None:
        return notice(request, "board.not_found", 404, viewer)
    if not await board_access.leads(session, viewer, idea.team_id):
        return notice(request, "board.forbidden", 403, viewer)
    return idea


async def _notify(request: web.Request, notices: list[Notify]) -> None:
    if notices:
        await board_of(request).notify(notices)


@signed_in
async def change(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.StreamResponse:
    form = await _form(request)
    services = board_of(request).services
    found = await _lead_idea(request, viewer, session)
    if isinstance(found, web.StreamResponse):
        return found
    owner = None
    if (form.get("owner") or "").isdigit():
        owner = await board_actions.team_member(session, found.team_id, int(form["owner"]))
        if owner is None:
            return notice(request, "board.not_found", 404, viewer)
    try:
        done = await board_actions.change(
            session,
            translator(request, viewer),
            found,
            status=form.get("status") or found.status,
            owner=owner,
            actor_id=viewer.member_id,
            now=services.now(),
        )
    except IdeaError as exc:
        return await _refused(request, viewer, session, found.id, exc)
    await session.commit()
    await _notify(request, done.notices)
    raise _back(found.id, "moved" if done.key == "idea.moved" else "unchanged")


@signed_in
async def merge(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.StreamResponse:
    form = await _form(request)
    services = board_of(request).services
    found = await _lead_idea(request, viewer, session)
    if isinstance(found, web.StreamResponse):
        return found
    into_id = (form.get("into") or "").strip().lstrip("#")
    into = None
    if into_id.isdigit() and len(into_id) < 19:
        into = await idea_board.find(session, [found.team_id], int(into_id))
    try:
        if into is None:
            raise IdeaError("ideas.unknown", id=into_id or "?")
        done = await board_actions.merge_into(
            session,
            translator(request, viewer),
            found,
            into,
            actor_id=viewer.member_id,
            now=services.now(),
        )
    except IdeaError as exc:
        return await _refused(request, viewer, session, found.id, exc)
    await session.commit()
    await _notify(request, done.notices)
    raise _back(found.id, "merged")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post(f"{PREFIX}/ideas/{{id}}/vote", vote)
    router.add_post(f"{PREFIX}/ideas/{{id}}/status", change)
    router.add_post(f"{PREFIX}/ideas/{{id}}/merge", merge)
