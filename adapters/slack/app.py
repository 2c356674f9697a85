"""The Bolt app, built from the settings, and its routes on the ``waarom serve`` server.

Everything Bolt needs is passed explicitly (signing secret, token or OAuth settings, the
Web API base URL); nothing is read from the environment here. Two install modes:

* one workspace: ``SLACK_BOT_TOKEN`` + ``SLACK_SIGNING_SECRET``;
* many workspaces: ``SLACK_CLIENT_ID`` + ``SLACK_CLIENT_SECRET`` (+ ``SLACK_SIGNING_SECRET``,
  ``SLACK_STATE_SECRET``, ``WAAROM_SECRET_KEY``): OAuth at ``/slack/install``, tokens in the
  database, encrypted.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import ClientSession, ClientTimeout, web
from cryptography.fernet import Fernet
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import installs, signing
from adapters.slack.authorize import StoredAuthorize, TokenAuthorize
from adapters.slack.background import Background
from adapters.slack.inbound import Core, Listeners
from adapters.slack.logs import api_logger
from adapters.slack.outbound import Sender, TokenLookup
from bot.bootstrap import Services
from bot.config import Settings, SettingsError

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# What the bot may do; keep in step with manifest.yml.
BOT_SCOPES = (
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "groups:history",
    "groups:read",
    "im:history",
    "im:write",
    "users:read",
)
RATE_LIMIT_RETRIES = 3
# How long a stopping server waits for replies still on their way to Slack (what they are
# about is stored before its acknowledgement).
SHUTDOWN_GRACE = 20.0


@dataclass
class SlackApp:
    bolt: AsyncApp
    sender: Sender
    oauth: bool
    # Replies still to send after an acknowledgement.
    background: Background
    # One workspace: learns who the bot is (auth.test) without a request waiting for it.
    identity: TokenAuthorize | None = None


def configured(settings: Settings, *, socket: bool = False) -> str | None:
    """None when Slack can run with these settings, else why not (one line)."""
    if settings.slack_client_id and settings.slack_client_secret:
        if socket:
            return None
        if settings.slack_signing_secret is None:
            return "SLACK_SIGNING_SECRET is not set"
        return None
    if settings.slack_bot_token is None:
        return "neither SLACK_BOT_TOKEN nor SLACK_CLIENT_ID/SLACK_CLIENT_SECRET is set"
    if not socket and settings.slack_signing_secret is None:
        return "SLACK_SIGNING_SECRET is not set"
    return None


def web_client(settings: Settings, token: str | None = None) -> AsyncWebClient:
    client = AsyncWebClient(token=token, base_url=settings.slack_api_url, logger=api_logger())
    # On HTTP 429 wait for Retry-After and try again, instead of failing the request.
    client.retry_handlers.append(
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)
    )
    return client


def _fernet(settings: Settings) -> Fernet:
    if settings.waarom_secret_key is None:
        raise SettingsError(
            "WAAROM_SECRET_KEY: required with SLACK_CLIENT_ID (Slack tokens are stored encrypted); "
            "create one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`"
        )
    try:
        return Fernet(settings.waarom_secret_key.get_secret_value())
    except ValueError as exc:
        raise SettingsError(f"WAAROM_SECRET_KEY: not a Fernet key ({exc})") from None


def build(services: Services, core: Core | None = None, *, socket: bool = False) -> SlackApp:
    """The Bolt app with Waarom's listeners. ``core`` defaults to :mod:`bot.chat`."""
    if core is None:
        from bot import chat

        core = chat
    settings = services.settings
    problem = configured(settings, socket=socket)
    if problem:
        raise SettingsError(f"Slack is not configured: {problem}")
    signing_secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    )

    tokens: TokenLookup
    store: installs.InstallationStore | None = None
    identity: TokenAuthorize | None = None
    if settings.slack_client_id and settings.slack_client_secret:
        store = installs.InstallationStore(services, settings.slack_client_id, _fernet(settings))
        oauth_settings = AsyncOAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret.get_secret_value(),
            scopes=list(BOT_SCOPES),
            user_scopes=[],
            redirect_uri=None,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            installation_store=store,
            installation_store_bot_only=True,
            state_store=installs.state_store(services),
        )
        if settings.slack_state_secret is not None:
            oauth_settings.state_utils = installs.SignedStateUtils(
                settings.slack_state_secret.get_secret_value(),
                cookie_name=oauth_settings.state_cookie_name,
                expiration_seconds=oauth_settings.state_expiration_seconds,
            )
        client = web_client(settings)
        bolt = AsyncApp(
            client=client,
            signing_secret=signing_secret,
            oauth_settings=oauth_settings,
            installation_store_bot_only=True,
            # The bot's token and ids as stored at install time: no auth.test per request.
            # (Bolt takes an AsyncAuthorize as it is; its annotation names only functions.)
            authorize=StoredAuthorize(store),  # type: ignore[arg-type]
            # Acknowledge when the listener returns: after what the request stores.
            process_before_response=True,
            name="waarom",
        )
        found_store = store

        async def oauth_tokens(workspace_id: str) -> str | None:
            bot = await found_store.async_find_bot(enterprise_id=None, team_id=workspace_id)
            return bot.bot_token if bot is not None else None

        tokens = oauth_tokens
    else:
        assert settings.slack_bot_token is not None
        token = settings.slack_bot_token.get_secret_value()
        identity = TokenAuthorize(web_client(settings, token))
        bolt = AsyncApp(
            # The token comes with each request from ``identity``.
            client=web_client(settings),
            signing_secret=signing_secret,
            authorize=identity,  # type: ignore[arg-type]
            process_before_response=True,
            name="waarom",
        )

        async def single_token(_workspace_id: str) -> str | None:
            return token

        tokens = single_token

    listeners = Listeners(services, core, tokens, store, identity)
    listeners.register(bolt)
    sender = Sender(services, tokens, web_client(settings))
    return SlackApp(
        bolt=bolt,
        sender=sender,
        oauth=store is not None,
        background=listeners.background,
        identity=identity,
    )


