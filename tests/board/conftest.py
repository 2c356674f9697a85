"""Fixtures for the board: the served app with a public URL (SQLite and PostgreSQL, from the
shared ``database_url``), a lead (``demo``, who added Waarom to the console team ``demo``),
a member (``anna``) and someone of another organisation (``zed`` in Slack workspace T2)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot import bootstrap
from bot.config import Settings
from tests.support.board_support import Board, origin, say, start

PUBLIC_URL = "http://127.0.0.1:9/"  # links are followed on the test server's own port


@pytest.fixture
async def board(settings: Settings, clock: Any) -> AsyncIterator[Board]:
    services = bootstrap.build(settings.model_copy(update={"waarom_public_url": PUBLIC_URL}))
    services.now = clock
    started = await start(services)
    # People meet Waarom in chat first: that is what puts them in a team.
    await say(services, origin("demo"), "help")
    await say(services, origin("anna"), "help")
    await say(services, origin("zed", "general", workspace="T2"), "help")
    yield started
    await started.close()  # also closes the services (the app's cleanup)
