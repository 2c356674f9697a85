"""Normalising an import's rows in a second process while the first one stores them.

Intake is CPU work (redaction, terms, sentiment, burdens: about 30 µs a row) and storing is
mostly waiting on the database; in one process they take turns. For a large file a worker
process normalises batch n+1 while batch n is written, so a machine with two cores does both
at once. Batches go to the worker and come back in order; at most two are in flight, so
memory stays flat whatever the file size. Small files stay in one process, where starting a
worker would cost more than it saves.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import zoneinfo
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass

from bot.intake import FeedbackIn, FieldMap, Rejected, Undecodable, normalise

# Below this a file is imported in one process (about 20,000 rows of typical feedback).
PARALLEL_FROM_BYTES = 2 * 1024 * 1024

# (line, the record or None when it could not be read, why it could not)
Row = tuple[int, Mapping[str, object] | None, str | None]


@dataclass(frozen=True, slots=True)
class Normalised:
    items: list[FeedbackIn]
    # (line, reason, undecodable)
    rejected: list[tuple[int, str, bool]]


@dataclass(frozen=True, slots=True)
class Intake:
    """Everything ``normalise`` needs besides the row: sent to the worker with each batch."""

    fields: FieldMap
    zone: zoneinfo.ZoneInfo
    source: str
    now: dt.datetime


def normalise_batch(rows: Sequence[Row], intake: Intake) -> Normalised:
    items: list[FeedbackIn] = []
    rejected: list[tuple[int, str, bool]] = []
    for line, record, problem in rows:
        if record is None:
            rejected.append((line, problem or "unreadable", False))
            continue
        try:
            items.append(
                normalise(
                    record,
                    intake.fields,
                    zone=intake.zone,
                    default_source=intake.source,
                    now=intake.now,
                )
            )
        except Rejected as exc:
            rejected.append((line, str(exc), isinstance(exc, Undecodable)))
    return Normalised(items, rejected)


def worker_for(size_bytes: int) -> Executor | None:
    """A one-process pool for a file this large on a machine with a core to spare, else None.

    ``spawn``, not ``fork``: the importing process runs an event loop and database driver
    threads, whose locks a forked child could inherit held."""
    if size_bytes < PARALLEL_FROM_BYTES or (os.cpu_count() or 1) < 2:
        return None
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
