"""The ``driver`` fixture: every contract case runs once per platform (console, Slack,
Teams), each on SQLite and on PostgreSQL (``database_url`` from ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession

from bot import bootstrap
from tests.conftest import make_settings
from tests.contract.console_driver import ConsoleDriver
from tests.contract.driver import Driver
from tests.contract.slack_driver import SlackDriver
from tests.contract.teams_driver import TeamsDriver


@pytest.fixture(params=["console", "slack", "teams"])
async def driver(
    request: pytest.FixtureRequest, database_url: str, http: ClientSession
) -> AsyncIterator[Driver]:
    started: ConsoleDriver | SlackDriver | TeamsDriver
    if request.param == "console":
        services = bootstrap.build(make_settings(database_url))
        started = ConsoleDriver(services)
    elif request.param == "slack":
        started = await SlackDriver.start(database_url, http)
    else:
        started = await TeamsDriver.start(database_url, http)
    try:
        yield started
    finally:
        await started.close()
        if request.param == "console":
            await services.close()
