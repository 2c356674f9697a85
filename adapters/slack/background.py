"""What runs after Slack has had its acknowledgement: replies, message updates, modals.

Everything a request stores is committed before its acknowledgement (see
:mod:`adapters.slack.inbound`), so what runs here only tells people about it. Each piece is a
task of its own, not queued behind the others: a Slack that answers slowly delays the reply
it is asked for, never another request's reply nor anything stored.

Work that can wait (:meth:`Background.after_writes`: the thanks for an answer, with similar
ideas, and the prompt shown as answered, which cost more than storing the answer) waits for
a lull in the writes, at most :data:`PATIENCE` seconds, and runs :data:`AT_ONCE` at a time:
a burst of answers is then stored at the pace of the writes alone. What is still waiting or
running when the server stops is started at once and gets a grace period to finish.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

Work = Callable[[], Awaitable[None]]
# No write for this long is a lull.
LULL = 0.05
# The longest work that can wait is held back for the writes.
PATIENCE = 5.0
# At most this much work that could wait runs at once, so that what is let go in a lull
# does not hold up the writes that come after it.
AT_ONCE = 8


class Background:
    def __init__(self, lull: float = LULL, patience: float = PATIENCE) -> None:
        self.lull = lull
        self.patience = patience
        self._tasks: set[asyncio.Task[None]] = set()
        self._deferred: set[asyncio.Task[None]] = set()
        self._writing = 0
        self._last_write = 0.0
        self._waiting: deque[tuple[float, str, Work]] = deque()
        self._dispatcher: asyncio.Task[None] | None = None

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Around a request's write: work that can wait holds back meanwhile."""
        self._writing += 1
        try:
            yield
        finally:
            self._writing -= 1
            self._last_write = time.monotonic()

    def after_writes(self, what: str, work: Work) -> None:
        """Run ``work`` at the next lull in the writes, or after :data:`PATIENCE`."""
        self._waiting.append((time.monotonic(), what, work))
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.create_task(self._dispatch())

    async def _dispatch(self) -> None:
        while self._waiting:
            now = time.monotonic()
            lull = not self._writing and now - self._last_write >= self.lull
            while (
                self._waiting
                and len(self._deferred) < AT_ONCE
                and (lull or now - self._waiting[0][0] >= self.patience)
            ):
                self._let_go()
            if self._waiting:
                await asyncio.sleep(self.lull)

    def _let_go(self) -> None:
        _, what, work = self._waiting.popleft()
        task = self.start(what, work)
        self._deferred.add(task)
        task.add_done_callback(self._deferred.discard)

    def _release(self) -> None:
        while self._waiting:
            self._let_go()

    def start(self, what: str, work: Work) -> asyncio.Task[None]:
        """Run ``work`` now, beside the request that started it. It should report its own
        failures; anything it lets escape is logged here under ``what``."""
        task = asyncio.create_task(self._run(what, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self, what: str, work: Work) -> None:
        try:
            await work()
        except Exception:
            log.exception("%s failed after the acknowledgement", what)

    @property
    def pending(self) -> int:
        return len(self._tasks) + len(self._waiting)

    async def drain(self, grace: float | None = None) -> None:
        """Wait until the work started so far (and what it started) is done; at most
        ``grace`` seconds for each round of it."""
        self._release()
        while self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
            if pending:
                log.warning(
                    "%d reply(ies) to Slack still under way at shutdown, given up; "
                    "what they were about is stored",
                    len(pending),
                )
                return
