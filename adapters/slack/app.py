"""The Bolt app, built from the settings, and its routes on the ``waarom serve`` server.

Everything Bolt needs is passed explicitly (signing secret, token or OAuth settings, the
Web API base URL) from :class:`~adapters.slack.settings.SlackSettings`; nothing is read from
the environment here. The two install modes (one workspace, or many through OAuth) are
described there.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiohttp import ClientSession, ClientTimeout, web
from cryptography.fernet import Fernet
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
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
from adapters.slack.settings import SlackSettings
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


@dataclass
class _Install:
    """How Bolt finds a workspace's token: the install mode's half of the app."""

    bolt: AsyncApp
    tokens: TokenLookup
    store: installs.InstallationStore | None = None
    identity: TokenAuthorize | None = None


def web_client(settings: SlackSettings, token: str | None = None) -> AsyncWebClient:
    client = AsyncWebClient(token=token, base_url=settings.api_url, logger=api_logger())
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


def _signing_secret(slack: SlackSettings) -> str:
    return slack.signing_secret.get_secret_value() if slack.signing_secret else ""


def _oauth_settings(
    slack: SlackSettings, store: installs.InstallationStore, services: Services
) -> AsyncOAuthSettings:
    assert slack.client_id is not None
    assert slack.client_secret is not None
    oauth_settings = AsyncOAuthSettings(
        client_id=slack.client_id,
        client_secret=slack.client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=None,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=store,
        installation_store_bot_only=True,
        state_store=installs.state_store(services),
    )
    if slack.state_secret is not None:
        oauth_settings.state_utils = installs.SignedStateUtils(
            slack.state_secret.get_secret_value(),
            cookie_name=oauth_settings.state_cookie_name,
            expiration_seconds=oauth_settings.state_expiration_seconds,
        )
    return oauth_settings


def _many_workspaces(services: Services, slack: SlackSettings) -> _Install:
    """OAuth: each workspace's token as stored at install time, encrypted."""
    assert slack.client_id is not None
    store = installs.InstallationStore(services, slack.client_id, _fernet(services.settings))
    bolt = AsyncApp(
        client=web_client(slack),
        signing_secret=_signing_secret(slack),
        oauth_settings=_oauth_settings(slack, store, services),
        installation_store_bot_only=True,
        # The bot's token and ids as stored at install time: no auth.test per request.
        # (Bolt takes an AsyncAuthorize as it is; its annotation names only functions.)
        authorize=StoredAuthorize(store),  # type: ignore[arg-type]
        # Acknowledge when the listener returns: after what the request stores.
        process_before_response=True,
        name="waarom",
    )

    async def oauth_tokens(workspace_id: str) -> str | None:
        bot = await store.async_find_bot(enterprise_id=None, team_id=workspace_id)
        return bot.bot_token if bot is not None else None

    return _Install(bolt, oauth_tokens, store=store)


def _one_workspace(slack: SlackSettings) -> _Install:
    """One token (``SLACK_BOT_TOKEN``) for the one workspace the app is installed in."""
    assert slack.bot_token is not None
    token = slack.bot_token.get_secret_value()
    identity = TokenAuthorize(web_client(slack, token))
    bolt = AsyncApp(
        # The token comes with each request from ``identity``.
        client=web_client(slack),
        signing_secret=_signing_secret(slack),
        authorize=identity,  # type: ignore[arg-type]
        process_before_response=True,
        name="waarom",
    )

    async def single_token(_workspace_id: str) -> str | None:
        return token

    return _Install(bolt, single_token, identity=identity)


def build(services: Services, core: Core | None = None, *, socket: bool = False) -> SlackApp:
    """The Bolt app with Waarom's listeners. ``core`` defaults to :mod:`bot.chat`."""
    if core is None:
        from bot import chat

        core = chat
    slack = services.settings.part(SlackSettings)
    problem = slack.missing(socket=socket)
    if problem:
        raise SettingsError(f"Slack is not configured: {problem}")
    install = _many_workspaces(services, slack) if slack.oauth else _one_workspace(slack)
    listeners = Listeners(services, core, install.tokens, install.store, install.identity)
    listeners.register(install.bolt)
    return SlackApp(
        bolt=install.bolt,
        sender=Sender(services, install.tokens, web_client(slack)),
        oauth=install.store is not None,
        background=listeners.background,
        identity=install.identity,
    )


async def share_connections(slack: SlackApp) -> ClientSession:
    """One HTTP session for every Web API call of this process. Bolt makes a client per
    request and the SDK a session (a new connection) per call unless its client has one."""
    session = ClientSession(timeout=ClientTimeout(total=slack.bolt.client.timeout))
    slack.bolt.client.session = session
    slack.sender.client.session = session
    return session


SLACK: web.AppKey[SlackApp] = web.AppKey("slack", SlackApp)


def _events_route(bolt: AsyncApp, secret: str) -> Callable[[web.Request], Awaitable[web.Response]]:
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

    return events


def _add_oauth_routes(app: web.Application, flow: AsyncOAuthFlow) -> None:
    async def install(request: web.Request) -> web.Response:
        return await to_aiohttp_response(
            await flow.handle_installation(await to_bolt_request(request))
        )

    async def redirect(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

    app.router.add_get(INSTALL_PATH, install)
    app.router.add_get(REDIRECT_PATH, redirect)


def _add_lifecycle(app: web.Application, slack: SlackApp) -> None:
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


def mount(app: web.Application, services: Services, core: Core | None = None) -> SlackApp | None:
    """Add the Slack routes to the ``waarom serve`` application, if Slack is configured."""
    settings = services.settings.part(SlackSettings)
    problem = settings.missing()
    if problem:
        log.warning("Slack not mounted: %s", problem)
        return None
    assert settings.signing_secret is not None  # missing() says so
    slack = build(services, core)
    app.router.add_post(
        EVENTS_PATH, _events_route(slack.bolt, settings.signing_secret.get_secret_value())
    )
    if slack.bolt.oauth_flow is not None:
        _add_oauth_routes(app, slack.bolt.oauth_flow)
    app[SLACK] = slack
    _add_lifecycle(app, slack)
    log.info(
        "Slack mounted at %s (%s)",
        EVENTS_PATH,
        "OAuth, many workspaces" if slack.oauth else "one workspace",
    )
    return slack
