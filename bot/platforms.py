"""What a platform adapter gives the core: the contract every ``adapters/<platform>/`` keeps.

A platform (Slack, Teams, the console; one day another chat, or a web surface that is no chat
at all) is one object with this shape. The composition root (:mod:`bot.registry`) holds the
list of them and does the rest: mounts the routes of those that are configured, hands the
clock their deliveries, adds their commands to ``waarom``. Nothing else in the core names a
platform.

A platform's module is imported by ``waarom --help``: it must be light (its settings class,
this object), and load its SDK inside the methods that need it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import typer
    from aiohttp import web

    from bot.bootstrap import Services
    from bot.clock.delivery import Delivery
    from bot.config import PlatformSettings, Settings


class Platform(Protocol):
    # As stored with its installs and teams ("slack"); also its key in the deliveries.
    name: str
    # As people read it in logs ("Slack").
    label: str
    # The paths it adds to ``waarom serve`` when configured (for the log line and docs).
    routes: tuple[str, ...]
    # Its own settings (its environment variables), or None when it has none.
    settings: type[PlatformSettings] | None

    def missing(self, settings: Settings) -> str | None:
        """None when it can serve with these settings, else what is missing (one line). A
        platform without its credentials is not mounted: no route of it exists."""

    def mount(self, app: web.Application, services: Services) -> None:
        """Add its routes (and their start-up and shutdown work) to ``app``; called only
        when :meth:`missing` is None."""

    def delivery(self, services: Services) -> Delivery | None:
        """How the clock sends to its teams and members, or None when it cannot send (the
        reason logged)."""

    def cli_commands(self) -> tuple[str, typer.Typer] | None:
        """Its own ``waarom <name> …`` commands, or None. Built without loading its SDK."""
