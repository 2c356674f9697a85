"""A second process that normalises an import's batches while this one reads and stores.

Normalising a row (redaction, words, feeling, burdens) costs about as much as storing it, and
both would run in one Python thread. A large file therefore gets one helper process: it
normalises the batches the importer hands it while the importer reads the file, stores what
is ready and, when the helper has enough to do, normalises a batch itself. Only the importer
writes to the database, in file order, so the first of two rows with the same dedupe key
still wins.

The helper is ``python -P -c`` running :func:`serve`: batches go in on its standard input and
come back on its standard output, in the order they were sent, as length-prefixed pickles
between this process and its own child. Only plain values cross: the raw records, and each
normalised row as a tuple of strings and numbers (a pickled dataclass or datetime costs
several times more to read back). A helper that cannot start or that stops leaves its
batches to the importer: nothing is lost, the import is only slower.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import operator
import os
import pickle
import signal
import struct
import sys
import zoneinfo
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from bot.intake.normalise import FeedbackIn, FieldMap, Rejected, Undecodable, normalise

log = logging.getLogger(__name__)

# A file smaller than this is done in about the time a helper takes to start: it gets none.
HELPER_FROM_BYTES = 256 * 1024
# Batches handed to the helper and not yet back, at most: one it works on and one waiting,
# so it never waits for the importer. More would leave the importer idle at the end of a
# file while the helper works through its queue (a 10k-row file was 10% slower with four).
IN_FLIGHT = 2

_FIELDS = tuple(FeedbackIn.__dataclass_fields__)
_RECEIVED_AT = _FIELDS.index("received_at")
_values_of = operator.attrgetter(*_FIELDS)
_LENGTH = struct.Struct("!I")
_READY = b"ready"

RawRow = tuple[int, Mapping[str, object]]
Packed = tuple[list[tuple[object, ...]], list[tuple[int, str, bool]]]


@dataclass(frozen=True, slots=True)
class Job:
    """How a batch is normalised: the same for every batch of one import."""

    fields: FieldMap
    zone: zoneinfo.ZoneInfo  # pickled by its key
    source: str
    now: dt.datetime


@dataclass(slots=True)
class Normalised:
    """A batch, normalised: the rows to store, in file order, and the rows refused."""

    items: list[FeedbackIn]
    rejected: list[tuple[int, str, bool]]  # line, reason, undecodable


def normalise_batch(job: Job, rows: Sequence[RawRow]) -> Normalised:
    """Normalise ``rows`` (line number, record) as :func:`~bot.intake.normalise.normalise`
    does."""
    done = Normalised([], [])
    for line, record in rows:
        try:
            done.items.append(
                normalise(record, job.fields, zone=job.zone, default_source=job.source, now=job.now)
            )
        except Rejected as exc:
            done.rejected.append((line, str(exc), isinstance(exc, Undecodable)))
    return done


# Rows normalised here between two turns of the event loop: the helper's pipes are fed and
# read meanwhile, so the helper is not kept waiting for the batch it was handed.
_TURN = 100


async def normalise_here(job: Job, rows: Sequence[RawRow]) -> Normalised:
    """:func:`normalise_batch` in this process, letting the event loop run between rows."""
    done = Normalised([], [])
    for start in range(0, len(rows), _TURN):
        part = normalise_batch(job, rows[start : start + _TURN])
        done.items.extend(part.items)
        done.rejected.extend(part.rejected)
        await asyncio.sleep(0)
    return done


def _packed(job: Job, rows: Sequence[RawRow]) -> Packed:
    done = normalise_batch(job, rows)
    packed = []
    for item in done.items:
        values = list(_values_of(item))
        values[_RECEIVED_AT] = item.received_at.isoformat()
        packed.append(tuple(values))
    return packed, done.rejected


def _unpacked(packed: Packed) -> Normalised:
    rows, rejected = packed
    items = []
    for values in rows:
        fields = list(values)
        fields[_RECEIVED_AT] = dt.datetime.fromisoformat(str(fields[_RECEIVED_AT]))
        items.append(FeedbackIn(*fields))  # type: ignore[arg-type]
    return Normalised(items, rejected)


# --- the helper process -------------------------------------------------------------------


def _write_frame(stream: BinaryIO, data: bytes) -> None:
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def _warm_up() -> None:
    """Load what normalising loads on first use (lexicons, stemmers, phone number metadata,
    language models) before saying ready: the first batches handed over then come back as
    fast as the rest, instead of holding up the ones stored after them."""
    job = Job(FieldMap(), zoneinfo.ZoneInfo("Europe/Amsterdam"), "warm-up", dt.datetime.now(dt.UTC))
    samples = (
        "Ik wachtte 20 minuten en werd niet teruggebeld, bel me op 06-12345678!",
        "Not great: I called three times, waited an hour and paid extra (order 123456789).",
        "Snelle levering",  # no function words: the language models are loaded too
    )
    normalise_batch(job, [(0, {"text": text}) for text in samples])


def serve(stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """The helper: normalise each batch read from ``stdin`` and write it back, until the
    importer closes the pipe."""
    # Ctrl-C is the importer's to handle (it stops the helper): no traceback of the helper's
    # own on the operator's terminal.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    source = stdin or sys.stdin.buffer
    if stdout is not None:
        sink = stdout
    else:
        # The pipe is kept for the batches alone: anything else written to standard output
        # (a library's print) goes to standard error instead of into a frame.
        sink = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _warm_up()
    _write_frame(sink, _READY)
    while header := source.read(_LENGTH.size):
        if len(header) < _LENGTH.size:
            return
        job, rows = pickle.loads(source.read(_LENGTH.unpack(header)[0]))
        _write_frame(sink, pickle.dumps(_packed(job, rows), pickle.HIGHEST_PROTOCOL))


# --- the importer's side ------------------------------------------------------------------


class Helper:
    """One helper process for one import. :meth:`take` hands it a batch when it is up and
    has room; otherwise the caller normalises the batch itself."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._process: asyncio.subprocess.Process | None = None
        self._up = False
        self._sent: deque[tuple[Sequence[RawRow], asyncio.Future[Normalised]]] = deque()
        self._reading: asyncio.Task[None] | None = None

    @classmethod
    def for_size(cls, job: Job, size: int) -> Helper | None:
        """A helper for an input of ``size`` bytes, when it is large enough and this machine
        has a second core for it to run on."""
        if size < HELPER_FROM_BYTES or (os.cpu_count() or 1) < 2:
            return None
        if not job.zone.key:  # a zone read from a file cannot be named to the helper
            return None
        return cls(job)

    def start(self) -> None:
        """Start the process; batches go to it once it has said it is up."""
        self._reading = asyncio.create_task(self._run())

    async def _run(self) -> None:
        try:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                # -P: the working directory is not put on the import path, so a "bot"
                # package there cannot stand in for this one.
                "-P",
                "-c",
                "from bot.intake.helper import serve; serve()",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                env=_env(),
            )
            assert self._process.stdout is not None
            if await self._frame(self._process.stdout) != _READY:
                raise EOFError("the helper did not start")
            self._up = True
            log.info("import helper process %d is normalising batches", self._process.pid)
            while True:
                normalised = _unpacked(pickle.loads(await self._frame(self._process.stdout)))
                # Taken off the list only once its rows are in hand: a reply that cannot be
                # read leaves the batch to _give_back.
                _rows, result = self._sent.popleft()
                if not result.done():
                    result.set_result(normalised)
        except Exception as exc:  # whatever went wrong, the batches are not lost
            if self._up:
                log.warning("the import's helper process stopped (%s); going on without it", exc)
            else:
                log.info("importing without a helper process: %s", exc)
            self._give_back()

    @staticmethod
    async def _frame(stream: asyncio.StreamReader) -> bytes:
        header = await stream.readexactly(_LENGTH.size)
        return await stream.readexactly(_LENGTH.unpack(header)[0])

    def _give_back(self) -> None:
        """The helper is gone: what it had not sent back is normalised here. A batch that
        cannot be normalised here either (what made the helper fail) carries the error to
        whoever waits for it, which stops the import as it would without a helper."""
        self._up = False
        while self._sent:
            rows, result = self._sent.popleft()
            if result.done():
                continue
            try:
                result.set_result(normalise_batch(self.job, rows))
            except Exception as exc:
                result.set_exception(exc)

    def take(self, rows: Sequence[RawRow]) -> asyncio.Future[Normalised] | None:
        """The batch, being normalised by the helper; None when it is not up or is busy."""
        process = self._process
        if not self._up or process is None or process.stdin is None:
            return None
        if len(self._sent) >= IN_FLIGHT:
            return None
        result: asyncio.Future[Normalised] = asyncio.get_running_loop().create_future()
        data = pickle.dumps((self.job, rows), pickle.HIGHEST_PROTOCOL)
        try:
            frame = _LENGTH.pack(len(data)) + data
        except struct.error:  # a batch of 4 GiB or more: normalised here
            return None
        try:
            process.stdin.write(frame)
        except (OSError, RuntimeError):  # the pipe is closed: the helper is gone
            self._up = False
            return None
        self._sent.append((rows, result))
        return result

    async def close(self) -> None:
        """Stop the process, whatever it was doing."""
        self._up = False
        if self._reading is not None:
            self._reading.cancel()
            await asyncio.gather(self._reading, return_exceptions=True)
        process = self._process
        if process is None:
            return
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):  # it has just ended by itself
                process.kill()
        if process.stdin is not None:
            process.stdin.close()
        if process.stdout is not None:
            # Read to the end: a pipe with unread output is never closed, and a process is
            # only waited for once its pipes are.
            await process.stdout.read()
        await process.wait()


def _env() -> dict[str, str]:
    """This environment, with the directory that holds :mod:`bot` first on the import path
    (a source checkout is then found from any working directory)."""
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    return env
