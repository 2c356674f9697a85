"""Fixtures for the Teams adapter: a loopback Bot Connector and ``waarom serve``'s web app
on a real port, in emulator mode; and the same endpoint with authentication, against a
loopback key endpoint. The database and services come from the shared ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

import adapters.teams
from adapters.teams.endpoint import authentication
from bot import bootstrap
from bot.config import Settings
from bot.web import SERVICES, create_app, healthz
from tests.support.teams_connector import FakeConnector
from tests.support.teams_keys import APP_ID, ISSUER, KeyEndpoint
from tests.support.teams_support import Client, Secure, Secured, make_settings, start_server


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The Teams tests post activities without tokens: the Emulator's mode, on loopback."""
    return make_settings(database_url, waarom_teams_emulator=True, waarom_host="127.0.0.1")


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


@pytest.fixture(scope="session")
def key_endpoint() -> Iterator[KeyEndpoint]:
    endpoint = KeyEndpoint()
    yield endpoint
    endpoint.close()


@pytest.fixture
async def secure(
    database_url: str, connector: FakeConnector, http: ClientSession, key_endpoint: KeyEndpoint
) -> AsyncIterator[Secure]:
    """Starts the secured endpoint (with /healthz); ``keys`` options go to SigningKeys."""
    started: list[tuple[TestServer, bootstrap.Services]] = []
    key_endpoint.mode = "ok"
    for event in (key_endpoint.release, key_endpoint.stalled, key_endpoint.stall_over):
        event.clear()

    async def start(**keys: Any) -> Secured:
        settings = make_settings(
            database_url, microsoft_app_id=APP_ID, microsoft_app_password="s3cret-password"
        )
        services = bootstrap.build(settings)
        metadata_url = key_endpoint.metadata_url()
        auth = authentication(
            settings,
            TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=metadata_url,
            TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=metadata_url,
            TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=ISSUER,
            keys=keys,
        )
        app = web.Application()
        app[SERVICES] = services
        app.router.add_get("/healthz", healthz)
        adapters.teams.mount(app, services, auth=auth)
        server = await start_server(app)
        started.append((server, services))
        return Secured(Client(server, connector, http), services, auth, metadata_url, key_endpoint)

    yield start
    key_endpoint.release.set()
    for server, services in started:
        await server.close()
        await services.close()
