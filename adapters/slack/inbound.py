"""What comes in: Bolt listeners that turn Slack requests into core calls.

Store, then acknowledge. Each listener first makes the core call that writes (an answer, a
click, a command, an event) and acknowledges only when it has returned, so Slack's 200 means
the write is committed: a process killed a moment later loses nothing anyone was told was
saved, and a modal closes only on an answer that is stored. Bolt runs with
``process_before_response``, so events too are acknowledged when their listener returns.
Only the write comes before the acknowledgement: replies, message updates, modals and
similar-idea suggestions are sent after it (:mod:`adapters.slack.background`). No Slack call
stands in front of a write except a ``users.info`` or ``conversations.info`` the core needs,
and that one waits at most :data:`~adapters.slack.authorize.LOOKUP_WAIT` seconds.

Each request is handled once (see :mod:`adapters.slack.replay`). Errors are logged with the
request's context and, where someone is waiting for an answer, told to them.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render, replay
from adapters.slack.authorize import TokenAuthorize
from adapters.slack.background import Background
from adapters.slack.outbound import Reply, TokenLookup, deliver
from adapters.slack.profiles import Profile, Profiles, channel_name
from bot import directory
from bot.bootstrap import Services
from bot.chat import SavedForm
from bot.messages import Form, FormErrors, Message, OpenForm, Outcome
from bot.origin import Origin

log = logging.getLogger(__name__)

PLATFORM = "slack"
COMMAND = "/waarom"
FEEDBACK_SHORTCUT = "log_feedback"
SORRY = "Sorry, something went wrong on our side and nothing was changed. Please try again."
SORRY_FORM = "Something went wrong on our side and nothing was saved; your text is still here."
# Reading what to say about a stored answer (similar ideas) takes a database connection;
# this many at once leave the pool to the writes.
AFTER_FORM_READS = 4
# A user mention in command text, as Slack escapes it: <@U123> or <@U123|anna>.
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")

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


def _problems(outcomes: tuple[Outcome, ...]) -> dict[str, str]:
    problems: dict[str, str] = {}
    for outcome in outcomes:
        if isinstance(outcome, FormErrors):
            problems.update(outcome.errors)
    return problems


def _on_fields(problems: dict[str, str], values: dict[str, str]) -> dict[str, str]:
    """Slack shows errors under fields; a problem without a field goes on the first one."""
    known = {name: text for name, text in problems.items() if name in values}
    other = "; ".join(text for name, text in problems.items() if name not in values)
    if other and values:
        first = next(iter(values))
        known[first] = f"{known[first]}; {other}" if first in known else other
    return known


def _team_id(body: dict[str, Any]) -> str:
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    return str(body.get("team_id") or (body.get("view") or {}).get("team_id") or "")


def _user_id(body: dict[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id", ""))
    return str(body.get("user_id", ""))


def _where(body: dict[str, Any]) -> str:
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id", "")
    return f"workspace {_team_id(body)}, user {_user_id(body)}, channel {channel}"


def command_text(raw: str) -> tuple[str, tuple[str, ...]]:
    """Command text as Slack escapes it → the text as the person saw it, and the user ids
    it mentions, in order (``settings leads @anna @piet``)."""
    mentions = tuple(dict.fromkeys(MENTION.findall(raw)))
    return render.plain_from_slack(raw).strip(), mentions


def origin(
    team_id: str,
    channel_id: str,
    user_id: str,
    profile: Profile | None = None,
    *,
    team_name: str = "",
    channel_name: str = "",
    mentions: tuple[str, ...] = (),
) -> Origin:
    profile = profile or Profile()
    direct = channel_id.startswith("D") or channel_name == "directmessage"
    return Origin(
        platform=PLATFORM,
        workspace_id=team_id,
        conversation_id=channel_id,
        user_id=user_id,
        workspace_name=team_name,
        conversation_name="" if direct else channel_name,
        user_name=profile.name,
        user_timezone=profile.timezone,
        user_is_admin=profile.is_admin,
        conversation_address={"channel": channel_id} if channel_id else None,
        user_address={"user": user_id, **({"channel": channel_id} if direct else {})},
        direct=direct,
        mentions=mentions,
    )


class Listeners:
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
        self._reads = asyncio.Semaphore(AFTER_FORM_READS)

    def register(self, bolt: AsyncApp) -> None:
        bolt.command(COMMAND)(self.command)
        bolt.block_action(re.compile(r".+"))(self.button)
        bolt.view_submission(render.FORM_CALLBACK)(self.submit)
        bolt.view_closed(render.FORM_CALLBACK)(self.closed)
        bolt.message_shortcut(FEEDBACK_SHORTCUT)(self.shortcut)
        bolt.event("app_home_opened")(self.home_opened)
        bolt.event("member_joined_channel")(self.member_joined)
        bolt.event("channel_left")(self.left)
        bolt.event("group_left")(self.left)
        bolt.event("app_uninstalled")(self.uninstalled)
        bolt.event("tokens_revoked")(self.tokens_revoked)

    # --- before and after the acknowledgement ---------------------------------------

    async def _write(
        self, what: str, body: dict[str, Any], work: Callable[[], Awaitable[T]]
    ) -> T | None:
        """Run a request's write (before its acknowledgement); None when it failed, which
        is logged with the request's context."""
        try:
            with self.background.writing():
                return await work()
        except Exception:
            log.exception("Slack %s failed (%s)", what, _where(body))
            return None

    def _then(
        self, what: str, body: dict[str, Any], reply: Reply, outcomes: list[Outcome] | None
    ) -> None:
        """After the acknowledgement: perform the outcomes, or tell the person that nothing
        was changed when the write failed."""
        if outcomes is None:
            self.background.start(what, lambda: self._sorry(reply))
        elif outcomes:
            self.background.start(what, lambda: self._deliver(what, body, reply, outcomes))

    async def _deliver(
        self, what: str, body: dict[str, Any], reply: Reply, outcomes: list[Outcome]
    ) -> None:
        try:
            await deliver(self.services, reply, outcomes, self.tokens)
        except Exception:
            log.exception("Slack %s: the reply failed (%s)", what, _where(body))

    async def _sorry(self, reply: Reply) -> None:
        try:
            if reply.respond is not None:
                await reply.respond(text=SORRY, response_type="ephemeral", replace_original=False)
            elif reply.channel_id:
                await reply.client.chat_postEphemeral(
                    channel=reply.channel_id, user=reply.user_id, text=SORRY
                )
        except Exception:
            log.exception("could not tell the user about the failure either")

    async def _conversation(self, team: str, channel: str, user: str) -> str | None:
        """The conversation a request belongs to. A click on the App Home, or a form opened
        there, names none: it belongs to the member's own team (never to a team made up
        from an empty conversation id)."""
        if channel:
            return channel
        async with self.services.sessions() as session:
            return await directory.home_conversation(session, PLATFORM, team, user)

    # --- slash command ---------------------------------------------------------------

    async def command(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        team, user, channel = (
            body.get("team_id", ""),
            body.get("user_id", ""),
            body.get("channel_id", ""),
        )
        reply = Reply(
            client=client,
            workspace_id=team,
            user_id=user,
            channel_id=channel,
            trigger_id=body.get("trigger_id", ""),
            respond=respond,
        )

        async def write() -> list[Outcome]:
            if not await replay.first_time(self.services, f"command:{body.get('trigger_id')}"):
                return []
            profile = await self.profiles.get(client, team, user)
            text, mentions = command_text(body.get("text") or "")
            where = origin(
                team,
                channel,
                user,
                profile,
                team_name=body.get("team_domain", ""),
                channel_name=body.get("channel_name", ""),
                mentions=mentions,
            )
            return await self.core.handle_text(self.services, where, text)

        outcomes = await self._write("command", body, write)
        await ack()
        self._then("command", body, reply, outcomes)

    # --- buttons ---------------------------------------------------------------------

    async def button(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        team, user = _team_id(body), _user_id(body)
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
        message_ts = container.get("message_ts") or (body.get("message") or {}).get("ts", "")
        name, value = render.core_action(action.get("action_id", "")), action.get("value") or ""
        reply = Reply(
            client=client,
            workspace_id=team,
            user_id=user,
            channel_id=channel,
            message_ts=message_ts,
            message_ephemeral=bool(container.get("is_ephemeral")),
            trigger_id=body.get("trigger_id", ""),
            respond=respond if body.get("response_url") else None,
        )

        async def write() -> list[Outcome]:
            where_clicked = message_ts or (body.get("view") or {}).get("id", "")
            key = f"click:{team}:{user}:{channel}:{where_clicked}:{name}:{value}"
            clicked_at = float(action.get("action_ts") or time.time())
            if not await replay.first_click(self.services, key, clicked_at):
                log.info("ignored a repeated click on %s by %s", name, user)
                return []
            conversation = await self._conversation(team, channel, user)
            if conversation is None:
                log.info("ignored %s by %s: they are in no conversation with the bot", name, user)
                return []
            # No users.info: the core keeps what it knew about the member.
            where = origin(team, conversation, user)
            return await self.core.handle_action(self.services, where, name, value)

        outcomes = await self._write(f"button {name}", body, write)
        await ack()
        self._then(f"button {name}", body, reply, outcomes)

    # --- forms -----------------------------------------------------------------------

    async def submit(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        team, user = _team_id(body), _user_id(body)
        state = render.FormState.decode(view.get("private_metadata", ""))
        values = render.form_values((view.get("state") or {}).get("values") or {})
        language = state.language or self.services.settings.waarom_language
        what = f"form {state.form_id}"
        # Checked first without the database: a form with a problem is refused at once.
        problems = await self._write(
            what, body, lambda: _checked(self.core, self.services, state, values, language)
        )
        if problems is None:
            await self._refuse(ack, values, {})
            return
        if problems:
            await self._refuse(ack, values, problems)
            return

        async def write() -> SavedForm | None:
            conversation = await self._conversation(team, state.channel, user)
            if conversation is None:
                return None
            # No users.info either: the core keeps what it knew about the member.
            where = origin(team, conversation, user)
            return await self.core.save_form(
                self.services, where, state.form_id, state.context, values
            )

        saved = await self._write(what, body, write)
        if saved is None or _problems(saved.outcomes):
            # Not stored: the modal stays open with the text and says why.
            await self._refuse(ack, values, _problems(saved.outcomes) if saved else {})
            return
        await ack()  # closes the modal: the form is stored
        reply = Reply(
            client=client,
            workspace_id=team,
            user_id=user,
            channel_id=state.channel,
            message_ts=state.message_ts,
            message_ephemeral=not state.message_ts,
            respond=AsyncRespond(response_url=state.response_url) if state.response_url else None,
        )
        # The thanks (with similar ideas) and the prompt's new look cost more than the
        # answer's write: they wait for a lull in the writes.
        self.background.after_writes(what, lambda: self._after_form(what, body, reply, saved))

    async def _refuse(
        self, ack: AsyncAck, values: dict[str, str], problems: dict[str, str]
    ) -> None:
        """Keep the modal open, with the problems under their fields (or, when the failure
        was ours, the apology on the first field)."""
        shown = _on_fields(problems, values) if problems else {}
        if not shown:
            first = next(iter(values), None)
            if first is None:
                await ack()
                return
            shown = {first: SORRY_FORM}
        await ack(response_action="errors", errors=render.form_errors(shown))

    async def _after_form(
        self, what: str, body: dict[str, Any], reply: Reply, saved: SavedForm
    ) -> None:
        async with self._reads:
            outcomes = await self.core.after_form(self.services, saved)
        await self._deliver(what, body, reply, outcomes)

    async def closed(self, ack: AsyncAck) -> None:
        await ack()

    async def shortcut(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        team, user = _team_id(body), _user_id(body)
        channel = (body.get("channel") or {}).get("id", "")
        reply = Reply(
            client=client,
            workspace_id=team,
            user_id=user,
            channel_id=channel,
            trigger_id=body.get("trigger_id", ""),
        )

        async def write() -> list[Outcome]:
            if not await replay.first_time(self.services, f"shortcut:{body.get('trigger_id')}"):
                return []
            profile = await self.profiles.get(client, team, user)
            prefill = render.plain_from_slack((body.get("message") or {}).get("text", ""))
            where = origin(
                team,
                channel,
                user,
                profile,
                channel_name=(body.get("channel") or {}).get("name", ""),
            )
            return [OpenForm(await self.core.feedback_form(self.services, where, prefill))]

        outcomes = await self._write("shortcut", body, write)
        await ack()
        self._then("shortcut", body, reply, outcomes)

    # --- events (acknowledged when the listener returns) -------------------------------

    async def _once(self, body: dict[str, Any]) -> bool:
        event_id = body.get("event_id")
        if not event_id:
            return True
        return await replay.first_time(self.services, f"event:{event_id}")

    async def home_opened(
        self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if event.get("tab") != "home":
            return
        team, user = _team_id(body), str(event.get("user", ""))

        async def write() -> Message | None:
            if not await self._once(body):
                return None
            profile = await self.profiles.get(client, team, user)
            where = origin(team, str(event.get("channel", "")), user, profile)
            return await self.core.home(self.services, where)

        message = await self._write("App Home", body, write)
        if message is not None:

            async def publish() -> None:
                await client.views_publish(user_id=user, view=render.home_view(message))

            self.background.start("App Home", publish)

    async def member_joined(
        self,
        body: dict[str, Any],
        event: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        bot_user = context.bot_user_id
        if bot_user is None and self.identity is not None:
            bot_user = await self.identity.bot_user()
        if event.get("user") != bot_user:
            return
        team, channel = _team_id(body), str(event.get("channel", ""))
        # Whoever invited the bot; Slack leaves it out when the bot joined by other means.
        inviter = str(event.get("inviter") or "")
        reply = Reply(client=client, workspace_id=team, user_id=inviter, channel_id=channel)

        async def write() -> list[Outcome]:
            if not await self._once(body):
                return []
            name, profile = await asyncio.gather(
                channel_name(client, channel),
                self.profiles.get(client, team, inviter) if inviter else _no_profile(),
            )
            return await self.core.joined(
                self.services, origin(team, channel, inviter, profile, channel_name=name)
            )

        outcomes = await self._write("channel join", body, write)
        if outcomes:
            self._then("channel join", body, reply, outcomes)

    async def left(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """The bot was removed from a channel: that team stops getting digests and nudges."""
        team, channel = _team_id(body), str(event.get("channel", ""))

        async def write() -> None:
            if await self._once(body):
                await self.core.conversation_removed(
                    self.services, origin(team, channel, str(event.get("actor_id") or ""))
                )

        await self._write("channel leave", body, write)

    async def uninstalled(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await self._write("uninstall", body, lambda: self._removed(body, context, everything=True))

    async def tokens_revoked(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        if not (event.get("tokens") or {}).get("bot"):
            return  # only user tokens, which Waarom does not use
        await self._write(
            "token revocation", body, lambda: self._removed(body, context, everything=False)
        )

    async def _removed(
        self, body: dict[str, Any], context: AsyncBoltContext, *, everything: bool
    ) -> None:
        if not await self._once(body):
            return
        team = _team_id(body)
        await self.core.workspace_removed(self.services, PLATFORM, team)
        store = self.installation_store
        if store is not None:
            enterprise = context.enterprise_id
            await store.async_delete_bot(enterprise_id=enterprise, team_id=team)
            if everything:
                await store.async_delete_installation(enterprise_id=enterprise, team_id=team)
        log.info("Slack workspace %s removed Waarom; its teams are disabled, ideas kept", team)


async def _checked(
    core: Core, services: Services, state: render.FormState, values: dict[str, str], language: str
) -> dict[str, str]:
    return core.check_form(services, state.form_id, values, language)


async def _no_profile() -> Profile:
    return Profile()
