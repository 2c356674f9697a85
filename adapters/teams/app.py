"""The Teams adapter wired up: the ``CloudAdapter``, the bot, the proactive sender and the
``POST /api/messages`` endpoint, built from the settings.

Microsoft Teams through the Bot Framework (botbuilder-core's ``CloudAdapter``).

Three parts, like every adapter: what comes in (:mod:`.handler`: activities → core calls),
what goes out (:mod:`.replies` in a turn, :mod:`.proactive` from stored references, both
through :mod:`.retry`), and how it looks (:mod:`.cards`: Adaptive Cards). The Bot Framework SDK
is used nowhere else in Waarom, so moving to its successor touches only this package.

``mount(app, services)`` adds ``POST /api/messages`` to the shared web app.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from types import ModuleType

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter

from adapters.teams.addresses import PLATFORM
from adapters.teams.delivery import TeamsDelivery
from adapters.teams.emulator import Emulator
from adapters.teams.endpoint import Authentication, Endpoint, authentication
from adapters.teams.handler import WaaromTeamsBot
from adapters.teams.proactive import TeamsSender
from adapters.teams.roster import RosterTasks
from adapters.teams.settings import TeamsSettings
from bot.bootstrap import Services
from bot.clock.roster_keeper import Keeper

log = logging.getLogger(__name__)

ROUTE = "/api/messages"


@dataclass
class Teams:
    adapter: CloudAdapter
    sender: TeamsSender
    bot: WaaromTeamsBot
    endpoint: Endpoint
    # Member lists being read after the turns that asked for them.
    rosters: RosterTasks


# The mounted adapter, for whoever needs it after start-up (its roster work, in tests).
TEAMS: web.AppKey[Teams] = web.AppKey("teams", Teams)


def build(
    services: Services,
    *,
    auth: Authentication | None = None,
    core: ModuleType | None = None,
) -> Teams:
    """The adapter, bot and proactive sender for ``services`` (the clock process uses the
    sender alone). The endpoint answers the Emulator only with ``WAAROM_TEAMS_EMULATOR`` on
    and no app id; refused (:class:`SettingsError`) unless ``serve`` listens on loopback."""
    settings = services.settings
    teams = settings.part(TeamsSettings)
    teams.check()
    auth = auth or authentication(settings)
    adapter = CloudAdapter(auth.sdk)
    sender = TeamsSender(adapter, teams.app_id)
    delivery = TeamsDelivery(sender)
    keeper = Keeper(
        services, PLATFORM, delivery, delivery, worker=f"{socket.gethostname()}:{os.getpid()}"
    )
    rosters = RosterTasks(keeper)
    bot = WaaromTeamsBot(services, sender, rosters=rosters, core=core)
    if teams.app_id:
        endpoint = Endpoint(adapter, auth.sdk, bot, auth.tokens)
    elif teams.emulator:
        endpoint = Endpoint(adapter, auth.sdk, bot, None, Emulator.from_settings(settings))
    else:
        # Never mounted (see mount); the clock uses the sender alone. Refuses everything.
        endpoint = Endpoint(adapter, auth.sdk, bot, None, None)
    return Teams(adapter, sender, bot, endpoint, rosters)


def mount(
    app: web.Application,
    services: Services,
    *,
    auth: Authentication | None = None,
    core: ModuleType | None = None,
) -> Teams | None:
    """Add ``POST /api/messages``: with credentials, or for the Emulator when it is turned on
    (``WAAROM_TEAMS_EMULATOR``); otherwise the route does not exist."""
    problem = services.settings.part(TeamsSettings).missing()
    if problem is not None:
        log.info("Teams: %s; %s not mounted", problem, ROUTE)
        return None
    teams = build(services, auth=auth, core=core)
    app[TEAMS] = teams
    endpoint = teams.endpoint
    app.router.add_post(ROUTE, endpoint.handle, expect_handler=endpoint.expect)

    async def stop_rosters(_app: web.Application) -> None:
        # Each gives back its claim; the clock's sweep finishes what they leave.
        await teams.rosters.stop()

    app.on_shutdown.append(stop_rosters)
    if endpoint.tokens is not None:
        tokens = endpoint.tokens

        async def prefetch(_app: web.Application) -> None:
            # In the background: start-up does not wait, and the first request from Teams
            # finds the keys there (or joins the fetch under way).
            tokens.channel_keys.prefetch()

        async def close(_app: web.Application) -> None:
            await tokens.close()

        app.on_startup.append(prefetch)
        app.on_cleanup.append(close)
        app_id = services.settings.part(TeamsSettings).app_id
        log.info("Teams: %s mounted for app %s", ROUTE, app_id)
    else:
        log.warning(
            "Teams: WAAROM_TEAMS_EMULATOR is on; %s answers the Bot Framework Emulator "
            "without authentication, for serviceUrls %s only",
            ROUTE,
            services.settings.part(TeamsSettings).emulator_urls,
        )
    return teams
