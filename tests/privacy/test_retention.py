"""Retention: after WAAROM_RETENTION_DAYS only the redacted text and its words are kept."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.bootstrap import Services
from bot.cli import app
from bot.clock import Clock
from bot.clock.delivery import Deliveries
from bot.config import SettingsError, load_settings
from bot.intake.privacy import customer, expire_raw_text, forget
from bot.storage.models import Feedback
from tests.support.privacy_support import (
    another_process_connected,
    days_ago,
    fixed_services,
    sqlite_bytes,
    store,
)

OLD = "Bel me op 06-12345678, mijn BSN is 123456782, de accu is stuk"
RECENT = "Mail me op piet@voorbeeld.nl, de app crasht"


async def _texts(services: Services) -> dict[str, tuple[str, str]]:
    async with services.sessions() as session:
        rows = await session.execute(select(Feedback.external_id, Feedback.text, Feedback.redacted))
        return {row.external_id: (row.text, row.redacted) for row in rows}


async def _old_and_recent(services: Services) -> None:
    await store(
        services,
        [
            {"text": OLD, "received_at": days_ago(services, 91), "external_id": "old"},
            {"text": RECENT, "received_at": days_ago(services, 89), "external_id": "recent"},
        ],
    )


async def test_the_clock_keeps_raw_text_only_for_the_retention_period(
    services: Services,
) -> None:
    await _old_and_recent(services)

    await Clock(services, Deliveries({})).tick()

    texts = await _texts(services)
    assert texts["old"] == ("Bel me op [#phone], mijn BSN is [#bsn], de accu is stuk",) * 2
    assert texts["recent"] == (RECENT, "Mail me op [#email], de app crasht")


async def test_after_retention_the_customer_is_found_by_id_but_no_longer_by_number(
    services: Services,
) -> None:
    await _old_and_recent(services)
    await expire_raw_text(services.sessions, services.now() - dt.timedelta(days=90))
    assert (await forget(services.sessions, customer(phone="0612345678"))).feedback == 0
    assert (await forget(services.sessions, customer(external_id="old"))).feedback == 1


async def test_a_backlog_is_worked_off_a_batch_at_a_time(services: Services) -> None:
    await store(
        services,
        [
            {"text": f"Bel {n} keer naar 06-1234567{n}", "received_at": days_ago(services, 100)}
            for n in range(5)
        ],
    )
    cutoff = services.now()
    assert await expire_raw_text(services.sessions, cutoff, batch=2, batches=1) == 2
    assert await expire_raw_text(services.sessions, cutoff, batch=2, batches=None) == 3
    assert await expire_raw_text(services.sessions, cutoff, batch=2, batches=None) == 0
    texts = await _texts(services)
    assert all(text == redacted for text, redacted in texts.values())


def test_on_sqlite_raw_text_past_retention_is_not_left_in_the_file(
    tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "waarom.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"

    async def go() -> None:
        services = fixed_services(url)
        try:
            await _old_and_recent(services)
            assert b"06-12345678" in sqlite_bytes(url)
            await Clock(services, Deliveries({})).tick()
        finally:
            await services.close()

    with another_process_connected(url):
        asyncio.run(go())
        on_disk = sqlite_bytes(url)
    assert b"06-12345678" not in on_disk and b"123456782" not in on_disk
    assert b"piet@voorbeeld.nl" in on_disk  # still within the period


def test_the_retention_command_does_it_now(database_url: str) -> None:
    async def setup() -> None:
        services = fixed_services(database_url)
        try:
            await _old_and_recent(services)
        finally:
            await services.close()

    asyncio.run(setup())
    result = CliRunner().invoke(
        app, ["retention"], env={"DATABASE_URL": database_url, "WAAROM_RETENTION_DAYS": "30"}
    )
    assert result.exit_code == 0, result.output
    # Both rows are older than 30 days by the real clock.
    assert "Raw text removed from 2 feedback item(s) received more than 30 days ago." in (
        result.output.replace("\n", " ")
    )


def test_retention_is_90_days_unless_set_and_never_forever(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_settings(_env_file=None).waarom_retention_days == 90
    for value in ("0", "", "forever"):
        monkeypatch.setenv("WAAROM_RETENTION_DAYS", value)
        with pytest.raises(SettingsError, match="WAAROM_RETENTION_DAYS"):
            load_settings(_env_file=None)
