"""Slack as a Waarom platform (:class:`bot.platforms.Platform`): the Events API and OAuth
routes, scheduled sends for the clock, ``waarom slack …``.

Light: Bolt and the Slack SDK are loaded by the methods that need them."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from adapters.slack.settings import SlackSettings

if TYPE_CHECKING:
    import typer
    from aiohttp import web

    from bot.bootstrap import Services
    from bot.clock.delivery import Delivery
    from bot.config import Settings

log = logging.getLogger(__name__)


class SlackPlatform:
    name = "slack"
    label = "Slack"
    routes = ("/slack/events",)
    settings = SlackSettings

    def missing(self, settings: Settings) -> str | None:
        return settings.part(SlackSettings).missing()

    def mount(self, app: web.Application, services: Services) -> None:
        from adapters.slack.app import mount

        mount(app, services)

    def delivery(self, services: Services) -> Delivery | None:
        """Sends need a token, not a signing secret (nothing comes in)."""
        settings = services.settings.part(SlackSettings)
        problem = settings.missing(socket=True)
        if problem is not None:
            log.info("Slack not sending: %s", problem)
            return None
        from adapters.slack.app import build
        from adapters.slack.delivery import SlackDelivery

        return SlackDelivery(build(services, socket=True).sender, per_second=settings.rate)

    def cli_commands(self) -> tuple[str, typer.Typer]:
        from adapters.slack.cli import app

        return "slack", app


adapter = SlackPlatform()
