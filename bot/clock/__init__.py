"""What the clock sends, and when: weekly digests, nudges, reminders, expiry.

- :mod:`.plan`: what is due at a moment, as a pure function of plain values;
- :mod:`.reads`: the teams, members, open nudges and recent sends it plans from;
- :mod:`.pipeline`: every send prepared, claimed, delivered and recorded the same way;
- :mod:`.kinds`: what digests, nudges and reminders add to those steps;
- :mod:`.recovery`: sends a stopped process left unconfirmed;
- :mod:`.tick`: :class:`Clock`, one tick putting these together, and :mod:`.upkeep`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import lazy

if TYPE_CHECKING:
    from bot.clock.config import ClockConfig as ClockConfig
    from bot.clock.config import TickReport as TickReport
    from bot.clock.tick import Clock as Clock

# Loaded when first used (:mod:`bot.lazy`).
_EXPORTS = {
    "Clock": "bot.clock.tick",
    "ClockConfig": "bot.clock.config",
    "TickReport": "bot.clock.config",
}

__all__ = ["Clock", "ClockConfig", "TickReport"]

__getattr__ = lazy.exports(__name__, _EXPORTS)
