"""Fixtures for the Slack adapter: the loopback Slack Web API, and ``waarom serve``'s web app
on a real port with Slack configured to use it. ``database_url`` (SQLite and PostgreSQL,
migrated, clean per test) comes from the shared ``tests/conftest.py``; the helpers tests
import are in ``slack_support``."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession

sys.path.insert(0, str(Path(__file__).parent))

from slack_fake import FakeSlack
from slack_support import Running, slack_settings, start


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def serve(
    database_url: str, fake_slack: FakeSlack, http: ClientSession
) -> AsyncIterator[Running]:
    running, server = await start(slack_settings(database_url, fake_slack), fake_slack, http)
    yield running
    await fake_slack.settle(0.1)
    await server.close()  # also closes the services (the app's cleanup)
