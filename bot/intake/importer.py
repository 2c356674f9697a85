"""Import customer feedback from CSV or JSON Lines files, streaming.

Rows are read, normalised and stored in batches, each batch in its own transaction: memory
stays flat whatever the file size, and an interrupted import can simply be run again (the
dedupe keys make the rerun add only what is missing).
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import datetime as dt
import io
import json
import sys
import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.intake.feedback import store_feedback
from bot.intake.helper import Helper, Job, Normalised, RawRow, normalise_here
from bot.intake.normalise import FieldMap

BATCH_SIZE = 1000
# Rejections beyond this are counted, not kept: a million bad rows must not fill memory.
MAX_REPORTED = 1000

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class UnreadableFile(Exception):
    """The file as a whole cannot be read (missing column, unknown format, bad encoding name)."""


@dataclass
class ImportReport:
    imported: int = 0
    duplicates: int = 0
    rejected_count: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    # Rows with bytes the encoding could not decode: a problem of the whole file.
    undecodable: int = 0

    @property
    def read(self) -> int:
        return self.imported + self.duplicates

    def reject(self, line: int, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < MAX_REPORTED:
            self.rejected.append((line, reason))


Record = tuple[int, Mapping[str, object] | None, str | None]


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    if suffix in {".csv", ".tsv", ".txt"}:
        return "csv"
    raise UnreadableFile(f"{path.name}: cannot tell the format from {suffix!r}; use .csv or .jsonl")


def _text_stream(raw: BinaryIO, encoding: str) -> io.TextIOWrapper:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise UnreadableFile(f"unknown encoding {encoding!r}") from None
    # surrogateescape keeps undecodable bytes visible to the row check instead of
    # stopping the whole file at the first bad byte.
    return io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")


def read_csv(stream: io.TextIOWrapper, fields: FieldMap, delimiter: str) -> Iterator[Record]:
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise UnreadableFile(f"line 1: unreadable header ({exc})") from None
    header = [name.strip() for name in header]
    missing = [col for col in fields.columns() if col not in header]
    if missing:
        raise UnreadableFile(
            f"column(s) {', '.join(missing)} not in the header; the file has: {', '.join(header)}"
        )
    width = len(header)
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, None, f"unreadable row ({exc})"
            line = reader.line_num + 1
            continue
        if not row or all(not cell.strip() for cell in row):
            line = reader.line_num + 1
            continue
        if len(row) != width:
            yield line, None, f"{len(row)} fields where the header has {width}"
        else:
            yield line, dict(zip(header, row, strict=True)), None
        line = reader.line_num + 1


def read_jsonl(stream: io.TextIOWrapper) -> Iterator[Record]:
    for line, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        # ValueError, not only JSONDecodeError: an integer of more digits than Python reads
        # is refused with it too.
        try:
            value = json.loads(text)
        except (ValueError, UnicodeEncodeError) as exc:
            yield line, None, f"not valid JSON ({getattr(exc, 'msg', exc)})"
            continue
        if not isinstance(value, dict):
            yield line, None, "expected a JSON object"
            continue
        yield line, value, None


# Batches read and waiting to be stored, at most: reading stops until the oldest is stored,
# so memory stays flat however far the database or the helper falls behind.
MAX_WAITING = 4


async def import_records(
    sessions: async_sessionmaker[AsyncSession],
    org_id: int,
    records: Iterator[Record],
    fields: FieldMap,
    *,
    zone: zoneinfo.ZoneInfo,
    source: str,
    progress: Callable[[], None] | None = None,
    size: int = 0,
) -> ImportReport:
    """Normalise and store ``records`` in batches, in their order. ``size`` (bytes) is how
    large the input is: a large one gets a helper process (:mod:`bot.intake.helper`)."""
    report = ImportReport()
    job = Job(fields, zone, source, dt.datetime.now(dt.UTC))
    helper = Helper.for_size(job, size)
    # Batches, in file order, from the reading to the storing: the next batch is read and
    # normalised while the database stores the one before.
    queue: asyncio.Queue[Batch | None] = asyncio.Queue(maxsize=MAX_WAITING)
    storing = asyncio.create_task(_store_in_order(sessions, org_id, queue, report, progress))
    try:
        if helper is not None:
            helper.start()
        for rows, unreadable in _batches(records, fields.columns()):
            normalised = helper.take(rows) if helper is not None else None
            if normalised is None:  # no helper, or it has enough to do: normalised here
                normalised = asyncio.get_running_loop().create_future()
                normalised.set_result(await normalise_here(job, rows))
            await _hand_over(queue, storing, Batch(normalised, unreadable))
        await _hand_over(queue, storing, None)
        await storing
    finally:
        # Stopped early (an error, Ctrl-C): the batch being stored is rolled back before
        # the database is closed, and nothing is left running.
        storing.cancel()
        await asyncio.gather(storing, return_exceptions=True)
        if helper is not None:
            await helper.close()
    return report


async def _store_in_order(
    sessions: async_sessionmaker[AsyncSession],
    org_id: int,
    queue: asyncio.Queue[Batch | None],
    report: ImportReport,
    progress: Callable[[], None] | None,
) -> None:
    """Store the queued batches one by one, in their order, until the end (None)."""
    while (batch := await queue.get()) is not None:
        done = await batch.normalised
        refused = [(line, reason, False) for line, reason in batch.unreadable]
        for line, reason, undecodable in sorted([*refused, *done.rejected]):
            report.reject(line, reason)
            report.undecodable += undecodable
        if done.items:
            async with sessions() as session, session.begin():
                new = await store_feedback(session, org_id, done.items)
            report.imported += new
            report.duplicates += len(done.items) - new
        if progress is not None:
            progress()


async def _hand_over(
    queue: asyncio.Queue[Batch | None], storing: asyncio.Task[None], batch: Batch | None
) -> None:
    """Queue ``batch`` for storing; raises the storing's error if it failed meanwhile."""
    put = asyncio.ensure_future(queue.put(batch))
    await asyncio.wait({put, storing}, return_when=asyncio.FIRST_COMPLETED)
    if not put.done():
        put.cancel()
        storing.result()


