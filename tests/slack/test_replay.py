"""Each Slack request is handled once, and a request whose handling failed is handled when
Slack (or the person) tries again, over real HTTP against ``waarom serve``."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import func, select, text

from bot.storage.models import Feedback, Team
from tests.support.slack_fake import BOT_USER, CHANNEL, TEAM, FakeSlack
from tests.support.slack_support import Running


@asynccontextmanager
async def table_away(serve: Running, table: str) -> AsyncIterator[None]:
    """The table is out of reach (renamed) for the duration: every write to it fails, as
    on a database that refuses writes, while the replay records stay writable."""
    async with serve.services.engine.begin() as connection:
        await connection.execute(text(f"ALTER TABLE {table} RENAME TO {table}_away"))
    try:
        yield
    finally:
        async with serve.services.engine.begin() as connection:
            await connection.execute(text(f"ALTER TABLE {table}_away RENAME TO {table}"))


def joined() -> dict[str, object]:
    return {
        "type": "member_joined_channel",
        "user": BOT_USER,
        "channel": CHANNEL,
        "channel_type": "C",
        "team": TEAM,
        "event_ts": f"{time.time():.6f}",
    }


async def teams(serve: Running) -> int:
    async with serve.services.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Team)) or 0


async def test_a_retried_event_is_handled_once(serve: Running, fake_slack: FakeSlack) -> None:
    for _ in range(2):
        status, _ = await serve.slack.event(joined(), event_id="EvTWICE")
        assert status == 200
    await serve.settled()
    await fake_slack.settle()
    assert len(fake_slack.of("chat.postMessage")) == 1


async def test_an_event_whose_handling_failed_is_handled_when_slack_retries(
    serve: Running, fake_slack: FakeSlack
) -> None:
    async with table_away(serve, "teams"):
        status, _ = await serve.slack.event(joined(), event_id="EvRETRIED")
        assert status == 200
        await serve.settled()
    assert await teams(serve) == 0
    assert fake_slack.of("chat.postMessage") == []

    # Slack delivers the event again (same event_id): this time it is handled.
    status, _ = await serve.slack.event(joined(), event_id="EvRETRIED")
    assert status == 200
    await serve.settled()
    [welcome] = await fake_slack.wait_for("chat.postMessage")
    assert welcome["channel"] == CHANNEL
    assert await teams(serve) == 1


async def test_a_command_whose_write_failed_is_stored_when_sent_again(
    serve: Running, fake_slack: FakeSlack
) -> None:
    body = serve.slack.command_body("feedback Checkout was slow today")
    async with table_away(serve, "feedback"):
        status, _ = await serve.slack.send(body, "application/x-www-form-urlencoded")
        assert status == 200
        await serve.settled()
    [sorry] = await fake_slack.wait_for("response_url")
    assert "nothing was changed" in sorry["text"]

    status, _ = await serve.slack.send(body, "application/x-www-form-urlencoded")
    assert status == 200
    await fake_slack.wait_for("response_url", count=2)
    await fake_slack.settle()
    async with serve.services.sessions() as session:
        stored = await session.scalar(select(func.count()).select_from(Feedback))
    assert stored == 1
    # Once stored, the same request again is a replay: nothing more is stored or said.
    status, _ = await serve.slack.send(body, "application/x-www-form-urlencoded")
    assert status == 200
    await fake_slack.settle()
    assert len(fake_slack.of("response_url")) == 2
