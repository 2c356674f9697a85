"""Handle each inbound request once, across every web process, with one rule for every
platform.

Platforms deliver again what they did not see acknowledged in time (Slack retries an event
with the same ``event_id``, Teams resends an activity), people double-click buttons, and an
attacker may replay a captured request while its signature is still valid. The first process
to record a request's key in ``processed_events`` handles it; the unique constraint turns every
later attempt into a no-op.

The rule: a key is kept once its request was handled, and released when handling failed, so
the platform's retry (or the person's second try) is handled instead of being taken for a
duplicate of something that never happened. Keys are forgotten after :data:`MEMORY`, long
after any platform stops retrying.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.bootstrap import Services
from bot.storage.models import ProcessedEvent

# The column's width; longer keys are cut (they stay unique in practice: ids come first).
KEY_LENGTH = 200
# Replay protection only needs keys for as long as platforms retry (Slack: minutes, Teams:
# seconds); two days is ample and keeps the table small.
MEMORY = dt.timedelta(days=2)


async def first_time(services: Services, source: str, key: str) -> bool:
    """Record ``key``; False when it was recorded before (by any process)."""
    try:
        async with services.sessions() as session, session.begin():
            session.add(
                ProcessedEvent(source=source, event_id=key[:KEY_LENGTH], received_at=services.now())
            )
    except IntegrityError:
        return False
    return True


async def first_in_window(
    services: Services, source: str, key: str, at: float, window: dt.timedelta
) -> str | None:
    """The key recorded for ``key`` happening at ``at`` (epoch seconds), unless the same
    thing was recorded less than ``window`` before; None when it was.

    Moments are bucketed by ``window``; a repeat that straddles two buckets is caught by
    looking at the previous bucket's record. The returned key is the one to :func:`release`.
    """
    recorded = bucketed(key, at, window)
    if not await first_time(services, source, recorded):
        return None
    before = bucketed(key, at - window.total_seconds(), window)
    async with services.sessions() as session:
        previous = await session.scalar(
            select(ProcessedEvent.received_at).where(
                ProcessedEvent.source == source,
                ProcessedEvent.event_id == before[:KEY_LENGTH],
            )
        )
    if previous is not None and services.now() - previous < window:
        return None
    return recorded


def bucketed(key: str, at: float, window: dt.timedelta) -> str:
    """The key :func:`first_in_window` records for ``key`` at ``at``."""
    return f"{key}@{int(at) // max(int(window.total_seconds()), 1)}"


async def release(services: Services, source: str, key: str) -> None:
    """Handling ``key`` failed: give it back, so a later delivery of it is handled."""
    async with services.sessions() as session, session.begin():
        await session.execute(
            delete(ProcessedEvent).where(
                ProcessedEvent.source == source,
                ProcessedEvent.event_id == key[:KEY_LENGTH],
            )
        )


async def forget(services: Services, now: dt.datetime) -> None:
    """Drop the keys older than :data:`MEMORY`: no platform delivers those again."""
    async with services.sessions() as session, session.begin():
        await session.execute(
            delete(ProcessedEvent).where(ProcessedEvent.received_at < now - MEMORY)
        )
