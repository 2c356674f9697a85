"""A database failure while a batch is being stored: the answer is 503 with Retry-After and
nothing of the batch is kept; the sender's retry then stores it exactly once.

The failure is a real one, raised by the database itself: a trigger that refuses a row when
rows of another organisation are already in the table. On an empty table that can only happen
after the batch's first organisation was written in the same transaction, so the test fails
if the batch were not stored as one transaction (or if the failure came before anything was
written)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot import bootstrap
from bot.config import Settings
from tests.support.webhook_sender import Sender, start

POSTGRES_TRIGGER = [
    """
    CREATE FUNCTION waarom_test_refuse_second_org() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM feedback WHERE org_id <> NEW.org_id) THEN
            RAISE EXCEPTION 'injected failure: second organisation of the batch';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER waarom_test_refuse_second_org BEFORE INSERT ON feedback
    FOR EACH ROW EXECUTE FUNCTION waarom_test_refuse_second_org()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS waarom_test_refuse_second_org ON feedback",
    "DROP FUNCTION IF EXISTS waarom_test_refuse_second_org()",
]
SQLITE_TRIGGER = [
    """
    CREATE TRIGGER waarom_test_refuse_second_org BEFORE INSERT ON feedback
    WHEN EXISTS (SELECT 1 FROM feedback WHERE org_id <> NEW.org_id)
    BEGIN SELECT RAISE(ABORT, 'injected failure: second organisation of the batch'); END
    """
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS waarom_test_refuse_second_org"]


async def _execute(sender: Sender, statements: list[str]) -> None:
    async with sender.services.engine.begin() as connection:
        for statement in statements:
            await connection.execute(text(statement))


@pytest.fixture
async def failing_second_org(sender: Sender) -> AsyncIterator[Sender]:
    postgres = sender.services.engine.dialect.name == "postgresql"
    await sender.add_org("acme")
    await sender.add_org("globex")
    await _execute(sender, POSTGRES_TRIGGER if postgres else SQLITE_TRIGGER)
    try:
        yield sender
    finally:
        # The PostgreSQL test database lives for the whole run; leave no trigger behind.
        await _execute(sender, POSTGRES_DROP if postgres else SQLITE_DROP)


async def test_a_failure_midway_keeps_nothing_and_asks_for_a_retry(
    failing_second_org: Sender, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    sender = failing_second_org
    batch = [
        {"text": "Voor acme, een.", "org": "acme"},
        {"text": "Voor globex.", "org": "globex"},
        {"text": "Voor acme, twee.", "org": "acme", "external_id": "a2"},
        {"score": 3},  # rejected: no text
    ]
    body = json.dumps(batch).encode()
    headers = sender.signed_headers(body)

    answer = await sender.post_raw(body, headers)
    assert answer.status == 503
    assert answer.headers["Retry-After"] == "5"
    assert "retry" in answer.body["error"]
    assert await sender.count() == 0
    # The driver's message quotes the statement's parameters; the log must not.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "feedback webhook: database error (" in logged
    assert "Voor acme" not in logged

    # One organisation at a time still works: the trigger only refuses mixing, which proves
    # the first part really was written before the failure and then rolled back.
    answer = await sender.post({"text": "Alleen acme.", "org": "acme"})
    assert answer.body["stored"] == 1
    await _execute(sender, ["DELETE FROM feedback"])

    # The sender retries the very same request once the database is healthy again.
    postgres = sender.services.engine.dialect.name == "postgresql"
    await _execute(sender, POSTGRES_DROP if postgres else SQLITE_DROP)
    answer = await sender.post_raw(body, headers)
    assert answer.status == 200
    assert answer.body == {
        "stored": 3,
        "duplicates": 0,
        "rejected": [{"index": 3, "reason": "no text in 'text'"}],
    }
    assert await sender.count("acme") == 2
    assert await sender.count("globex") == 1
    # And a second retry (the answer was lost on the way) doubles nothing.
    answer = await sender.post_raw(body, headers)
    assert (answer.body["stored"], answer.body["duplicates"]) == (0, 3)
    assert await sender.count() == 3


async def test_an_unreachable_database_is_503(
    settings: Settings, sender: Sender, database_url: str
) -> None:
    # The same app, pointed at a database nobody serves: a refused port, or a SQLite file
    # in a folder that does not exist.
    if database_url.startswith("postgresql"):
        gone = "postgresql://postgres@127.0.0.1:9/waarom"
    else:
        gone = "sqlite:////nonexistent-folder/waarom.db"
    services = bootstrap.build(
        settings.model_copy(
            update={
                "database_url": gone,
                "waarom_webhook_secret": sender.services.settings.waarom_webhook_secret,
            }
        ),
        check_migrations=False,
    )
    services.now = sender.clock
    server = await start(services)
    try:
        url = str(server.make_url("/feedback"))
        away = Sender(sender.http, url, services, sender.clock)
        answer = await away.post([{"text": "Komt dit aan?"}])
        assert answer.status == 503
        assert answer.headers["Retry-After"] == "5"
    finally:
        await server.close()
