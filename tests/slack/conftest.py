"""Fixtures for the Slack adapter: the loopback Slack Web API, and ``waarom serve``'s web app
on a real port with Slack configured to use it. ``database_url`` (SQLite and PostgreSQL,
migrated, clean per test) comes from the shared ``tests/conftest.py``; the helpers tests
import are in ``tests.support.slack_support``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession

from tests.support.slack_fake import FakeSlack
from tests.support.slack_support import Running, slack_settings, start


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
