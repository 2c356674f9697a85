"""The ``driver`` fixture: every contract case runs once per platform (console, Slack,
Teams), each on SQLite and on PostgreSQL (``database_url`` from ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession

from tests.contract.console_driver import ConsoleDriver
from tests.contract.driver import Driver
from tests.contract.slack_driver import SlackDriver
from tests.contract.teams_driver import TeamsDriver


@pytest.fixture(params=["console", "slack", "teams"])
async def driver(
    request: pytest.FixtureRequest, database_url: str, http: ClientSession
) -> AsyncIterator[Driver]:
    kinds = {"console": ConsoleDriver, "slack": SlackDriver, "teams": TeamsDriver}
    started = await kinds[request.param].start(database_url, http)
    try:
        yield started
    finally:
        await started.close()
