"""The platforms Waarom runs on: the one list, and what the processes do with it.

A new platform (or another web surface) is one line in :data:`PLATFORMS`: the module that
holds its ``adapter``, an object with the :class:`~bot.platforms.Platform` shape. The web
server, the clock and the command line take the platforms from here and name none.
"""

from __future__ import annotations

import importlib
import logging
from functools import cache
from typing import TYPE_CHECKING, cast

from bot.config import Settings
from bot.platforms import Platform

if TYPE_CHECKING:
    from collections.abc import Mapping

    import typer
    from aiohttp import web

    from bot.bootstrap import Services
    from bot.clock.delivery import Deliveries, Delivery

log = logging.getLogger(__name__)

# The module of each platform's ``adapter``, in the order they are mounted.
PLATFORMS = (
    "adapters.slack.platform",
    "adapters.teams.platform",
    "adapters.console.platform",
    "adapters.board.platform",
)


@cache
def platforms() -> tuple[Platform, ...]:
    return tuple(cast(Platform, importlib.import_module(name).adapter) for name in PLATFORMS)


def names() -> list[str]:
    return [platform.name for platform in platforms()]


def check(settings: Settings) -> None:
    """Read every platform's settings once: a malformed value stops the process at start
    (a :class:`~bot.config.SettingsError` naming the variable), not at its first use."""
    for platform in platforms():
        if platform.settings is not None:
            settings.part(platform.settings)


def mount(app: web.Application, services: Services) -> None:
    """Mount each configured platform's routes; one log line for each one that is not."""
    for platform in platforms():
        problem = platform.missing(services.settings)
        if problem is None:
            platform.mount(app, services)
        elif platform.routes:
            log.info("%s: %s; %s not mounted", platform.label, problem, ", ".join(platform.routes))


def deliveries(services: Services, also: Mapping[str, Delivery] | None = None) -> Deliveries:
    """One delivery for each platform that can send with these settings, plus ``also``
    (a delivery only an operator asks for, such as printing)."""
    from bot.clock.delivery import Deliveries

    by_platform = {}
    for platform in platforms():
        delivery = platform.delivery(services)
        if delivery is not None:
            by_platform[platform.name] = delivery
    by_platform.update(also or {})
    return Deliveries(by_platform)


def commands() -> list[tuple[str, typer.Typer]]:
    """Each platform's own command group, by its name under ``waarom``."""
    found = [platform.cli_commands() for platform in platforms()]
    return [group for group in found if group is not None]
