"""Helpers for the Teams tests: Teams-shaped activities posted over HTTP, the Adaptive Card
schema check, settings for a configured bot, the endpoint with authentication."""

from __future__ import annotations

import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from bot import bootstrap
from bot.config import Settings, load_settings
from tests.support.teams_connector import FakeConnector
from tests.support.teams_keys import KeyEndpoint

SCHEMA = json.loads(
    (Path(__file__).parent / "schema" / "adaptive-card-1.5.json").read_text("utf-8")
)
CARD_VALIDATOR = jsonschema.Draft6Validator(SCHEMA)


def assert_valid_card(card: dict[str, Any]) -> None:
    """The card validates against the Adaptive Card 1.5 schema (what Teams renders)."""
    errors = sorted(CARD_VALIDATOR.iter_errors(card), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors)
    assert card["version"] == "1.5"


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "waarom_language": "en",
        "microsoft_app_id": "",
        "_env_file": None,
    }
    values.update(overrides)
    return load_settings(**values)


def submit_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node)
            for item in node.values():
                walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if e["type"].startswith("Input.")}


def texts(card: dict[str, Any]) -> str:
    return " ".join(
        run["text"]
        for element in card["body"]
        for run in element.get("inlines", [])
        + [i for item in element.get("items", []) for i in item.get("inlines", [])]
    )


class Client:
    """Posts Teams-shaped activities to the running server, as Teams would."""

    _ids = itertools.count(1)

    def __init__(self, server: TestServer, connector: FakeConnector, http: ClientSession) -> None:
        self.server = server
        self.connector = connector
        self.http = http

    def activity(
        self,
        *,
        type: str = "message",
        text: str | None = None,
        value: dict[str, Any] | None = None,
        conversation: str = "a:personal-chat-1",
        conversation_type: str = "personal",
        tenant: str = "tenant-1",
        user: str = "29:user-1",
        user_name: str = "Anna de Vries",
        reply_to_id: str | None = None,
        activity_id: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        activity: dict[str, Any] = {
            "type": type,
            "id": activity_id or f"1700000000{next(self._ids):03d}",
            "timestamp": "2024-03-04T09:00:00.000Z",
            "serviceUrl": self.connector.url,
            "channelId": "msteams",
            "from": {"id": user, "name": user_name, "aadObjectId": f"aad-{user}"},
            "conversation": {
                "id": conversation,
                "conversationType": conversation_type,
                "tenantId": tenant,
            },
            "recipient": {"id": "28:waarom-bot", "name": "Waarom"},
            "channelData": {"tenant": {"id": tenant}},
            "locale": "en-US",
            "localTimezone": "Europe/Amsterdam",
        }
        if text is not None:
            activity["text"] = text
        if value is not None:
            activity["value"] = value
        if reply_to_id is not None:
            activity["replyToId"] = reply_to_id
        activity.update(extra)
        return activity

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> int:
        async with self.http.post(
            self.server.make_url("/api/messages"), json=activity, headers=headers
        ) as response:
            await response.read()
            return response.status

    async def say(self, text: str, **kwargs: Any) -> int:
        return await self.post(self.activity(text=text, **kwargs))

    async def add_bot(self, *, tenant: str = "tenant-1", **kwargs: Any) -> int:
        """``user`` adds the bot to the conversation (and so leads it until leads are set)."""
        return await self.post(
            self.activity(
                type="conversationUpdate",
                tenant=tenant,
                membersAdded=[{"id": "28:waarom-bot"}],
                channelData={"tenant": {"id": tenant}, "eventType": "teamMemberAdded"},
                **kwargs,
            )
        )


async def start_server(app: web.Application) -> TestServer:
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


@dataclass
class Secured:
    """The endpoint with an app id, its keys published at ``metadata_url``."""

    client: Client
    services: bootstrap.Services
    auth: Any  # adapters.teams.endpoint.Authentication
    metadata_url: str
    keys: KeyEndpoint

    def key_hits(self) -> int:
        """How often this server's key endpoint (metadata and key set) was asked."""
        mine = "/" + self.metadata_url.split("/")[3] + "/"
        return sum(n for path, n in self.keys.hits.items() if path.startswith(mine))

    def wait_for_hits(self, count: int, timeout: float) -> bool:
        """Block until the key endpoint has been asked ``count`` times (a fetch made in the
        background arrives in its own time)."""
        with self.keys.changed:
            return self.keys.changed.wait_for(lambda: self.key_hits() >= count, timeout)


Secure = Callable[..., Awaitable[Secured]]
