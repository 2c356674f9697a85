"""Each Teams activity is handled once, and an activity whose turn failed is handled when
Teams delivers it again, over real HTTP against ``waarom serve``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import func, select, text

from bot import bootstrap
from bot.storage.models import Feedback
from tests.support.teams_connector import FakeConnector
from tests.support.teams_support import Client


@asynccontextmanager
async def table_away(services: bootstrap.Services, table: str) -> AsyncIterator[None]:
    """The table is out of reach (renamed) for the duration: every write to it fails, while
    the replay records stay writable."""
    async with services.engine.begin() as connection:
        await connection.execute(text(f"ALTER TABLE {table} RENAME TO {table}_away"))
    try:
        yield
    finally:
        async with services.engine.begin() as connection:
            await connection.execute(text(f"ALTER TABLE {table}_away RENAME TO {table}"))


async def stored(services: bootstrap.Services) -> int:
    async with services.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Feedback)) or 0


async def test_an_activity_whose_turn_failed_is_handled_when_teams_delivers_it_again(
    client: Client, connector: FakeConnector, services: bootstrap.Services
) -> None:
    activity = client.activity(text="feedback Checkout was slow today", activity_id="17000001")
    async with table_away(services, "feedback"):
        assert await client.post(activity) != 201
    assert await stored(services) == 0

    # Teams delivers the activity again (same id): this time it is handled, and once only.
    assert await client.post(activity) == 201
    assert await stored(services) == 1
    assert await client.post(activity) == 201
    assert await stored(services) == 1
    assert len([reply for reply in connector.sent() if reply.card]) == 1
