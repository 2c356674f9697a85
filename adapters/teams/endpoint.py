"""``POST /api/messages``: the Bot Framework endpoint on the shared aiohttp app.

What is checked, in this order, and what a failure gets (the connection is closed after any
refusal made before the body was read, so an unread body is never drained either):

1. the ``Authorization`` header has the form of a Bot Framework token — else 401;
2. the body is JSON and declares at most :data:`MAX_BODY` bytes — else 415 / 413;
3. the token is signed by a key its issuer publishes and is within its validity period
   (:mod:`.tokens`; keys from :mod:`.keys`, fetched without blocking) — else 401, or 503
   while no keys can be had;
4. only now the body is read (at most :data:`MAX_BODY` bytes, counted as they arrive — else
   413) and parsed (in a thread when large) — else 400;
5. the SDK checks the token's claims against the activity (audience, the channel's
   endorsement, the ``serviceurl`` claim) — else 401; an activity that names no tenant and
   does not come from the Emulator — 400.

A client that sends ``Expect: 100-continue`` gets steps 1–3 before it is asked for the body.

In emulator mode (:mod:`.emulator`) there is no token: steps 1 and 3 and 5's claims are
skipped, and an activity is answered only if its ``serviceUrl`` is on the configured list
(else 403).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticationConstants, BotFrameworkAuthentication

from adapters.http_body import read_capped
from adapters.teams.addresses import has_tenant
from adapters.teams.emulator import Emulator
from adapters.teams.keys import KeysUnavailable, SigningKeys, install
from adapters.teams.settings import TeamsSettings
from adapters.teams.tokens import TokenCheck, Unauthorized, bearer_token
from bot.config import Settings

log = logging.getLogger(__name__)

# The Bot Connector refuses activities over 262,144 bytes itself (MessageSizeTooBig); a Teams
# message is at most about 100 KB.
MAX_BODY = 256 * 1024
# Bodies larger than this are parsed in a thread, so one cannot hold up the event loop.
PARSE_INLINE = 32 * 1024
# While the signing keys cannot be fetched (the key endpoint retries after a minute).
RETRY_AFTER = {"Retry-After": "30"}
EMULATOR_CHANNEL = "emulator"


@dataclass
class Authentication:
    """The SDK's authentication plus the key caches both it and :class:`TokenCheck` use."""

    sdk: BotFrameworkAuthentication
    tokens: TokenCheck


def authentication(settings: Settings, **overrides: Any) -> Authentication:
    """The SDK's authentication from our settings. ``overrides`` take the SDK's configuration
    names (``TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL`` …), for sovereign clouds and tests;
    ``keys`` may set :class:`SigningKeys` options (``clock``, ``timeout`` …)."""
    key_options: dict[str, Any] = overrides.pop("keys", {})
    teams = settings.part(TeamsSettings)
    configuration = SimpleNamespace(
        APP_ID=teams.app_id,
        APP_PASSWORD=teams.app_password.get_secret_value(),
        APP_TYPE=teams.app_type,
        APP_TENANTID=teams.app_tenant_id,
        **overrides,
    )
    channel_url = overrides.get(
        "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL",
        AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
    )
    aad_url = overrides.get(
        "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL",
        AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
    )
    channel_keys = SigningKeys(channel_url, **key_options)
    aad_keys = channel_keys if aad_url == channel_url else SigningKeys(aad_url, **key_options)
    install(channel_keys, aad_keys)
    issuer = overrides.get(
        "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER", AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
    )
    return Authentication(
        ConfigurationBotFrameworkAuthentication(configuration),
        TokenCheck(channel_keys, aad_keys, issuer),
    )


def _refuse(status: int, text: str, **headers: str) -> web.Response:
    response = web.Response(status=status, text=text, headers=headers)
    # The body may be unread: close rather than let the server drain it for keep-alive.
    response.force_close()
    return response


def parse_activity(body: bytes) -> Activity | None:
    try:
        raw = json.loads(body)
        if not isinstance(raw, dict):
            return None
        activity = Activity().deserialize(raw)
    except Exception:  # not JSON, nested too deep, or not an activity
        return None
    return activity if isinstance(activity.type, str) and activity.type else None


@dataclass
class Endpoint:
    adapter: CloudAdapter
    auth: BotFrameworkAuthentication
    bot: Any
    tokens: TokenCheck | None
    emulator: Emulator | None = None

    async def before_body(self, request: web.Request) -> web.Response | None:
        """Steps 1–3: a refusal, or ``None`` when the body may be read."""
        token = None
        if self.emulator is None:
            token = bearer_token(request.headers.get("Authorization"))
            if token is None or self.tokens is None:
                return _refuse(401, "unauthorized")
        if "application/json" not in request.headers.get("Content-Type", ""):
            return _refuse(415, "expected application/json")
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _refuse(413, "activity too large")
        if token is not None and self.tokens is not None:  # (always both, or emulator mode)
            try:
                await self.tokens.verify(token)
            except Unauthorized as exc:
                log.info("refused a request: %s", exc)
                return _refuse(401, "unauthorized")
            except KeysUnavailable:
                return _refuse(503, "cannot check tokens now", **RETRY_AFTER)
        return None

    async def expect(self, request: web.Request) -> web.StreamResponse | None:
        """``Expect: 100-continue``: ask for the body only if steps 1–3 pass."""
        refusal = await self.before_body(request)
        if refusal is not None:
            return refusal
        if request.headers.get("Expect", "").lower() != "100-continue":
            return _refuse(417, "unknown Expect")
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.writer.output_size = 0
        return None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        refusal = await self.before_body(request)
        if refusal is not None:
            return refusal
        try:
            body = await read_capped(request, MAX_BODY)
        except TimeoutError:
            return _refuse(408, "the activity did not arrive in time")
        if body is None:
            return _refuse(413, "activity too large")
        if len(body) > PARSE_INLINE:
            activity = await asyncio.to_thread(parse_activity, body)
        else:
            activity = parse_activity(body)
        if activity is None:
            return web.Response(status=400, text="expected a Bot Framework activity")
        if self.emulator is not None:
            if not self.emulator.admits(activity.service_url):
                log.warning(
                    "emulator mode: refused an activity for serviceUrl %r (not in "
                    "WAAROM_TEAMS_EMULATOR_URLS)",
                    str(activity.service_url)[:200],
                )
                return web.Response(status=403, text="serviceUrl not allowed in emulator mode")
            header = ""
        else:
            header = request.headers.get("Authorization", "")
        return await self._turn(activity, header)

    async def _turn(self, activity: Activity, header: str) -> web.StreamResponse:
        try:
            authenticated = await self.auth.authenticate_request(activity, header)
        except KeysUnavailable:
            return web.Response(status=503, text="cannot check tokens now", headers=RETRY_AFTER)
        except Exception as exc:  # PermissionError, JWT errors …
            log.info("refused a request: %s: %s", type(exc).__name__, exc)
            return web.Response(status=401, text="unauthorized")
        # Every Teams activity names its tenant, which decides whose data it sees; only the
        # Emulator's have none (they are NO_TENANT's).
        if (
            self.emulator is None
            and activity.channel_id != EMULATOR_CHANNEL
            and not has_tenant(activity)
        ):
            log.warning("refused a %r activity without a tenant", str(activity.channel_id)[:40])
            return web.Response(status=400, text="expected a Teams activity with a tenant")
        invoke = await self.adapter.process_activity(authenticated, activity, self.bot.on_turn)
        if invoke:
            return web.json_response(data=serializer_helper(invoke.body), status=invoke.status)
        return web.Response(status=201)