@dataclass(frozen=True, slots=True)
class Batch:
    """Rows on their way to the database: normalised (or being so), and the lines among
    them that could not be read."""

    normalised: asyncio.Future[Normalised]
    unreadable: list[tuple[int, str]]


def _batches(
    records: Iterator[Record], columns: list[str]
) -> Iterator[tuple[list[RawRow], list[tuple[int, str]]]]:
    """The records in batches of :data:`BATCH_SIZE`, each with the lines that could not be
    read among them. Only the mapped ``columns`` of a record are kept: a wide export's
    other columns would otherwise be held (and sent to the helper) a batch at a time."""
    batch: list[RawRow] = []
    unreadable: list[tuple[int, str]] = []
    for line, record, problem in records:
        if record is None:
            unreadable.append((line, problem or "unreadable"))
            continue
        batch.append((line, {name: record[name] for name in columns if name in record}))
        if len(batch) >= BATCH_SIZE:
            yield batch, unreadable
            batch, unreadable = [], []
    if batch or unreadable:
        yield batch, unreadable


async def import_file(
    sessions: async_sessionmaker[AsyncSession],
    org_id: int,
    path: Path,
    fields: FieldMap,
    *,
    zone: zoneinfo.ZoneInfo,
    source: str | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    file_format: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import one file. ``on_progress(bytes_read, total_bytes)`` is called after each batch."""
    kind = file_format or detect_format(path)
    total = path.stat().st_size  # noqa: ASYNC240 - one stat call; the reads below dominate
    # Reading is synchronous on purpose: one local file, parsed row by row between batches.
    with path.open("rb") as raw:
        stream = _text_stream(raw, encoding)
        records = read_csv(stream, fields, delimiter) if kind == "csv" else read_jsonl(stream)

        def progress() -> None:
            if on_progress is not None:
                on_progress(raw.tell(), total)

        report = await import_records(
            sessions,
            org_id,
            records,
            fields,
            zone=zone,
            source=source or path.name,
            progress=progress,
            size=total,
        )
        if on_progress is not None:
            on_progress(total, total)
        return report
