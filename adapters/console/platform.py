"""The console as a Waarom platform (:class:`bot.platforms.Platform`): chat in a terminal.

It has no routes, no settings and no commands of its own: ``waarom demo --chat`` opens it,
and the clock prints to it only when asked (``waarom clock --console``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer
    from aiohttp import web

    from bot.bootstrap import Services
    from bot.clock.delivery import Delivery
    from bot.config import PlatformSettings, Settings


class ConsolePlatform:
    name = "console"
    label = "Console"
    routes: tuple[str, ...] = ()
    settings: type[PlatformSettings] | None = None

    def missing(self, settings: Settings) -> str | None:
        return "the console serves a terminal, not the web"

    def mount(self, app: web.Application, services: Services) -> None:
        return None

    def delivery(self, services: Services) -> Delivery | None:
        # Printing scheduled messages is something an operator asks for, not a default.
        return None

    def cli_commands(self) -> tuple[str, typer.Typer] | None:
        return None


adapter = ConsolePlatform()
