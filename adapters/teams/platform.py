"""Microsoft Teams as a Waarom platform (:class:`bot.platforms.Platform`): ``POST
/api/messages``, proactive sends for the clock, ``waarom msteams …``.

Light: the Bot Framework SDK is loaded by the methods that need it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.teams.settings import TeamsSettings

if TYPE_CHECKING:
    import typer
    from aiohttp import web

    from bot.bootstrap import Services
    from bot.clock.delivery import Delivery
    from bot.config import Settings


class TeamsPlatform:
    name = "teams"
    label = "Teams"
    routes = ("/api/messages",)
    settings = TeamsSettings

    def missing(self, settings: Settings) -> str | None:
        return settings.part(TeamsSettings).missing()

    def mount(self, app: web.Application, services: Services) -> None:
        from adapters.teams.app import mount

        mount(app, services)

    def delivery(self, services: Services) -> Delivery:
        # Always: without credentials a send fails and is recorded as failed, as before.
        from adapters.teams.app import build
        from adapters.teams.delivery import TeamsDelivery

        return TeamsDelivery(build(services).sender)

    def cli_commands(self) -> tuple[str, typer.Typer]:
        from adapters.teams.cli import app

        return "msteams", app


adapter = TeamsPlatform()