async def share_connections(slack: SlackApp) -> ClientSession:
    """One HTTP session for every Web API call of this process. Bolt makes a client per
    request and the SDK a session (a new connection) per call unless its client has one."""
    session = ClientSession(timeout=ClientTimeout(total=slack.bolt.client.timeout))
    slack.bolt.client.session = session
    slack.sender.client.session = session
    return session


SLACK: web.AppKey[SlackApp] = web.AppKey("slack", SlackApp)


def mount(app: web.Application, services: Services, core: Core | None = None) -> SlackApp | None:
    """Add the Slack routes to the ``waarom serve`` application, if Slack is configured."""
    problem = configured(services.settings)
    if problem:
        log.warning("Slack not mounted: %s", problem)
        return None
    slack = build(services, core)
    bolt = slack.bolt
    assert services.settings.slack_signing_secret is not None  # configured() says so
    secret = services.settings.slack_signing_secret.get_secret_value()
    refusals = signing.Refusals()

    async def events(request: web.Request) -> web.Response:
        # Signed by Slack, and of a size Slack sends, before Bolt parses a byte of it.
        body, refusal = await signing.signed_body(request, secret, refusals)
        if refusal is not None:
            return refusal
        assert body is not None
        try:
            bolt_request = AsyncBoltRequest(
                body=body.decode("utf-8"),
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]
            )
        except (ValueError, RecursionError):
            # Signed, so from Slack, yet not a body Slack sends (not UTF-8, not parseable).
            log.warning("Slack route: a signed request with a body that cannot be read")
            return web.Response(status=400, text="unreadable body")
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    app.router.add_post(EVENTS_PATH, events)
    flow = bolt.oauth_flow
    if flow is not None:

        async def install(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await flow.handle_installation(await to_bolt_request(request))
            )

        async def redirect(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await flow.handle_callback(await to_bolt_request(request))
            )

        app.router.add_get(INSTALL_PATH, install)
        app.router.add_get(REDIRECT_PATH, redirect)
    app[SLACK] = slack

    async def connections(_app: web.Application) -> AsyncIterator[None]:
        session = await share_connections(slack)
        if slack.identity is not None:
            slack.identity.learn()
        yield
        await session.close()

    async def finish_background(_app: web.Application) -> None:
        # Replies under way get a moment to reach Slack; what they are about is stored.
        await slack.background.drain(SHUTDOWN_GRACE)

    app.cleanup_ctx.append(connections)
    app.on_shutdown.append(finish_background)
    log.info(
        "Slack mounted at %s (%s)",
        EVENTS_PATH,
        "OAuth, many workspaces" if slack.oauth else "one workspace",
    )
    return slack
