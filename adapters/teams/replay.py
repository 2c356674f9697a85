"""Handling a redelivered activity once, across web processes.

Teams resends an activity it got no answer to within 15 seconds. The first process to insert
the activity's key into ``processed_events`` handles it; the unique constraint turns every
other attempt away. A turn that fails gives its key back, so a later redelivery can succeed.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.bootstrap import Services
from bot.models import ProcessedEvent

SOURCE = "teams"


async def claim(services: Services, key: str) -> bool:
    """True when this process is the first to see ``key``."""
    try:
        async with services.sessions() as session, session.begin():
            session.add(ProcessedEvent(source=SOURCE, event_id=key, received_at=services.now()))
    except IntegrityError:
        return False
    return True


async def release(services: Services, key: str) -> None:
    async with services.sessions() as session, session.begin():
        await session.execute(
            delete(ProcessedEvent).where(
                ProcessedEvent.source == SOURCE, ProcessedEvent.event_id == key
            )
        )
