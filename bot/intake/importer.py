"""Import customer feedback from CSV or JSON Lines files, streaming.

Rows are read, normalised and stored in batches, each batch in its own transaction: memory
stays flat whatever the file size, and an interrupted import can simply be run again (the
dedupe keys make the rerun add only what is missing).
"""

from __future__ import annotations

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
from bot.intake.normalise import FeedbackIn, FieldMap, Rejected, Undecodable, normalise

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
        try:
            value = json.loads(text)
        except (json.JSONDecodeError, UnicodeEncodeError) as exc:
            yield line, None, f"not valid JSON ({getattr(exc, 'msg', exc)})"
            continue
        if not isinstance(value, dict):
            yield line, None, "expected a JSON object"
            continue
        yield line, value, None


async def import_records(
    sessions: async_sessionmaker[AsyncSession],
    org_id: int,
    records: Iterator[Record],
    fields: FieldMap,
    *,
    zone: zoneinfo.ZoneInfo,
    source: str,
    progress: Callable[[], None] | None = None,
) -> ImportReport:
    report = ImportReport()
    now = dt.datetime.now(dt.UTC)
    batch: list[FeedbackIn] = []

    async def flush() -> None:
        async with sessions() as session, session.begin():
            new = await store_feedback(session, org_id, batch)
        report.imported += new
        report.duplicates += len(batch) - new
        batch.clear()
        if progress is not None:
            progress()

    for line, record, problem in records:
        if record is None:
            report.reject(line, problem or "unreadable")
            continue
        try:
            batch.append(normalise(record, fields, zone=zone, default_source=source, now=now))
        except Rejected as exc:
            report.reject(line, str(exc))
            report.undecodable += isinstance(exc, Undecodable)
            continue
        if len(batch) >= BATCH_SIZE:
            await flush()
    if batch:
        await flush()
    return report


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
        )
        if on_progress is not None:
            on_progress(total, total)
        return report
