"""The customer voice of a week: the part of a digest every team of an organisation (in one
time zone) shares, read and analysed once, its figures computed by the voice sections."""

from __future__ import annotations

import gc
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest.analysis import analyse
from bot.digest.data import CustomerVoice
from bot.digest.reading import read_earlier, read_period
from bot.digest.sections import VOICE
from bot.week import Week


async def customer_voice(
    session: AsyncSession, org_id: int, week: Week, zone: zoneinfo.ZoneInfo, *, highlights: int = 5
) -> CustomerVoice:
    with _without_cycle_collection():
        start, end = week.bounds(zone)
        previous_start, _ = week.previous().bounds(zone)
        period = await read_period(session, org_id, start, end)
        earlier = await read_earlier(session, org_id, previous_start, start)
        analysis = analyse(period, earlier, highlights)
        figures: dict[str, Any] = {}
        for section in VOICE:
            figures.update(section.figures(analysis))
        return CustomerVoice(figures)


class _CollectionPause:
    """Reading and scoring a busy week creates hundreds of thousands of small containers that
    all live until the digest is built. The cyclic garbage collector would scan them again
    and again (a quarter of the time at 100k items) and find nothing: this code makes no
    reference cycles, and reference counting frees everything else as usual.

    The pause is process-wide and lasts across the reads' awaits, so other coroutines run
    without cycle collection for that second or so too; overlapping digests share one pause,
    and the collector comes back when the last one ends, also when it fails."""

    def __init__(self) -> None:
        self._depth = 0
        self._resume = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        if self._depth == 0:
            self._resume = gc.isenabled()
            gc.disable()
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0 and self._resume:
                gc.enable()


_without_cycle_collection = _CollectionPause()
