"""The composition root: settings, database, prompt library and services, built once.

Every process (CLI command, ``serve``, ``clock``, ``demo``) starts here; nothing is created at
import time.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.engine.prompts import PromptLibrary, load_library
from bot.i18n import Catalog
from bot.storage import db


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    library: PromptLibrary
    catalog: Catalog
    now: Callable[[], dt.datetime] = field(default=_utcnow)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.settings.waarom_timezone)

    async def close(self) -> None:
        await self.engine.dispose()


def build(settings: Settings, *, check_migrations: bool = True) -> Services:
    """Wire the core. Refuses an unmigrated database unless told not to check, and a broken
    prompt library (the error names file, entry and problem)."""
    if check_migrations:
        db.ensure_migrated(settings.database_url)
    library = load_library()
    catalog = Catalog.load()
    engine = db.create_engine_for(settings.database_url, pool_size=settings.database_pool_size)
    return Services(
        settings=settings,
        engine=engine,
        sessions=db.session_factory(engine),
        library=library,
        catalog=catalog,
    )
