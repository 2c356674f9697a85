"""What every Slack listener shares: the core and the services, what Slack says about
people, and the two halves of a request, the write before the acknowledgement and the
replies after it.

Store, then acknowledge. Each listener first makes the core call that writes (an answer, a
click, a command, an event) and acknowledges only when it has returned, so Slack's 200 means
the write is committed: a process killed a moment later loses nothing anyone was told was
saved, and a modal closes only on an answer that is stored. Bolt runs with
``process_before_response``, so events too are acknowledged when their listener returns.
Only the write comes before the acknowledgement: replies, message updates, modals and
similar-idea suggestions are sent after it (:mod:`adapters.slack.background`). No Slack call
stands in front of a write except a ``users.info`` or ``conversations.info`` the core needs,
and that one waits at most :data:`~adapters.slack.authorize.LOOKUP_WAIT` seconds.

Each request is handled once (see :mod:`adapters.slack.once`); a failed write gives its
request's key back. Errors are logged with the request's context and, where someone is
waiting for an answer, told to them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import once
from adapters.slack.authorize import TokenAuthorize
from adapters.slack.background import Background
from adapters.slack.outbound import Reply, TokenLookup, deliver
from adapters.slack.payloads import PLATFORM, origin, team_id_of, user_id_of, where
from adapters.slack.profiles import Profile, Profiles
from bot.bootstrap import Services
from bot.chat import SavedForm
from bot.chat.origin import Origin
from bot.messages import Form, Message, Outcome
from bot.storage import directory

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on our side and nothing was changed. Please try again."

T = TypeVar("T")


class Core(Protocol):
    """The core functions the Slack adapter calls (:mod:`bot.chat`)."""

    async def handle_text(self, services: Services, origin: Origin, text: str) -> list[Outcome]: ...

    async def handle_action(
        self, services: Services, origin: Origin, action: str, value: str
    ) -> list[Outcome]: ...

    def check_form(
        self, services: Services, form_id: str, values: dict[str, str], language: str
    ) -> dict[str, str]: ...

    async def save_form(
        self, services: Services, origin: Origin, form_id: str, context: str, values: dict[str, str]
    ) -> SavedForm: ...

    async def after_form(self, services: Services, saved: SavedForm) -> list[Outcome]: ...

    async def home(self, services: Services, origin: Origin) -> Message: ...

    async def joined(self, services: Services, origin: Origin) -> list[Outcome]: ...

    async def feedback_form(self, services: Services, origin: Origin, prefill: str) -> Form: ...

    async def conversation_removed(self, services: Services, origin: Origin) -> None: ...

    async def workspace_removed(
        self, services: Services, platform: str, workspace_id: str
    ) -> None: ...


class Handling:
    def __init__(
        self,
        services: Services,
        core: Core,
        tokens: TokenLookup,
        installation_store: AsyncInstallationStore | None = None,
        identity: TokenAuthorize | None = None,
    ) -> None:
        self.services = services
        self.core = core
        self.tokens = tokens
        self.installation_store = installation_store
        # One workspace: who the bot is comes from auth.test (OAuth: from the install).
        self.identity = identity
        self.profiles = Profiles()
        self.background = Background()

    def origin(
        self,
        team_id: str,
        channel_id: str,
        user_id: str,
        profile: Profile | None = None,
        **details: Any,
    ) -> Origin:
        """Where a request came from, as the core sees it (:func:`payloads.origin`)."""
        return origin(team_id, channel_id, user_id, profile, home=self.home(team_id), **details)

    def home(self, team_id: str) -> bool:
        """Whether ``team_id`` is the operator's own workspace: the one a single-workspace
        token belongs to (an app with one token is installed in one workspace; once
        ``auth.test`` has said which, any other is not). OAuth installs are the operator's
        only when listed (:mod:`bot.storage.orgs`)."""
        if self.identity is None:
            return False
        return self.identity.team_id in (None, team_id)

    async def write(
        self, what: str, body: dict[str, Any], work: Callable[[], Awaitable[T]]
    ) -> T | None:
        """Run a request's write (before its acknowledgement); None when it failed, which
        is logged with the request's context."""
        try:
            with self.background.writing():
                return await work()
        except Exception:
            log.exception("Slack %s failed (%s)", what, where(body))
            await self.give_back(body)
            return None

    async def replay_guard(
        self,
        body: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond | None,
        next: Callable[[], Awaitable[None]],
    ) -> BoltResponse | None:
        """The Bolt middleware in front of every listener: a request seen before goes no
        further (:mod:`adapters.slack.once`)."""
        key = once.key_of(body)
        if key is None:
            await next()
            return None
        try:
            first = await once.first(self.services, key)
        except Exception:
            # Nothing recorded and nothing handled: as when a write fails, acknowledged and
            # the person told that nothing was changed.
            log.exception("Slack request: its key could not be recorded (%s)", where(body))
            self._apologise(body, client, respond)
            return BoltResponse(status=200, body="")
        if first:
            await next()
            return None
        log.info("ignored a repeated Slack request (%s)", key.key.split(":", 1)[0])
        return BoltResponse(status=200, body="")

    def _apologise(
        self, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond | None
    ) -> None:
        if body.get("type") == "event_callback":
            return  # nobody is waiting for an answer to an event
        channel = (body.get("channel") or {}).get("id") or body.get("channel_id", "")
        reply = Reply(
            client=client,
            workspace_id=team_id_of(body),
            user_id=user_id_of(body),
            channel_id=channel,
            respond=respond if body.get("response_url") else None,
        )
        self.then("request", body, reply, None)

    async def give_back(self, body: dict[str, Any]) -> None:
        """A failed request is not taken as handled: Slack's retry, or the person's second
        try, is handled (:mod:`adapters.slack.once`)."""
        try:
            await once.release(self.services, body)
        except Exception:
            log.exception("could not release the request's replay key (%s)", where(body))

    def then(
        self, what: str, body: dict[str, Any], reply: Reply, outcomes: list[Outcome] | None
    ) -> None:
        """After the acknowledgement: perform the outcomes, or tell the person that nothing
        was changed when the write failed."""
        if outcomes is None:
            self.background.start(what, lambda: self.sorry(reply))
        elif outcomes:
            self.background.start(what, lambda: self.deliver(what, body, reply, outcomes))

    async def deliver(
        self, what: str, body: dict[str, Any], reply: Reply, outcomes: list[Outcome]
    ) -> None:
        try:
            await deliver(self.services, reply, outcomes, self.tokens)
        except Exception:
            log.exception("Slack %s: the reply failed (%s)", what, where(body))

    async def sorry(self, reply: Reply) -> None:
        try:
            if reply.respond is not None:
                await reply.respond(text=SORRY, response_type="ephemeral", replace_original=False)
            elif reply.channel_id:
                await reply.client.chat_postEphemeral(
                    channel=reply.channel_id, user=reply.user_id, text=SORRY
                )
        except Exception:
            log.exception("could not tell the user about the failure either")

    async def conversation(self, team: str, channel: str, user: str) -> str | None:
        """The conversation a request belongs to. A click on the App Home, or a form opened
        there, names none: it belongs to the member's own team (never to a team made up
        from an empty conversation id)."""
        if channel:
            return channel
        async with self.services.sessions() as session:
            return await directory.home_conversation(session, PLATFORM, team, user)
