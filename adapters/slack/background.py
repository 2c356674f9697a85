"""What runs after Slack has had its acknowledgement: replies, message updates, modals.

Everything a request stores is committed before its acknowledgement (see
:mod:`adapters.slack.inbound`), so what runs here only tells people about it. Each piece is a
task of its own, not queued behind the others: a Slack that answers slowly delays the reply
it is asked for, never another request's reply nor anything stored. What is still running
when the server stops gets a grace period to finish.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, what: str, work: Callable[[], Awaitable[None]]) -> None:
        """Run ``work`` now, beside the request that started it. It should report its own
        failures; anything it lets escape is logged here under ``what``."""
        task = asyncio.create_task(self._run(what, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, what: str, work: Callable[[], Awaitable[None]]) -> None:
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
                    "%d reply(ies) to Slack still under way at shutdown, given up; "
                    "what they were about is stored",
                    len(pending),
                )
                return
