"""``POST /api/messages``: the Bot Framework endpoint on the shared aiohttp app.

The request is authenticated before the bot sees it: with an app id configured, the SDK
validates the JWT Teams sends; a missing, malformed or wrong token (or any failure to check
it) is a 401, never a 500. Without an app id the bot runs for the Bot Framework Emulator
without authentication, and then only answers activities whose ``serviceUrl`` is on this
machine: an unauthenticated endpoint must not be usable to make the server post elsewhere.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlsplit

from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import BotFrameworkAuthentication

from bot.config import Settings

log = logging.getLogger(__name__)


def authentication(settings: Settings, **overrides: object) -> BotFrameworkAuthentication:
    """The SDK's authentication from our settings. ``overrides`` take the SDK's configuration
    names (``TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL`` …), for sovereign clouds and tests."""
    configuration = SimpleNamespace(
        APP_ID=settings.microsoft_app_id,
        APP_PASSWORD=settings.microsoft_app_password.get_secret_value(),
        APP_TYPE=settings.microsoft_app_type,
        APP_TENANTID=settings.microsoft_app_tenant_id,
        **overrides,
    )
    return ConfigurationBotFrameworkAuthentication(configuration)


def is_loopback(url: str | None) -> bool:
    host = urlsplit(url or "").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Endpoint:
    adapter: CloudAdapter
    auth: BotFrameworkAuthentication
    bot: object
    emulator: bool

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415, text="expected application/json")
        try:
            body = await request.json()
            activity = Activity().deserialize(body)
        except Exception:  # not JSON, or not an activity
            return web.Response(status=400, text="expected a Bot Framework activity")
        if not isinstance(body, dict) or not activity.type:
            return web.Response(status=400, text="expected a Bot Framework activity")

        try:
            authenticated = await self.auth.authenticate_request(
                activity, request.headers.get("Authorization", "")
            )
        except Exception as exc:  # PermissionError, JWT errors, unreachable key endpoints …
            log.info("refused a request: %s: %s", type(exc).__name__, exc)
            return web.Response(status=401, text="unauthorized")
        if self.emulator and not is_loopback(activity.service_url):
            log.warning(
                "emulator mode: refused an activity for serviceUrl %r", activity.service_url
            )
            return web.Response(status=401, text="set MICROSOFT_APP_ID to accept Teams traffic")

        invoke = await self.adapter.process_activity(authenticated, activity, self.bot.on_turn)  # type: ignore[attr-defined]
        if invoke:
            return web.json_response(data=serializer_helper(invoke.body), status=invoke.status)
        return web.Response(status=201)
