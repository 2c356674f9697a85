"""Fixtures for the Slack adapter: a migrated database (SQLite and PostgreSQL), the loopback
Slack Web API, and ``waarom serve``'s web app on a real port with Slack configured to use it."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot import bootstrap, db
from bot.config import Settings
from bot.web import create_app

sys.path.insert(0, str(Path(__file__).parent))

from slack_fake import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackClient

POSTGRES = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
# A database of its own, so these tests never clash with other suites on the shared server.
SLACK_DB = "waarom_slack_test"


def _postgres_url() -> str | None:
    admin = make_url(POSTGRES).set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            if not connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": SLACK_DB}
            ):
                connection.execute(text(f'CREATE DATABASE "{SLACK_DB}"'))
        engine.dispose()
    except Exception:
        return None
    return make_url(POSTGRES).set(database=SLACK_DB).render_as_string(hide_password=False)


def _clean_postgres(url: str) -> None:
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
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
