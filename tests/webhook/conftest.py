"""Fixtures for the feedback webhook: ``waarom serve``'s app on a real loopback port with a
webhook secret, and a client that signs what it sends. ``database_url`` (SQLite and
PostgreSQL, migrated, clean per test) and ``clock`` come from the shared ``tests/conftest.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import ClientSession
from pydantic import SecretStr

from bot import bootstrap
from bot.config import Settings
from tests.support.webhook_sender import SECRET, Sender, start


@pytest.fixture
async def sender(
    settings: Settings, clock: Callable[[], dt.datetime], http: ClientSession
) -> AsyncIterator[Sender]:
    services = bootstrap.build(
        settings.model_copy(update={"waarom_webhook_secret": SecretStr(SECRET)})
    )
    services.now = clock
    server = await start(services)
    yield Sender(http, str(server.make_url("/feedback")), services, clock)
    await server.close()  # also closes the services (the app's cleanup)
