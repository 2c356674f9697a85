"""Database engines, sessions and the migration gate.

The configured ``DATABASE_URL`` is the plain form operators know (``sqlite:///waarom.db``,
``postgresql://…``); the drivers are chosen here: aiosqlite / psycopg 3 for the async engine
the application uses, sqlite3 / psycopg 3 for alembic.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


class DatabaseNotMigrated(Exception):
    """The database is behind the code's migrations."""


def _base_url(url: str) -> URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql") or parsed.drivername.startswith(
        "postgresql+"
    ):
        return parsed.set(drivername="postgresql")
    return parsed.set(drivername="sqlite")


def async_url(url: str) -> URL:
    base = _base_url(url)
    return base.set(
        drivername="sqlite+aiosqlite" if base.drivername == "sqlite" else "postgresql+psycopg"
    )


def sync_url(url: str) -> URL:
    base = _base_url(url)
    return base.set(
        drivername="sqlite+pysqlite" if base.drivername == "sqlite" else "postgresql+psycopg"
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web and clock processes read while one writes; the busy timeout makes
    # writers wait for each other instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted and overwritten content (erased feedback, raw text past retention) is zeroed
    # rather than left readable in free pages of the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def create_engine_for(url: str, *, pool_size: int = 20, **kwargs: Any) -> AsyncEngine:
    target = async_url(url)
    # A driver error's message would otherwise quote the statement's parameters (what
    # customers and employees wrote) into the log of whoever logs the exception.
    kwargs.setdefault("hide_parameters", True)
    if target.drivername.startswith("sqlite"):
        engine = create_async_engine(target, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # pool_pre_ping: a restarted PostgreSQL leaves dead connections in the pool; ping first
    # so requests after a restart get a fresh connection instead of an error.
    kwargs.setdefault("pool_pre_ping", True)
    # A fixed pool, no overflow: under a burst, work waits its turn for one of the
    # connections kept open instead of opening and closing one per request. An overflow
    # connection costs PostgreSQL a new backend each time and is dropped again on return;
    # at 50 answers in flight that churn halved the rate answers were stored at.
    kwargs.setdefault("pool_size", pool_size)
    kwargs.setdefault("max_overflow", 0)
    return create_async_engine(target, **kwargs)


def create_sync_engine_for(url: str) -> Engine:
    engine = create_engine(sync_url(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session whose work is committed on success and rolled back on error."""
    async with sessions() as session, session.begin():
        yield session


# --- migrations -------------------------------------------------------------------------


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("bot") / "migrations"))
    # alembic reads this through ConfigParser, which treats % as interpolation.
    config.set_main_option(
        "sqlalchemy.url", sync_url(url).render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current_revision(url: str) -> str | None:
    engine = create_sync_engine_for(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def ensure_migrated(url: str) -> None:
    """Refuse to run on a database the migrations have not reached."""
    current, head = current_revision(url), head_revision(url)
    if current != head:
        state = "has no Waarom tables" if current is None else f"is at revision {current}"
        raise DatabaseNotMigrated(
            f"The database {_base_url(url).render_as_string(hide_password=True)} {state}; "
            f"this version needs {head}. Run `waarom db upgrade` first."
        )
