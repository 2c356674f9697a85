"""The board as a Waarom platform (:class:`bot.platforms.Platform`): a web surface, no chat.

It is mounted when ``WAAROM_PUBLIC_URL`` says where people reach it (the sign-in links
chat hands out point there); it sends nothing of its own and has no commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer
    from aiohttp import web

    from bot.bootstrap import Services
    from bot.clock.delivery import Delivery
    from bot.config import PlatformSettings, Settings


class BoardPlatform:
    name = "board"
    label = "Board"
    routes: tuple[str, ...] = ("/board",)
    settings: type[PlatformSettings] | None = None

    def missing(self, settings: Settings) -> str | None:
        return None if settings.waarom_public_url else "WAAROM_PUBLIC_URL is not set"

    def mount(self, app: web.Application, services: Services) -> None:
        from adapters.board.app import mount

        mount(app, services)

    def delivery(self, services: Services) -> Delivery | None:
        return None

    def cli_commands(self) -> tuple[str, typer.Typer] | None:
        return None


adapter = BoardPlatform()
