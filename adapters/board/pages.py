"""The board's pages: ideas (filtered, paged, exported), one idea, digests and trends."""

from __future__ import annotations

import io
import time
import zoneinfo
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.board.app import OWNERS_SECONDS, PREFIX, board_of, html, notice, signed_in, translator
from bot.board import access as board_access
from bot.board import archive as digest_archive
from bot.board import ideas as idea_board
from bot.board import trends
from bot.board.access import BoardTeam, Viewer
from bot.digest.wording import attribution
from bot.engine import votes
from bot.engine.ideas import STATUSES
from bot.intake.markers import shown


def _team_or_first(request: web.Request, viewer: Viewer) -> BoardTeam | None:
    """The team asked for in ``?team=``; an unknown or foreign id finds nothing."""
    wanted = request.query.get("team")
    if wanted is None:
        return viewer.teams[0] if viewer.teams else None
    return next((team for team in viewer.teams if str(team.id) == wanted), None)


async def _owners(
    request: web.Request, session: AsyncSession, team_ids: list[int]
) -> dict[int, str]:
    """The owner filter's names, read once a minute per set of teams (every list view
    shows them; they change when someone joins)."""
    board, key, now = board_of(request), tuple(team_ids), time.monotonic()
    known = board.owners.get(key)
    if known is not None and now - known[0] < OWNERS_SECONDS:
        return known[1]
    found = await idea_board.owners(session, team_ids)
    if len(board.owners) > 10_000:  # many sets of teams: start again rather than grow
        board.owners.clear()
    board.owners[key] = (now, found)
    return found


@signed_in
async def ideas(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.StreamResponse:
    filters = idea_board.Filters.read(dict(request.query), viewer.team_ids)
    found = await idea_board.page(session, viewer.team_ids, filters, viewer.member_id)
    owners = await _owners(request, session, viewer.team_ids)
    teams = {team.id: team.name for team in viewer.teams}

    def link(**changes: object) -> str:
        return "?" + urlencode(filters.query(**changes))

    return html(
        request,
        "ideas.html",
        viewer=viewer,
        filters=filters,
        found=found,
        owners=owners,
        teams=teams,
        status_names={s: translator(request, viewer)(f"status.{s}") for s in STATUSES},
        link=link,
        export=f"{PREFIX}/ideas.csv?" + urlencode(filters.query(page=1)),
    )


@signed_in
async def ideas_csv(
    request: web.Request, viewer: Viewer, session: AsyncSession
) -> web.StreamResponse:
    filters = idea_board.Filters.read(dict(request.query), viewer.team_ids)
    rows = await idea_board.all_rows(session, viewer.team_ids, filters)
    teams = {team.id: team.name for team in viewer.teams}
    out = io.StringIO()
    idea_board.export(rows, teams, out)
    return web.Response(
        body=out.getvalue().encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="waarom-ideas.csv"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _number(request: web.Request, name: str) -> int | None:
    value = request.match_info.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


async def idea_response(
    request: web.Request,
    viewer: Viewer,
    session: AsyncSession,
    idea_id: int | None,
    *,
    said: str = "",
    problem: str = "",
    status: int = 200,
) -> web.StreamResponse:
    """The idea's page (also after an action, with what came of it)."""
    idea = await idea_board.find(session, viewer.team_ids, idea_id) if idea_id else None
    if idea is None:
        return notice(request, "board.not_found", 404, viewer)
    detail = await idea_board.detail(session, idea)
    mine = await votes.voted_for(session, viewer.member_id, [idea.id])
    owners = await idea_board.owners(session, [idea.team_id])
    lead = await board_access.leads(session, viewer, idea.team_id)
    t = translator(request, viewer)
    quote = detail.quote
    return html(
        request,
        "idea.html",
        status=status,
        viewer=viewer,
        d=detail,
        team=viewer.team(idea.team_id),
        lead=lead,
        voted=idea.id in mine,
        owners=owners,
        statuses=STATUSES,
        said=said,
        problem=problem,
        quote_text=shown(quote.redacted, t) if quote else "",
        quote_by=attribution(t, quote.segment, quote.step, quote.score) if quote else "",
    )


@signed_in
async def idea(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.StreamResponse:
    said = request.query.get("said", "")
    return await idea_response(request, viewer, session, _number(request, "id"), said=said)


@signed_in
async def digests(
    request: web.Request, viewer: Viewer, session: AsyncSession
) -> web.StreamResponse:
    team = _team_or_first(request, viewer)
    if team is None:
        return notice(request, "board.not_found" if viewer.teams else "board.no_teams", 404, viewer)
    sent = await digest_archive.sent(session, team.id)
    return html(request, "digests.html", viewer=viewer, team=team, sent=sent)


@signed_in
async def digest(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.StreamResponse:
    number = _number(request, "id")
    services = board_of(request).services
    found = await digest_archive.find(session, viewer.team_ids, number) if number else None
    if found is None:
        return notice(request, "board.not_found", 404, viewer)
    team = viewer.team(found.team_id)
    t = services.catalog.translator(team.language if team else viewer.language)
    message = digest_archive.as_message(found, t)
    return html(request, "digest.html", viewer=viewer, team=team, message=message, week=found.week)


@signed_in
async def trends_page(
    request: web.Request, viewer: Viewer, session: AsyncSession
) -> web.StreamResponse:
    team = _team_or_first(request, viewer)
    if team is None:
        return notice(request, "board.not_found" if viewer.teams else "board.no_teams", 404, viewer)
    services = board_of(request).services
    found = await trends.team_trends(
        session, team.id, zoneinfo.ZoneInfo(team.timezone), now=services.now()
    )
    return html(request, "trends.html", viewer=viewer, team=team, trends=found)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get(f"{PREFIX}/ideas", ideas)
    router.add_get(f"{PREFIX}/ideas.csv", ideas_csv)
    router.add_get(f"{PREFIX}/ideas/{{id}}", idea)
    router.add_get(f"{PREFIX}/digests", digests)
    router.add_get(f"{PREFIX}/digests/{{id}}", digest)
    router.add_get(f"{PREFIX}/trends", trends_page)
