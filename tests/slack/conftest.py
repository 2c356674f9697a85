"""Fixtures for the Slack adapter: the loopback Slack Web API, and ``waarom serve``'s web app
on a real port with Slack configured to use it. ``database_url`` (SQLite and PostgreSQL,
migrated, clean per test) comes from the shared ``tests/conftest.py``."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from adapters.slack.app import SLACK
from bot import bootstrap
from bot.config import Settings
from bot.web import create_app

sys.path.insert(0, str(Path(__file__).parent))

from slack_fake import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackClient


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.close()


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
        """Wait for what the server does after its acknowledgements (storing forms)."""
        await self.server.app[SLACK].background.drain()


async def start(
    settings: Settings, fake: FakeSlack, http: ClientSession
) -> tuple[Running, TestServer]:
    services = bootstrap.build(settings)
    server = TestServer(create_app(services), host="127.0.0.1")
    await server.start_server()
    client = SlackClient(http, str(server.make_url("/")), fake)
    return Running(services, server, client), server


@pytest.fixture
async def http() -> AsyncIterator[ClientSession]:
    async with ClientSession() as session:
        yield session


@pytest.fixture
async def serve(
    database_url: str, fake_slack: FakeSlack, http: ClientSession
) -> AsyncIterator[Running]:
    running, server = await start(slack_settings(database_url, fake_slack), fake_slack, http)
    yield running
    await fake_slack.settle(0.1)
    await server.close()  # also closes the services (the app's cleanup)


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
