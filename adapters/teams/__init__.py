"""Microsoft Teams through the Bot Framework (botbuilder-core's ``CloudAdapter``).

Three parts, like every adapter: what comes in (:mod:`.handler`: activities → core calls),
what goes out (:mod:`.replies` in a turn, :mod:`.proactive` from stored references, both
through :mod:`.retry`), and how it looks (:mod:`.cards`: Adaptive Cards). The Bot Framework SDK
is used nowhere else in Waarom, so moving to its successor touches only this package.

``mount(app, services)`` adds ``POST /api/messages`` to the shared web app.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import ModuleType

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter
from botframework.connector.auth import BotFrameworkAuthentication

from adapters.teams.endpoint import Endpoint, authentication
from adapters.teams.handler import WaaromTeamsBot
from adapters.teams.proactive import TeamsSender
from bot.bootstrap import Services
from bot.config import Settings, SettingsError

log = logging.getLogger(__name__)

ROUTE = "/api/messages"


@dataclass
class Teams:
    adapter: CloudAdapter
    sender: TeamsSender
    bot: WaaromTeamsBot
    endpoint: Endpoint


def _check(settings: Settings) -> None:
    if not settings.microsoft_app_id:
        return
    if (
        not settings.microsoft_app_password.get_secret_value()
        and settings.microsoft_app_type != "UserAssignedMSI"
    ):
        raise SettingsError("MICROSOFT_APP_PASSWORD: required when MICROSOFT_APP_ID is set")
    if (
        settings.microsoft_app_type in ("SingleTenant", "UserAssignedMSI")
        and not settings.microsoft_app_tenant_id
    ):
        kind = settings.microsoft_app_type
        raise SettingsError(f"MICROSOFT_APP_TENANT_ID: required when MICROSOFT_APP_TYPE is {kind}")


def build(
    services: Services,
    *,
    auth: BotFrameworkAuthentication | None = None,
    core: ModuleType | None = None,
) -> Teams:
    """The adapter, bot and proactive sender for ``services`` (the clock process uses the
    sender alone)."""
    settings = services.settings
    _check(settings)
    auth = auth or authentication(settings)
    adapter = CloudAdapter(auth)
    sender = TeamsSender(adapter, settings.microsoft_app_id)
    bot = WaaromTeamsBot(services, sender, core=core)
    emulator = not settings.microsoft_app_id
    return Teams(adapter, sender, bot, Endpoint(adapter, auth, bot, emulator))


def mount(
    app: web.Application,
    services: Services,
    *,
    auth: BotFrameworkAuthentication | None = None,
    core: ModuleType | None = None,
) -> Teams:
    teams = build(services, auth=auth, core=core)
    app.router.add_post(ROUTE, teams.endpoint.handle)
    if teams.endpoint.emulator:
        log.warning(
            "Teams: MICROSOFT_APP_ID is not set; %s runs for the Bot Framework Emulator "
            "without authentication (local serviceUrls only)",
            ROUTE,
        )
    else:
        log.info("Teams: %s mounted for app %s", ROUTE, services.settings.microsoft_app_id)
    return teams
