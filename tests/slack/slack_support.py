"""Helpers for the Slack adapter's tests: settings pointed at the loopback Slack Web API,
``waarom serve`` on a real port, and checks of Block Kit payloads with slack_sdk's models.

A module of its own, not conftest: test modules import these by name, and two conftest
modules (tests/slack, tests/teams) cannot both be imported as ``conftest``."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from slack_fake import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackClient
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from adapters.slack.app import SLACK
from bot import bootstrap
from bot.config import Settings
from bot.web import create_app


def slack_settings(database_url: str, fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "waarom_language": "en",
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.api_url,
        "microsoft_app_id": "",
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)


class Running:
    """``waarom serve`` on a real port, with a signed Slack client pointed at it."""

    def __init__(
        self, services: bootstrap.Services, server: TestServer, slack: SlackClient
    ) -> None:
        self.services = services
        self.server = server
        self.slack = slack

    async def settled(self) -> None:
        """Wait for what the server sends Slack after its acknowledgements (replies)."""
        await self.server.app[SLACK].background.drain()


async def start(
    settings: Settings, fake: FakeSlack, http: ClientSession
) -> tuple[Running, TestServer]:
    services = bootstrap.build(settings)
    server = TestServer(create_app(services), host="127.0.0.1")
    await server.start_server()
    client = SlackClient(http, str(server.make_url("/")), fake)
    return Running(services, server, client), server


def assert_valid_blocks(blocks: list[dict[str, Any]], *, limit: int = 50) -> None:
    """Each block parses and validates with slack_sdk's own block models."""
    assert 0 < len(blocks) <= limit
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, raw
        block.validate_json()
        assert block.to_dict() == raw


def assert_valid_view(view: dict[str, Any]) -> None:
    parsed = View(**view)
    parsed.validate_json()
    assert_valid_blocks(view["blocks"], limit=100)
