"""The Microsoft Teams adapter (the Bot Framework SDK, used nowhere else in Waarom): what
comes in (:mod:`.handler`), what goes out (:mod:`.replies`, :mod:`.proactive`), how it looks
(:mod:`.cards`), wired up in :mod:`.app`.

``build``, ``mount`` and ``Teams`` are loaded when first used, so a command that only needs
:mod:`.cli` (``waarom --help``) does not wait for the Bot Framework SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import lazy

if TYPE_CHECKING:
    from adapters.teams.app import ROUTE, TEAMS, Teams, build, mount

__all__ = ["ROUTE", "TEAMS", "Teams", "build", "mount"]

__getattr__ = lazy.exports(
    __name__,
    {
        "ROUTE": "adapters.teams.app",
        "TEAMS": "adapters.teams.app",
        "Teams": "adapters.teams.app",
        "build": "adapters.teams.app",
        "mount": "adapters.teams.app",
    },
)
