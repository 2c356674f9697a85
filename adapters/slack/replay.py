"""Handle each inbound Slack request once, across every ``web`` process.

Slack retries an event it did not see acknowledged in time (same ``event_id``), people
double-click buttons, and an attacker may replay a captured request within the signature's
five minutes. The first process to record a key in ``processed_events`` handles the request;
the unique constraint turns every later attempt into a no-op.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.bootstrap import Services
from bot.models import ProcessedEvent

SOURCE = "slack"
# Two clicks on the same button closer together than this are one click.
DOUBLE_CLICK = dt.timedelta(seconds=5)


async def first_time(services: Services, key: str) -> bool:
    """Record ``key``; False when it was recorded before (by any process)."""
    try:
        async with services.sessions() as session, session.begin():
            session.add(
                ProcessedEvent(source=SOURCE, event_id=key[:200], received_at=services.now())
            )
    except IntegrityError:
        return False
    return True


async def first_click(services: Services, key: str, clicked_at: float) -> bool:
    """A button press, unless the same press was handled moments ago.

    Clicks are bucketed by time; a double click that straddles two buckets is caught by
    looking at the previous bucket's record.
    """
    window = int(DOUBLE_CLICK.total_seconds())
    bucket = int(clicked_at) // window
    if not await first_time(services, f"{key}@{bucket}"):
        return False
    async with services.sessions() as session:
        previous = await session.scalar(
            select(ProcessedEvent.received_at).where(
                ProcessedEvent.source == SOURCE,
                ProcessedEvent.event_id == f"{key}@{bucket - 1}"[:200],
            )
        )
    return previous is None or services.now() - previous >= DOUBLE_CLICK
