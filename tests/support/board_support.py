"""The board over real HTTP: ``waarom serve``'s app on a loopback port with
``WAAROM_PUBLIC_URL`` set, people met in chat (the console platform, or a Slack workspace of
another organisation), sign-in links taken from their chat replies, and one browser-like
client per person (its own cookies)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientResponse, ClientSession, CookieJar
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot import bootstrap, chat
from bot.chat.origin import Origin
from bot.engine.ideas import insert_idea
from bot.messages import Notify, Say, plain_text
from bot.storage.models import Idea, Member, Team
from bot.web import create_app

LINK = re.compile(r"https?://\S+/board/login/[A-Za-z0-9_\-]+")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def origin(user: str, team: str = "demo", *, workspace: str = "console") -> Origin:
    """Someone typing in a console team (the operator's organisation), or, with another
    ``workspace``, in a Slack workspace of an organisation of its own."""
    platform = "console" if workspace == "console" else "slack"
    return Origin(
        platform=platform,
        workspace_id=workspace,
        workspace_name=workspace,
        conversation_id=team,
        conversation_name=team,
        user_id=user,
        user_name=user,
        user_is_admin=user == "demo",
        home=workspace == "console",
    )


async def say(services: bootstrap.Services, who: Origin, text: str) -> str:
    outcomes = await chat.handle_text(services, who, text)
    return "\n".join(plain_text(o.message) for o in outcomes if isinstance(o, Say))


@dataclass
class Person:
    http: ClientSession
    base: str
    csrf: str = ""
    last: str = ""

    async def get(self, path: str, **kwargs: Any) -> ClientResponse:
        response = await self.http.get(self.base + path, allow_redirects=False, **kwargs)
        self.last = await self._text(response)
        found = CSRF.search(self.last)
        if found:
            self.csrf = html.unescape(found.group(1))
        return response

    async def post(
        self, path: str, data: dict[str, str] | None = None, *, csrf: bool = True
    ) -> ClientResponse:
        form = dict(data or {})
        if csrf:
            form["csrf"] = self.csrf
        response = await self.http.post(self.base + path, data=form, allow_redirects=False)
        self.last = await self._text(response)
        return response

    @staticmethod
    async def _text(response: ClientResponse) -> str:
        # Pages as a reader sees their text (&#39; is '); other bodies as they are.
        text = await response.text()
        return html.unescape(text) if response.content_type == "text/html" else text


@dataclass
class Board:
    services: bootstrap.Services
    server: TestServer
    base: str
    people: list[Person] = field(default_factory=list)
    notices: list[Notify] = field(default_factory=list)

    async def link(self, who: Origin) -> str:
        reply = await say(self.services, who, "board")
        found = LINK.search(reply)
        assert found, reply
        return found.group(0)

    async def person(self) -> Person:
        http = ClientSession(cookie_jar=CookieJar(unsafe=True))
        person = Person(http, self.base)
        self.people.append(person)
        return person

    async def signed_in(self, who: Origin) -> Person:
        person = await self.person()
        link = await self.link(who)
        path = link.split("/board/", 1)[1]
        assert (await person.get("/board/" + path)).status == 200
        response = await person.post("/board/" + path)  # with the sign-in page's token
        assert response.status == 303, person.last
        assert (await person.get("/board/ideas")).status == 200
        return person

    async def close(self) -> None:
        for person in self.people:
            await person.http.close()
        await self.server.close()


async def start(services: bootstrap.Services) -> Board:
    app = create_app(services)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return Board(services, server, str(server.make_url("")).rstrip("/"))


async def team_of(services: bootstrap.Services, name: str, workspace: str = "console") -> Team:
    async with services.sessions() as session:
        team = await session.scalar(select(Team).where(Team.external_id == name))
        assert team is not None
        return team


async def member_of(services: bootstrap.Services, name: str) -> Member:
    async with services.sessions() as session:
        found = await session.scalar(select(Member).where(Member.external_id == name))
        assert found is not None
        return found


async def ideas(
    services: bootstrap.Services, team: Team, author: Member | None, texts: Sequence[str]
) -> list[int]:
    """Ideas as answers make them (their "created" history row too)."""
    made = []
    async with services.sessions() as session, session.begin():
        for text in texts:
            made.append(
                await insert_idea(
                    session,
                    team_id=team.id,
                    author_id=author.id if author else None,
                    why=f"why: {text}",
                    how=text,
                    now=services.now(),
                )
            )
    return made


async def idea(services: bootstrap.Services, idea_id: int) -> Idea:
    async with services.sessions() as session:
        return await session.get_one(Idea, idea_id)
