"""Fixtures for the Teams adapter: a loopback Bot Connector and ``waarom serve``'s web app
on a real port. The database and services come from the shared ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession
from teams_connector import FakeConnector
from teams_support import Client, start_server

from bot import bootstrap
from bot.web import create_app


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def client(
    services: bootstrap.Services, connector: FakeConnector, http: ClientSession
) -> AsyncIterator[Client]:
    app = create_app(services)
    app.on_cleanup.clear()  # the services fixture closes the engine
    server = await start_server(app)
    yield Client(server, connector, http)
    await server.close()
