"""Helpers the benchmark scripts share: throwaway databases and child-process measurement."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.storage import db

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def fresh_database(kind: str, workdir: Path) -> Iterator[str]:
    """A new, migrated SQLite file or PostgreSQL database, dropped afterwards."""
    if kind == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite:///{path}"
        db.upgrade(url)
        try:
            yield url
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    # pool_pre_ping: PostgreSQL may be restarted while a benchmark runs (the reliability
    # tests do), leaving the pooled connection dead by the time the database is dropped.
    admin = create_engine(db.sync_url(POSTGRES), isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    name = f"waarom_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = db.sync_url(POSTGRES).set(database=name, drivername="postgresql").render_as_string(False)
    db.upgrade(url)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (or this process's environment) with the repository root on the import path,
    so a child can import ``tests.support`` from any working directory."""
    values = dict(os.environ if env is None else env)
    values["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), values.get("PYTHONPATH")]))
    return values


def run_child(module: str, *args: str) -> dict[str, float]:
    """Run one measurement in a fresh process, so its peak memory is its own."""
    result = subprocess.run(
        [sys.executable, "-m", module, "--child", *args],
        capture_output=True,
        text=True,
        check=False,
        env=child_env(),
    )
    if result.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
