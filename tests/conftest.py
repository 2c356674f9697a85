"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and built services.

Every test that takes ``database_url`` (or ``services``) runs twice: once on a fresh SQLite
file and once on the PostgreSQL named by ``TEST_DATABASE_URL``. Without that variable the
PostgreSQL half is skipped locally; CI sets it and fails if any such test was skipped.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import ClientSession
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot import bootstrap
from bot.config import Settings, load_settings
from bot.storage import db

POSTGRES = os.environ.get("TEST_DATABASE_URL")

# Property tests judge behaviour, not speed: on a busy machine a slow example or a slow draw
# says nothing about the code, so neither fails a test (speed lives in tests/benchmarks).
settings.register_profile("waarom", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("waarom")


class Clock:
    """A controllable ``now()``: tests move time instead of waiting for it."""

    def __init__(self, start: dt.datetime) -> None:
        self.moment = start

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += dt.timedelta(**delta)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test gets a copy of the file (much faster than migrating)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database of this test run's own on the PostgreSQL server, migrated once."""
    if not POSTGRES:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL tests: set TEST_DATABASE_URL")
        # A quick local run on SQLite alone; the README's test command sets the variable.
        pytest.skip(
            "PostgreSQL half not run: set TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test"
        )
    admin_url = make_url(db.sync_url(POSTGRES))
    name = f"waarom_test_{uuid.uuid4().hex[:10]}"
    # pool_pre_ping: the reliability suite restarts PostgreSQL midway, which leaves this
    # engine's pooled connection dead by the time the database is dropped.
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name, drivername="postgresql").render_as_string(
        hide_password=False
    )
    db.upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate(url: str) -> None:
    engine = db.create_sync_engine_for(url)
    with engine.begin() as connection:
        tables = connection.scalars(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ).all()
        if tables:
            joined = ", ".join(f'"{table}"' for table in tables)
            connection.execute(text(f"TRUNCATE {joined} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "waarom.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    _truncate(url)
    return url


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """The PostgreSQL database alone, emptied: for tests about several processes on one
    server, which SQLite is not made for."""
    _truncate(postgres_database)
    return postgres_database


@pytest.fixture
async def http() -> AsyncIterator[ClientSession]:
    """One HTTP client session per test, for tests that talk to a server over real HTTP."""
    async with ClientSession() as session:
        yield session


@pytest.fixture
def clock() -> Clock:
    # A Wednesday afternoon in week 2026-W47, Amsterdam time.
    return Clock(dt.datetime(2026, 11, 18, 14, 0, tzinfo=dt.UTC))


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "waarom_language": "en",
        "_env_file": None,
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
async def services(settings: Settings, clock: Clock) -> AsyncIterator[bootstrap.Services]:
    built = bootstrap.build(settings)
    built.now = clock
    yield built
    await built.close()


# --- the security review's findings, each pinned by tests marked ``finding(n)`` -----------

# Findings of the security review (docs/security.md lists them); the run's summary says
# which are pinned by a test and whether those tests pass.
FINDINGS = range(1, 14)
_finding_of: dict[str, tuple[int, ...]] = {}
_finding_passed: set[int] = set()
_finding_failed: set[int] = set()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        numbers = tuple(n for mark in item.iter_markers("finding") for n in mark.args)
        if numbers:
            _finding_of[item.nodeid] = numbers


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for number in _finding_of.get(report.nodeid, ()):
        if report.failed:
            _finding_failed.add(number)
        elif report.when == "call" and report.passed:
            _finding_passed.add(number)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _finding_of:
        return
    pinned = sorted(_finding_passed | _finding_failed)
    failing = sorted(_finding_failed)
    missing = [n for n in FINDINGS if n not in pinned]
    terminalreporter.write_line(
        f"security findings: {len(pinned)} of {len(FINDINGS)} pinned by "
        f"{len(_finding_of)} tests, {len(pinned) - len(failing)} passing"
        + (f"; failing: {failing}" if failing else "")
        + (f"; not run: {missing}" if missing else "")
    )
