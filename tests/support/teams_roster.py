"""The loopback connector's member lists and personal chats, as strict as Teams.

- ``GET /v3/conversations/{id}/pagedmembers?pageSize=&continuationToken=``: a team's (or
  group chat's) members a page at a time. Teams serves 50 to 500 a page (200 when not asked;
  a smaller or larger ask gets the nearest it serves); the continuation token is opaque and
  only valid for that conversation; an unknown conversation is 404.
- ``POST /v3/conversations``: a personal chat with one member. ``bot``, ``members`` (exactly
  one, for a chat that is not a group) and the tenant (``tenantId`` or
  ``channelData.tenant.id``) are required, else 400, as the service answers; JSON names are
  read without regard to case, as the service does (the SDK writes ``tenantID``). Someone
  not on a list of that tenant, a guest, or someone told to be refused gets 403. The same
  person always gets the same chat.
"""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

DEFAULT_PAGE = 200
MIN_PAGE = 50
MAX_PAGE = 500


@dataclass
class Person:
    id: str
    name: str
    role: str = "user"  # "user" | "guest"

    @property
    def aad_object_id(self) -> str:
        return f"aad-{self.id.removeprefix('29:')}"

    def account(self, tenant: str) -> dict[str, Any]:
        given, _, surname = self.name.partition(" ")
        return {
            "id": self.id,
            "name": self.name,
            "aadObjectId": self.aad_object_id,
            "givenName": given,
            "surname": surname,
            "email": f"{self.id.removeprefix('29:')}@example.com",
            "userPrincipalName": f"{self.id.removeprefix('29:')}@example.com",
            "tenantId": tenant,
            "userRole": self.role,
        }


@dataclass
class Listed:
    tenant: str
    members: list[Person]


@dataclass
class Created:
    """One ``POST /v3/conversations``: what was asked and what it got."""

    body: Any
    status: int
    conversation_id: str | None = None


def people(count: int, *, prefix: str = "member", start: int = 1) -> list[Person]:
    return [Person(f"29:{prefix}-{n}", f"Member {n}") for n in range(start, start + count)]


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


def _field(body: dict[str, Any], name: str) -> Any:
    """A JSON property by name, whatever its case (the service reads them that way)."""
    for key, value in body.items():
        if key.lower() == name.lower():
            return value
    return None


@dataclass
class TeamsRosters:
    lists: dict[str, Listed] = field(default_factory=dict)
    refuse_chats: set[str] = field(default_factory=set)  # user ids refused a chat (403)
    roster_reads: list[tuple[str, int, str | None]] = field(default_factory=list)
    # Every status a list request was refused with (throttling, 404 …), in order.
    roster_refusals: list[int] = field(default_factory=list)
    created: list[Created] = field(default_factory=list)
    roster_failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    # Pages answered before the next page waits for ``resume`` (a reader caught mid-list).
    hold_after: int | None = None
    held: asyncio.Event = field(default_factory=asyncio.Event)
    resume: asyncio.Event = field(default_factory=asyncio.Event)

    def add_list(self, conversation_id: str, tenant: str, members: list[Person]) -> None:
        """A team (by its id) or group chat and its members."""
        self.lists[conversation_id] = Listed(tenant, list(members))

    def fail_roster_next(
        self, status: int, *, times: int = 1, retry_after: str | None = None
    ) -> None:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        self.roster_failures.extend([(status, headers)] * times)

    @staticmethod
    def personal(user_id: str) -> str:
        """The id of the personal chat with ``user_id``."""
        return f"a:personal-{user_id.removeprefix('29:')}"

    def chats_opened(self) -> list[str]:
        return [c.conversation_id for c in self.created if c.conversation_id]

    def _failure(self) -> web.Response | None:
        if not self.roster_failures:
            return None
        status, headers = self.roster_failures.pop(0)
        return web.json_response(
            {"error": {"code": "Throttled" if status == 429 else "Error", "message": "later"}},
            status=status,
            headers=headers,
        )

    async def _paged_members(self, request: web.Request) -> web.Response:
        answer = await self._page(request)
        if answer.status != 200:
            self.roster_refusals.append(answer.status)
        return answer

    async def _page(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation_id"]
        listed = self.lists.get(conversation_id)
        if listed is None:
            return _error(404, "ConversationNotFound", "Conversation not found.")
        try:
            size = int(request.query.get("pageSize", DEFAULT_PAGE))
        except ValueError:
            return _error(400, "BadArgument", "pageSize must be a number")
        size = min(max(size, MIN_PAGE), MAX_PAGE)
        token = request.query.get("continuationToken")
        start = 0
        if token is not None:
            try:
                where, offset = base64.urlsafe_b64decode(token).decode().rsplit("|", 1)
                start = int(offset)
            except ValueError:
                return _error(400, "BadArgument", "Invalid continuation token")
            if where != conversation_id:
                return _error(400, "BadArgument", "Invalid continuation token")
        if self.hold_after is not None and len(self.roster_reads) >= self.hold_after:
            self.held.set()
            await self.resume.wait()
        failure = self._failure()
        if failure is not None:
            return failure
        self.roster_reads.append((conversation_id, size, token))
        page = listed.members[start : start + size]
        answer: dict[str, Any] = {"members": [p.account(listed.tenant) for p in page]}
        if start + size < len(listed.members):
            next_token = f"{conversation_id}|{start + size}".encode()
            answer["continuationToken"] = base64.urlsafe_b64encode(next_token).decode()
        return web.json_response(answer)

    def _member(self, tenant: str, user_id: str) -> Person | None:
        for listed in self.lists.values():
            if listed.tenant == tenant:
                for person in listed.members:
                    if person.id == user_id:
                        return person
        return None

    async def _create_conversation(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            body = None
        answer = self._failure() or self._check(body)
        self.created.append(Created(body, answer.status))
        if answer.status == 201:
            self.created[-1].conversation_id = json.loads(answer.text or "{}")["id"]
        return answer

    def _check(self, body: Any) -> web.Response:
        if not isinstance(body, dict):
            return _error(400, "BadSyntax", "Request body is not a conversation")
        bot = _field(body, "bot")
        if not isinstance(bot, dict) or not _field(bot, "id"):
            return _error(400, "BadArgument", "Bot is required")
        members = _field(body, "members")
        if not isinstance(members, list) or not members:
            return _error(400, "BadArgument", "Members are required")
        if not _field(body, "isGroup") and len(members) != 1:
            return _error(400, "BadArgument", "A one-to-one conversation has one member")
        channel_data = _field(body, "channelData")
        tenant = _field(body, "tenantId") or (
            _field(_field(channel_data, "tenant") or {}, "id")
            if isinstance(channel_data, dict)
            else None
        )
        if not isinstance(tenant, str) or not tenant:
            return _error(400, "BadArgument", "Tenant id is required")
        user_id = _field(members[0], "id") if isinstance(members[0], dict) else None
        if not isinstance(user_id, str) or not user_id:
            return _error(400, "BadArgument", "A member needs an id")
        person = self._member(tenant, user_id)
        if person is None or person.role == "guest" or user_id in self.refuse_chats:
            return _error(403, "Forbidden", "The bot cannot start a chat with this user")
        return web.json_response({"id": self.personal(user_id)}, status=201)

    def add_roster_routes(self, app: web.Application) -> None:
        pages = "/v3/conversations/{conversation_id}/pagedmembers"
        app.router.add_get(pages, self._paged_members)
        app.router.add_post("/v3/conversations", self._create_conversation)
