"""Fixtures for the Teams adapter: a migrated database (SQLite and PostgreSQL), the services,
a loopback Bot Connector, and ``waarom serve``'s web app running on a real port."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from teams_connector import FakeConnector

from bot import bootstrap, db
from bot.config import Settings
from bot.web import create_app

POSTGRES = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
# A database of its own, so these tests never clash with other suites on the shared server.
TEAMS_DB = "waarom_teams_test"

SCHEMA = json.loads(
    (Path(__file__).parent / "schema" / "adaptive-card-1.5.json").read_text("utf-8")
)
CARD_VALIDATOR = jsonschema.Draft6Validator(SCHEMA)


def assert_valid_card(card: dict[str, Any]) -> None:
    """The card validates against the Adaptive Card 1.5 schema (what Teams renders)."""
    errors = sorted(CARD_VALIDATOR.iter_errors(card), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors)
    assert card["version"] == "1.5"


def _postgres_url() -> str | None:
    admin = make_url(POSTGRES).set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": TEAMS_DB}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{TEAMS_DB}"'))
        engine.dispose()
    except Exception:
        return None
    return make_url(POSTGRES).set(database=TEAMS_DB).render_as_string(hide_password=False)


def _clean_postgres(url: str) -> None:
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'waarom.db'}"
    else:
        found = _postgres_url()
        if found is None:
            pytest.skip(f"no PostgreSQL at {POSTGRES}")
        url = found
        _clean_postgres(url)
    db.upgrade(url)
    return url


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "waarom_language": "en",
        "microsoft_app_id": "",
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[bootstrap.Services]:
    built = bootstrap.build(make_settings(database_url))
    yield built
    await built.close()


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    await fake.start()
    yield fake
    await fake.close()


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


async def start_server(app: web.Application) -> TestServer:
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


@pytest.fixture
async def http() -> AsyncIterator[ClientSession]:
    async with ClientSession() as session:
        yield session


@pytest.fixture
async def client(
    services: bootstrap.Services, connector: FakeConnector, http: ClientSession
) -> AsyncIterator[Client]:
    app = create_app(services)
    app.on_cleanup.clear()  # the services fixture closes the engine
    server = await start_server(app)
    yield Client(server, connector, http)
    await server.close()
