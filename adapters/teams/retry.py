"""Retrying Bot Connector calls that Teams throttles or that hit a passing gateway error.

The SDK's connector raises ``HttpOperationError`` (``ErrorResponseException`` for most calls)
for any non-2xx answer and does not retry. Teams answers 429 when a bot sends too fast (with
``Retry-After``), 412 when a conversation is briefly locked, and 502/504 from its gateways;
all of them usually succeed a moment later.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from msrest.exceptions import HttpOperationError

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRY_STATUSES = frozenset({412, 429, 502, 504})
ATTEMPTS = 5
BASE_DELAY = 0.5
MAX_DELAY = 30.0

Sleep = Callable[[float], Awaitable[None]]


def status_of(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def retry_after(exc: BaseException) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), if any."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    raw = headers.get("Retry-After") or headers.get("retry-after")
    if not raw:
        return None
    raw = str(raw).strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


async def with_retry(
    call: Callable[[], Awaitable[T]],
    *,
    what: str = "connector call",
    attempts: int = ATTEMPTS,
    sleep: Sleep = asyncio.sleep,
) -> T:
    """Run ``call``; on a retryable status wait (``Retry-After`` or exponential backoff with
    jitter, capped) and try again, at most ``attempts`` times in all."""
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except HttpOperationError as exc:
            status = status_of(exc)
            if status not in RETRY_STATUSES or attempt == attempts:
                raise
            delay = retry_after(exc)
            if delay is None:
                delay = BASE_DELAY * 2 ** (attempt - 1) * (0.5 + random.random())
            delay = min(delay, MAX_DELAY)
            log.warning(
                "%s got %s; retry %d of %d in %.1fs", what, status, attempt, attempts - 1, delay
            )
            await sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
