"""The board under ``/board`` in ``waarom serve``: mounted when ``WAAROM_PUBLIC_URL`` is set.

Requests are read here and answered with pages (:mod:`.pages`) or actions (:mod:`.actions`);
what may be seen and done is the core's (:mod:`bot.board.access`, :mod:`bot.board.ideas`,
:mod:`bot.engine.votes`, :mod:`bot.board.actions`).
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.board import render
from adapters.board.notices import Notifier, notifier
from bot.board import access as board_access
from bot.board.access import Viewer
from bot.bootstrap import Services
from bot.i18n import Translator

log = logging.getLogger(__name__)

COOKIE = "waarom_board"
# The sign-in page's own token (double submit): a page elsewhere cannot post a link of its
# own for this browser, which would sign its reader in as somebody else.
LOGIN_COOKIE = "waarom_login"
PREFIX = "/board"
STATIC = Path(__file__).with_name("static")
# No script, style, frame or form target from elsewhere; no referrer (a sign-in page's
# address holds its token).
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@dataclass
class Board:
    services: Services
    env: Environment
    notify: Notifier
    secure: bool
    # Who may own ideas, by team ids, for the list's owner filter: (when read, names). Read
    # again after OWNERS_SECONDS, so a new member shows up within a minute.
    owners: dict[tuple[int, ...], tuple[float, dict[int, str]]] = field(default_factory=dict)


OWNERS_SECONDS = 60.0


BOARD: web.AppKey[Board] = web.AppKey("board", Board)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class HideTokens(logging.Filter):
    """The access log names each request's path and referrer: a sign-in link's token is
    replaced before the line is written."""

    TOKEN = re.compile(r"(/board/login/)[A-Za-z0-9_\-]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if board_access.LOGIN_PATH in message:
            record.msg, record.args = self._hidden(message), None
        # The same values ride along as the record's extras (request line, headers).
        for name, value in list(vars(record).items()):
            if isinstance(value, str) and board_access.LOGIN_PATH in value:
                setattr(record, name, self._hidden(value))
            elif isinstance(value, dict):
                setattr(record, name, {k: self._hidden(str(v)) for k, v in value.items()})
        return True

    def _hidden(self, text: str) -> str:
        return self.TOKEN.sub(r"\1…", text)


def board_of(request: web.Request) -> Board:
    return request.app[BOARD]


def translator(request: web.Request, viewer: Viewer | None = None) -> Translator:
    board = board_of(request)
    language = (viewer.language if viewer else "") or board.services.settings.waarom_language
    return board.services.catalog.translator(language)


def html(
    request: web.Request,
    name: str,
    *,
    status: int = 200,
    viewer: Viewer | None = None,
    **values: Any,
) -> web.Response:
    t = translator(request, viewer)
    text = render.page(board_of(request).env, name, t=t, viewer=viewer, **values)
    return web.Response(text=text, status=status, content_type="text/html", headers=HEADERS)


def notice(
    request: web.Request, key: str, status: int, viewer: Viewer | None = None
) -> web.Response:
    return html(request, "notice.html", status=status, viewer=viewer, key=key)


SignedIn = Callable[[web.Request, Viewer, AsyncSession], Awaitable[web.StreamResponse]]


def signed_in(handler: SignedIn) -> Handler:
    """A page for a signed-in member, given one database session for the whole request (a
    POST handler commits it); a form's CSRF token is checked before anything else."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        services = board_of(request).services
        token = request.cookies.get(COOKIE)
        async with services.sessions() as session:
            viewer = (
                await board_access.viewer(session, token, now=services.now()) if token else None
            )
            if viewer is None:
                return notice(request, "board.not_signed_in", 401)
            if request.method == "POST":
                form = await request.post()
                given = form.get("csrf")
                if not viewer.csrf_ok(given if isinstance(given, str) else None):
                    return notice(request, "board.csrf", 403, viewer)
            return await handler(request, viewer, session)

    return wrapped


async def login_page(request: web.Request) -> web.Response:
    services = board_of(request).services
    async with services.sessions() as session:
        is_open = await board_access.link_is_open(
            session, request.match_info["token"], now=services.now()
        )
    if not is_open:
        return notice(request, "board.link_gone", 410)
    nonce = secrets.token_urlsafe(24)
    response = html(request, "login.html", csrf=nonce)
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        max_age=int(board_access.LINK_LIFETIME.total_seconds()),
        path=f"{PREFIX}/login",
        httponly=True,
        samesite="Strict",
        secure=board_of(request).secure,
    )
    return response


def _from_the_login_page(request: web.Request, form: Any) -> bool:
    given, kept = str(form.get("csrf") or ""), request.cookies.get(LOGIN_COOKIE, "")
    return bool(kept) and hmac.compare_digest(given.encode(), kept.encode())


async def login(request: web.Request) -> web.Response:
    board = board_of(request)
    services = board.services
    token = request.match_info["token"]
    async with services.sessions() as session:
        is_open = await board_access.link_is_open(session, token, now=services.now())
    if not is_open:
        return notice(request, "board.link_gone", 410)
    if not _from_the_login_page(request, await request.post()):
        return notice(request, "board.login_again", 403)  # the link stays usable
    async with services.sessions() as session, session.begin():
        started = await board_access.use_link(
            session, request.match_info["token"], now=services.now()
        )
    if started is None:
        return notice(request, "board.link_gone", 410)
    response = web.Response(status=303, headers={**HEADERS, "Location": f"{PREFIX}/ideas"})
    response.del_cookie(LOGIN_COOKIE, path=f"{PREFIX}/login")
    response.set_cookie(
        COOKIE,
        started.token,
        max_age=int(board_access.SESSION_LIFETIME.total_seconds()),
        path=PREFIX,
        httponly=True,
        samesite="Lax",
        secure=board.secure,
    )
    return response


@signed_in
async def logout(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.StreamResponse:
    await board_access.end_session(session, request.cookies[COOKIE])
    await session.commit()
    response = notice(request, "board.signed_out", 200)
    response.del_cookie(COOKIE, path=PREFIX)
    return response


async def home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther(f"{PREFIX}/ideas")


def mount(app: web.Application, services: Services) -> None:
    """Add the board's routes; called by its platform object only when ``WAAROM_PUBLIC_URL``
    says where people reach them (the registry logs when it does not)."""
    from adapters.board import actions, pages

    public = services.settings.waarom_public_url or ""
    app[BOARD] = Board(
        services, render.environment(), notifier(services), public.startswith("https:")
    )
    access = logging.getLogger("aiohttp.access")
    if not any(isinstance(f, HideTokens) for f in access.filters):
        access.addFilter(HideTokens())
    router = app.router
    router.add_get(PREFIX, home)
    router.add_get(f"{PREFIX}/login/{{token}}", login_page)
    router.add_post(f"{PREFIX}/login/{{token}}", login)
    router.add_post(f"{PREFIX}/logout", logout)
    router.add_static(f"{PREFIX}/static", STATIC)
    pages.add_routes(router)
    actions.add_routes(router)
    log.info("Board: %s/board mounted", public.rstrip("/"))
