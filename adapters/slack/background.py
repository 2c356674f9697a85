"""Work that runs after Slack has had its acknowledgement.

Slack wants an answer within 3 seconds; storing can come after. Such work runs as tasks
of its own, a few at a time (each holds a database connection, and a burst of submissions
must not take every connection nor starve the acknowledgements of the CPU), and what is
still queued or running is finished before the server stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

# At most this many at once; the database pool has more connections than this, so
# commands, clicks and health checks always find one.
CONCURRENCY = 4


class Background:
    def __init__(self, concurrency: int = CONCURRENCY) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, what: str, work: Callable[[], Awaitable[None]]) -> None:
        """Run ``work`` soon. It should report its own failures; anything it lets escape is
        logged here under ``what``."""
        task = asyncio.create_task(self._run(what, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, what: str, work: Callable[[], Awaitable[None]]) -> None:
        async with self._slots:
            try:
                await work()
            except Exception:
                log.exception("%s failed after the acknowledgement", what)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self, grace: float | None = None) -> None:
        """Wait until the work started so far (and what it started) is done; at most
        ``grace`` seconds for each round of it."""
        while self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
            if pending:
                log.warning(
                    "%d task(s) after the acknowledgement still running at shutdown", len(pending)
                )
                return
