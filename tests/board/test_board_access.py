"""Signing in to the board: a link from chat, once, for ten minutes, for that member only;
sessions of twelve hours that end on sign-out; tokens that never reach the access log."""

from __future__ import annotations

import logging

import pytest
from aiohttp import ClientResponse

from bot import bootstrap, chat
from bot.config import Settings
from bot.messages import Say
from tests.board.conftest import PUBLIC_URL
from tests.support.board_support import Board, origin, say


async def test_the_chat_command_answers_privately_with_a_one_time_link(board: Board) -> None:
    reply = await say(board.services, origin("anna"), "board")
    assert f"{PUBLIC_URL.rstrip('/')}/board/login/" in reply
    assert "works once, for 10 minutes" in reply
    outcomes = await chat.handle_text(board.services, origin("anna"), "board")
    assert [type(o) for o in outcomes] == [Say]
    assert all(o.private for o in outcomes if isinstance(o, Say))


def board_cookie(response: ClientResponse) -> str:
    return next(c for c in response.headers.getall("Set-Cookie") if c.startswith("waarom_board="))


async def test_a_link_signs_in_once_and_a_reused_link_is_refused(board: Board) -> None:
    link = await board.link(origin("anna"))
    path = "/board/" + link.split("/board/", 1)[1]
    first = await board.person()
    assert (await first.get(path)).status == 200
    response = await first.post(path)
    assert response.status == 303
    cookie = board_cookie(response)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Max-Age=43200" in cookie
    assert "Secure" not in cookie  # the public URL is http here
    assert (await first.get("/board/ideas")).status == 200

    second = await board.person()
    assert (await second.get(path)).status == 410
    assert (await second.post(path, csrf=False)).status == 410
    assert "expired or was used already" in second.last
    assert (await second.get("/board/ideas")).status == 401


async def test_a_link_expires_after_ten_minutes(board: Board) -> None:
    link = await board.link(origin("anna"))
    path = "/board/" + link.split("/board/", 1)[1]
    board.services.now.advance(minutes=10, seconds=1)  # type: ignore[attr-defined]
    person = await board.person()
    assert (await person.post(path, csrf=False)).status == 410
    assert (await person.get("/board/ideas")).status == 401


async def test_a_made_up_link_signs_nobody_in(board: Board) -> None:
    person = await board.person()
    assert (await person.post("/board/login/not-a-token", csrf=False)).status == 410


async def test_a_session_lasts_twelve_hours(board: Board) -> None:
    person = await board.signed_in(origin("anna"))
    board.services.now.advance(hours=11, minutes=59)  # type: ignore[attr-defined]
    assert (await person.get("/board/ideas")).status == 200
    board.services.now.advance(minutes=2)  # type: ignore[attr-defined]
    assert (await person.get("/board/ideas")).status == 401


async def test_sign_out_ends_the_session_and_needs_the_csrf_token(board: Board) -> None:
    person = await board.signed_in(origin("anna"))
    assert (await person.post("/board/logout", csrf=False)).status == 403
    assert (await person.get("/board/ideas")).status == 200
    response = await person.post("/board/logout")
    assert response.status == 200
    assert "You are signed out" in person.last
    assert (await person.get("/board/ideas")).status == 401


async def test_tokens_never_reach_the_access_log(
    board: Board, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    link = await board.link(origin("anna"))
    token = link.rsplit("/", 1)[1]
    person = await board.person()
    path = "/board/login/" + token
    await person.get(path)
    await person.http.post(board.base + path, headers={"Referer": board.base + path})
    await person.get("/board/ideas")
    lines = [r.getMessage() + str(vars(r)) for r in caplog.records if r.name == "aiohttp.access"]
    assert any("/board/login/…" in line for line in lines)
    assert not any(token in line for line in lines)
    session_cookie = person.http.cookie_jar.filter_cookies(board.server.make_url("/board"))
    assert all(m.value not in "\n".join(lines) for m in session_cookie.values())


async def test_without_a_public_url_the_board_is_not_mounted_and_chat_says_so(
    settings: Settings,
) -> None:
    from tests.support.board_support import start

    services = bootstrap.build(settings)
    started = await start(services)
    try:
        reply = await say(services, origin("anna"), "board")
        assert "not set up on this server" in reply
        person = await started.person()
        assert (await person.get("/board/ideas")).status == 404
    finally:
        await started.close()


def test_the_console_shows_a_sign_in_link_whole_to_be_copied() -> None:
    from adapters.console.render import render
    from bot.messages import Message, Paragraph

    link = "http://127.0.0.1:8080/board/login/" + "Ab-_9" * 9
    text, _ = render(Message((Paragraph(f"Your link to the board (only for you): {link}"),), ""))
    assert link in [line.strip() for line in text.splitlines()]


async def test_the_cookie_is_secure_when_the_public_url_is_https(settings: Settings) -> None:
    from tests.support.board_support import start

    public = "https://waarom.example.org"
    services = bootstrap.build(settings.model_copy(update={"waarom_public_url": public}))
    started = await start(services)
    try:
        link = await started.link(origin("anna"))
        assert link.startswith("https://waarom.example.org/board/login/")
        person = await started.person()
        path = "/board/" + link.split("/board/", 1)[1]
        page = await person.get(path)
        assert "Secure" in page.headers["Set-Cookie"]  # the sign-in page's own token too
        # The test server speaks http, so the client would keep a Secure cookie to itself:
        # it is handed over as a browser behind https would.
        response = await person.http.post(
            person.base + path,
            data={"csrf": person.csrf},
            cookies={"waarom_login": page.cookies["waarom_login"].value},
            allow_redirects=False,
        )
        assert response.status == 303
        assert "Secure" in board_cookie(response)
    finally:
        await started.close()


async def test_a_link_posted_from_elsewhere_signs_nobody_in_and_stays_usable(
    board: Board,
) -> None:
    # A page elsewhere posting someone's link for this browser (without the sign-in page's
    # own token) must not sign its reader in as that someone.
    link = await board.link(origin("anna"))
    path = "/board/" + link.split("/board/", 1)[1]
    person = await board.person()
    refused = await person.post(path, {"csrf": "guessed"}, csrf=False)
    assert refused.status == 403
    assert (
        "Set-Cookie" not in refused.headers or "waarom_board=" not in refused.headers["Set-Cookie"]
    )
    assert (await person.get("/board/ideas")).status == 401
    # The link itself was not spent: opened as meant, it still signs Anna in.
    assert (await person.get(path)).status == 200
    assert (await person.post(path)).status == 303
    assert (await person.get("/board/ideas")).status == 200
