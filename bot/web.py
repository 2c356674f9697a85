"""The ``waarom serve`` application: one aiohttp server for every platform.

This module and :mod:`bot.cli` are the only places in the core that know the adapters: they
wire them to the services. A platform whose credentials are missing is not mounted, with one
log line saying so.
"""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy import text

from adapters import slack, teams
from bot.bootstrap import Services

log = logging.getLogger(__name__)

SERVICES: web.AppKey[Services] = web.AppKey("services", Services)


async def healthz(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    try:
        async with services.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not ready"
        log.warning("health check: database unreachable: %s", type(exc).__name__)
        return web.json_response({"status": "error", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


def create_app(services: Services) -> web.Application:
    app = web.Application(client_max_size=2 * 1024 * 1024)
    app[SERVICES] = services
    app.router.add_get("/healthz", healthz)
    # --- platform adapters (each mounts itself when its settings are present) ---
    slack.mount(app, services)
    teams.mount(app, services)
    # --- end platform adapters ---

    async def close_services(_app: web.Application) -> None:
        await services.close()

    app.on_cleanup.append(close_services)
    return app
