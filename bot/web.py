"""The ``waarom serve`` application: one aiohttp server for every platform.

The platforms come from :mod:`bot.registry`, which mounts each one's routes; a platform whose
credentials are missing is not mounted, with one log line saying so.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from sqlalchemy import text

from adapters.http_body import BODY_SECONDS, read_capped
from bot import registry
from bot.bootstrap import Services
from bot.intake import webhook

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


# --- feedback webhook: read the body (capped) and write the reply; intake.webhook does the rest ---


def _reply(reply: webhook.Reply) -> web.Response:
    return web.json_response(reply.body, status=reply.status, headers=dict(reply.headers))


async def feedback_webhook(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    timestamp = request.headers.get(webhook.TIMESTAMP_HEADER)
    signature = request.headers.get(webhook.SIGNATURE_HEADER)
    refused = webhook.refuse_unsigned(services, timestamp=timestamp, signature=signature)
    if refused is not None:
        # Not a byte of the body is read for a request that cannot be signed right.
        return _reply(refused)
    try:
        # Read here rather than with ``request.read()``, whose ``client_max_size`` refusal is
        # plain text and whose cap is the whole app's.
        body = await read_capped(request, webhook.MAX_BODY_BYTES)
    except TimeoutError:
        return _reply(webhook.error(408, f"the body did not arrive within {BODY_SECONDS:.0f} s"))
    if body is None:
        return _reply(webhook.too_large())
    reply = await webhook.receive(services, timestamp=timestamp, signature=signature, body=body)
    return _reply(reply)


def _mount_feedback(app: web.Application, services: Services) -> None:
    secret = services.settings.waarom_webhook_secret
    if secret is None or not secret.get_secret_value():
        log.info(
            "Feedback webhook: WAAROM_WEBHOOK_SECRET is not set; %s not mounted", webhook.ROUTE
        )
        return
    app.router.add_post(webhook.ROUTE, feedback_webhook)
    log.info("Feedback webhook: %s mounted", webhook.ROUTE)


# --- end feedback webhook ---


# Idle connections, and connections whose request headers have not all arrived, are closed
# after this (aiohttp starts its keep-alive timer when a connection opens): a thousand
# half-sent requests must not hold a thousand descriptors for long.
HEADER_SECONDS = 15.0


def server_options() -> dict[str, Any]:
    """How the HTTP server treats connections, for ``waarom serve`` and its tests alike."""
    # A handler is not cancelled when its client goes away: work it started (an answer being
    # stored) finishes.
    return {"keepalive_timeout": HEADER_SECONDS, "handler_cancellation": False}


def raise_descriptor_limit() -> None:
    """Use every file descriptor the system allows this process (the soft limit is often
    1,024, the hard one far higher): each open connection holds one."""
    try:
        import resource
    except ImportError:  # not on this platform
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            log.info("could not raise the file descriptor limit from %d", soft)


def serve(services: Services, *, host: str | None, port: int) -> None:
    raise_descriptor_limit()
    web.run_app(create_app(services), host=host, port=port, print=None, **server_options())


def create_app(services: Services) -> web.Application:
    app = web.Application(client_max_size=2 * 1024 * 1024)
    app[SERVICES] = services
    app.router.add_get("/healthz", healthz)
    _mount_feedback(app, services)
    registry.mount(app, services)

    async def close_services(_app: web.Application) -> None:
        await services.close()

    app.on_cleanup.append(close_services)
    return app
