"""A large import is normalised partly by a helper process (bot.intake.helper): what is
stored and reported is exactly what one process would have stored, and a helper that dies
loses nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import re
import signal
import subprocess
import sys
import time
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.intake import helper
from bot.intake.importer import Record, import_file, import_records
from bot.intake.markers import neutral
from bot.intake.normalise import FieldMap
from bot.intake.redaction import redact
from bot.storage.directory import organisation
from bot.storage.models import Feedback

ZONE = zoneinfo.ZoneInfo("Europe/Amsterdam")
FIELDS = FieldMap(
    text="text",
    received_at="date",
    score="score",
    segment="segment",
    step=None,
    external_id="id",
    source=None,
)
ROWS = 20_000  # about 2 MB: the helper is up long before the end
STARTED = re.compile(r"import helper process (\d+) is normalising")


def _line(n: int) -> str:
    if n == 1500:
        return f"r{n},Datum kwijt,gisteren,5,forens"
    if n == 2000:
        return f"r{n},te veel,2026-11-12 10:00,3,x,y"
    if n == 3100:  # the same id as row 10: the first one stays
        return "r10,Een latere versie van tien,2026-11-12 10:00,3,forens"
    text = f"Monteur kwam pas na {n % 9 + 1} dagen en de app crasht; bel 06-1234{n:04d} ({n})"
    return f"r{n},{text},2026-11-{n % 20 + 1:02d} 10:00,{n % 11},{'forens' if n % 2 else 'student'}"


def _write(path: Path) -> None:
    lines = ["id,text,date,score,segment", *(_line(n) for n in range(2, ROWS + 2))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


async def _org(services: Services) -> int:
    async with services.sessions() as session, session.begin():
        return (await organisation(session)).id


async def test_a_large_file_with_a_helper_is_stored_and_reported_as_by_one_process(
    services: Services, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.intake.helper")
    path = tmp_path / "large.csv"
    _write(path)
    assert path.stat().st_size >= helper.HELPER_FROM_BYTES

    report = await import_file(services.sessions, await _org(services), path, FIELDS, zone=ZONE)

    assert STARTED.search(caplog.text), "the file was imported without a helper"
    assert report.imported == ROWS - 3 and report.duplicates == 1
    assert [line for line, _ in report.rejected] == [1500, 2000]
    assert "unreadable date" in report.rejected[0][1]
    async with services.sessions() as session:
        stored = await session.scalar(select(func.count()).select_from(Feedback))
        ten = await session.scalar(select(Feedback).where(Feedback.external_id == "r10"))
        shown = (await session.execute(select(Feedback.text, Feedback.redacted))).all()
    assert stored == ROWS - 3
    assert ten is not None and ten.text.startswith("Monteur kwam pas na 2 dagen")
    assert ten.received_at.tzinfo is not None and ten.sentiment < 0 and "wait" in ten.burdens
    # Redacted in the helper exactly as here.
    assert [redacted for _, redacted in shown] == [neutral(redact(text)) for text, _ in shown]


async def test_a_helper_that_dies_midway_loses_nothing(
    services: Services, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.intake.helper")
    path = tmp_path / "large.csv"
    _write(path)
    header, *lines = path.read_text(encoding="utf-8").splitlines()
    names = header.split(",")

    def records() -> Iterator[Record]:
        killed = False
        for line, text in enumerate(lines, start=2):
            found = STARTED.search(caplog.text)
            if found and not killed and line > ROWS // 2:
                os.kill(int(found.group(1)), signal.SIGKILL)
                killed = True
            values = text.split(",")
            if len(values) != len(names):
                yield line, None, "wrong number of fields"
            else:
                yield line, dict(zip(names, values, strict=True)), None
        assert killed, "the helper never started"

    # Batches the helper had taken and never sent back must not be waited for forever.
    report = await asyncio.wait_for(
        import_records(
            services.sessions,
            await _org(services),
            records(),
            FIELDS,
            zone=ZONE,
            source="large.csv",
            size=path.stat().st_size,
        ),
        timeout=120,
    )

    assert report.imported == ROWS - 3 and report.duplicates == 1
    assert [line for line, _ in report.rejected] == [1500, 2000]
    async with services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Feedback)) == ROWS - 3


def _cli_env(tmp_path: Path) -> dict[str, str]:
    root = Path(__file__).resolve().parents[2]
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'waarom.db'}",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }


def test_ctrl_c_during_a_large_import_stops_it_at_once_and_a_rerun_adds_the_rest(
    tmp_path: Path,
) -> None:
    """Ctrl-C reaches the whole process group, helper included: the import stops within
    seconds, without a traceback, and running it again stores what was not stored."""
    env = _cli_env(tmp_path)
    path = tmp_path / "large.csv"
    lines = [
        "id,text,date",
        *(f"r{n},Wachten op de monteur ({n}),2026-11-12 10:00" for n in range(100_000)),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "bot"]
    options = ["--text", "text", "--received-at", "date", "--external-id", "id"]
    subprocess.run(
        [*command, "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True
    )

    running = subprocess.Popen(
        [*command, "import", str(path), *options],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a process group of its own, as a terminal's job is
    )
    time.sleep(2.0)
    os.killpg(running.pid, signal.SIGINT)
    try:
        output, _ = running.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(running.pid, signal.SIGKILL)
        raise
    assert b"Traceback" not in output

    again = subprocess.run(
        [*command, "import", str(path), *options],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    imported, duplicates = map(
        int,
        re.search(r"imported (\d+), duplicates (\d+)", again.stdout).groups(),  # type: ignore[union-attr]
    )
    assert imported + duplicates == 100_000 and imported > 0


async def test_a_batch_neither_process_can_normalise_fails_the_import_instead_of_hanging() -> None:
    """What makes the helper fail is tried here too; its error reaches whoever waits for
    the batch (a naive "now" cannot be compared with the rows' times: a TypeError)."""
    job = helper.Job(FIELDS, ZONE, "broken", dt.datetime(2026, 11, 20))
    broken = helper.Helper(job)
    broken.start()
    try:
        rows = [(2, {"id": "r1", "text": "Wachten", "date": "2026-11-12 10:00"})]
        taken = None
        for _ in range(300):  # until it is up: at most 30 s
            taken = broken.take(rows)
            if taken is not None:
                break
            await asyncio.sleep(0.1)
        assert taken is not None, "the helper did not start"
        with pytest.raises(TypeError):
            await asyncio.wait_for(taken, timeout=60)
    finally:
        await broken.close()
