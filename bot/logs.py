"""How the processes log: what ``-v`` turns on, and what never reaches a log.

Waarom's own modules never log customer or employee text, so ``-v`` turns on their debug
lines only. Third-party libraries stay at INFO even then: a database driver's or the Slack
SDK's debug log prints statement parameters and request bodies, which hold customer text and
tokens.

A server under attack (or out of file descriptors) can fail the same way thousands of times a
second; :class:`Throttle` lets the first few of each kind through per interval and counts the
rest, so the log stays readable and the disk does not fill.
"""

from __future__ import annotations

import logging
import time

OURS = ("bot", "adapters")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(*, verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format=FORMAT)
    for name in OURS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.NOTSET)
    throttle = Throttle()
    # asyncio reports every failed accept(); aiohttp every broken request.
    for name in ("asyncio", "aiohttp.server", "aiohttp.access", "aiohttp.web"):
        logging.getLogger(name).addFilter(throttle)


def service() -> None:
    """A long-running process reports what it does (INFO), or more with ``-v``."""
    root = logging.getLogger()
    if root.level > logging.INFO:
        root.setLevel(logging.INFO)


class Throttle(logging.Filter):
    """At most ``burst`` records of one kind (logger, level, message template) per
    ``interval`` seconds; the first record after a quiet spell says how many were dropped."""

    def __init__(self, burst: int = 5, interval: float = 60.0) -> None:
        super().__init__()
        self.burst = burst
        self.interval = interval
        self._seen: dict[tuple[str, int, str], tuple[float, int, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, str(record.msg))
        now = time.monotonic()
        start, passed, dropped = self._seen.get(key, (now, 0, 0))
        if now - start >= self.interval:
            if dropped:
                record.msg = f"{record.msg} (and {dropped} more like it in the last minute)"
            start, passed, dropped = now, 0, 0
        if passed >= self.burst:
            self._seen[key] = (start, passed, dropped + 1)
            return False
        self._seen[key] = (start, passed + 1, dropped)
        if len(self._seen) > 1024:  # many kinds: forget the oldest rather than grow
            self._seen.pop(next(iter(self._seen)))
        return True
