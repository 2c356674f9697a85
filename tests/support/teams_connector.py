"""A loopback Bot Connector: the part of the Bot Framework REST API the bot calls.

It records every call (method, path, conversation, activity JSON) and can be told to answer
the next calls with an error status (429 with ``Retry-After``, 502 …) before succeeding.

Teams' member lists and personal chats are served as strictly as Teams does (see
:mod:`teams_roster`): ``GET /v3/conversations/{id}/pagedmembers`` and ``POST
/v3/conversations``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.support.teams_roster import TeamsRosters


@dataclass
class Call:
    method: str
    conversation_id: str
    activity_id: str | None
    body: dict[str, Any] | None
    authorization: str | None
    # The id the connector gave the posted activity.
    id: str | None = None

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [
            attachment["content"]
            for attachment in (self.body or {}).get("attachments") or []
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    @property
    def card(self) -> dict[str, Any]:
        (card,) = self.cards
        return card


@dataclass
class FakeConnector(TeamsRosters):
    calls: list[Call] = field(default_factory=list)
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    server: TestServer | None = None

    def fail_next(self, status: int, *, times: int = 1, retry_after: str | None = None) -> None:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        self.failures.extend([(status, headers)] * times)

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/")).rstrip("/") + "/"

    def sent(self) -> list[Call]:
        """Posts (new messages and replies), in order."""
        return [call for call in self.calls if call.method == "POST"]

    def updates(self) -> list[Call]:
        return [call for call in self.calls if call.method == "PUT"]

    def deletes(self) -> list[Call]:
        return [call for call in self.calls if call.method == "DELETE"]

    async def _activity(self, request: web.Request) -> web.Response:
        if self.failures:
            status, headers = self.failures.pop(0)
            self.refused.append(status)
            error = {
                "error": {"code": "Throttled" if status == 429 else "Error", "message": "try again"}
            }
            return web.json_response(error, status=status, headers=headers)
        body = await request.json() if request.can_read_body else None
        activity_id = request.match_info.get("activity_id")
        new_id = f"sent-{next(self._ids)}" if request.method == "POST" else activity_id
        self.calls.append(
            Call(
                request.method,
                request.match_info["conversation_id"],
                activity_id,
                body,
                request.headers.get("Authorization"),
                new_id,
            )
        )
        if request.method == "DELETE":
            return web.Response(status=200)
        if request.method == "PUT":
            return web.json_response({"id": activity_id})
        return web.json_response({"id": new_id}, status=201)

    def app(self) -> web.Application:
        app = web.Application()
        base = "/v3/conversations/{conversation_id}/activities"
        app.router.add_post(base, self._activity)
        app.router.add_post(base + "/{activity_id}", self._activity)
        app.router.add_put(base + "/{activity_id}", self._activity)
        app.router.add_delete(base + "/{activity_id}", self._activity)
        self.add_roster_routes(app)
        return app

    async def start(self) -> None:
        self.server = TestServer(self.app(), host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()
