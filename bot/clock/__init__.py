"""What the clock sends, and when: weekly digests, nudges, reminders, expiry.

- :mod:`.plan`: what is due at a moment, as a pure function of plain values;
- :mod:`.reads`: the teams, members, open nudges and recent sends it plans from;
- :mod:`.pipeline`: every send prepared, claimed, delivered and recorded the same way;
- :mod:`.kinds`: what digests, nudges and reminders add to those steps;
- :mod:`.recovery`: sends a stopped process left unconfirmed;
- :mod:`.tick`: :class:`Clock`, one tick putting these together, and :mod:`.upkeep`.
"""

from bot.clock.config import ClockConfig, TickReport
from bot.clock.tick import Clock

__all__ = ["Clock", "ClockConfig", "TickReport"]
