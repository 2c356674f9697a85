"""What comes in: Bolt listeners that turn Slack requests into core calls.

Every listener acknowledges first (Slack wants an answer within 3 seconds) and does the
work afterwards. A modal submission's answer *is* the validation result, so the core checks
the form first, without the database (``check_form``), and stores it after the
acknowledgement (:mod:`adapters.slack.background`). Each request is handled once (see
:mod:`adapters.slack.replay`). Errors are logged with the request's context and, where
someone is waiting for an answer, told to them.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render, replay
from adapters.slack.background import Background
from adapters.slack.outbound import Reply, TokenLookup, deliver
from bot.bootstrap import Services
from bot.messages import Form, FormErrors, Message, OpenForm, Outcome, Paragraph, Say
from bot.origin import Origin

log = logging.getLogger(__name__)

PLATFORM = "slack"
COMMAND = "/waarom"
FEEDBACK_SHORTCUT = "log_feedback"
PROFILE_TTL = 600.0
SORRY = "Sorry, something went wrong on our side and nothing was changed. Please try again."
SORRY_FORM = "Something went wrong on our side; your text is still here. Please try again."
SORRY_LATE = "Your form could not be saved. Here is what you wrote, to try again:"
SORRY_LATE_ERROR = "Something went wrong on our side."


class Core(Protocol):
    """The core functions the Slack adapter calls (:mod:`bot.chat`)."""

    async def handle_text(self, services: Services, origin: Origin, text: str) -> list[Outcome]: ...

    async def handle_action(
        self, services: Services, origin: Origin, action: str, value: str
    ) -> list[Outcome]: ...

    def check_form(
        self, services: Services, form_id: str, values: dict[str, str], language: str
    ) -> dict[str, str]: ...

    async def handle_form(
        self, services: Services, origin: Origin, form_id: str, context: str, values: dict[str, str]
    ) -> list[Outcome]: ...

    async def home(self, services: Services, origin: Origin) -> Message: ...

    async def joined(self, services: Services, origin: Origin) -> list[Outcome]: ...

    async def feedback_form(self, services: Services, origin: Origin, prefill: str) -> Form: ...

    async def conversation_removed(self, services: Services, origin: Origin) -> None: ...

    async def workspace_removed(
        self, services: Services, platform: str, workspace_id: str
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class Profile:
    name: str = ""
    timezone: str | None = None
    is_admin: bool | None = None


@dataclass
class Profiles:
    """``users.info`` answers, kept for a few minutes: names, time zones and admin flags
    change rarely, and asking on every click would cost a Web API call per request."""

    ttl: float = PROFILE_TTL
    _cache: dict[tuple[str, str], tuple[float, Profile]] = field(default_factory=dict)

    async def get(self, client: AsyncWebClient, team_id: str, user_id: str) -> Profile:
        key = (team_id, user_id)
        hit = self._cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        try:
            user = (await client.users_info(user=user_id))["user"]
        except SlackApiError as exc:
            # Without users:read (or for a user of another workspace) we still serve the
            # request; the core keeps what it knew about the member.
            log.warning(
                "users.info for %s in %s failed: %s", user_id, team_id, exc.response.get("error")
            )
            return Profile()
        profile = Profile(
            name=(user.get("profile") or {}).get("display_name")
            or user.get("real_name")
            or user.get("name", ""),
            timezone=user.get("tz") or None,
            is_admin=bool(
                user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")
            ),
        )
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key] = (time.monotonic() + self.ttl, profile)
        return profile


def _problems(outcomes: list[Outcome]) -> dict[str, str]:
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


def origin(
    team_id: str,
    channel_id: str,
    user_id: str,
    profile: Profile | None = None,
    *,
    team_name: str = "",
    channel_name: str = "",
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
    )


class Listeners:
    def __init__(
        self,
        services: Services,
        core: Core,
        tokens: TokenLookup,
        installation_store: AsyncInstallationStore | None = None,
    ) -> None:
        self.services = services
        self.core = core
        self.tokens = tokens
        self.installation_store = installation_store
        self.profiles = Profiles()
        self.background = Background()

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

    async def _deliver(self, reply: Reply, outcomes: list[Outcome]) -> None:
        await deliver(self.services, reply, outcomes, self.tokens)

    async def _guard(
        self,
        what: str,
        body: dict[str, Any],
        reply: Reply | None,
        work: Callable[[], Awaitable[None]],
    ) -> None:
        """Run post-ack work; on failure log it with context and tell the person."""
        try:
            await work()
        except Exception:
            log.exception(
                "Slack %s failed (workspace %s, user %s, channel %s)",
                what,
                _team_id(body),
                _user_id(body),
                (body.get("channel") or {}).get("id") or body.get("channel_id", ""),
            )
            if reply is None:
                return
            try:
                if reply.respond is not None:
                    await reply.respond(
                        text=SORRY, response_type="ephemeral", replace_original=False
                    )
                elif reply.channel_id:
                    await reply.client.chat_postEphemeral(
                        channel=reply.channel_id, user=reply.user_id, text=SORRY
                    )
            except Exception:
                log.exception("could not tell the user about the failure either")

    # --- slash command ---------------------------------------------------------------

    async def command(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
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

        async def work() -> None:
            if not await replay.first_time(self.services, f"command:{body.get('trigger_id')}"):
                return
            profile = await self.profiles.get(client, team, user)
            where = origin(
                team,
                channel,
                user,
                profile,
                team_name=body.get("team_domain", ""),
                channel_name=body.get("channel_name", ""),
            )
            outcomes = await self.core.handle_text(
                self.services, where, (body.get("text") or "").strip()
            )
            await self._deliver(reply, outcomes)

        await self._guard("command", body, reply, work)

    # --- buttons ---------------------------------------------------------------------

    async def button(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
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

        async def work() -> None:
            where_clicked = message_ts or (body.get("view") or {}).get("id", "")
            key = f"click:{team}:{user}:{channel}:{where_clicked}:{name}:{value}"
            clicked_at = float(action.get("action_ts") or time.time())
            if not await replay.first_click(self.services, key, clicked_at):
                log.info("ignored a repeated click on %s by %s", name, user)
                return
            profile = await self.profiles.get(client, team, user)
            outcomes = await self.core.handle_action(
                self.services, origin(team, channel, user, profile), name, value
            )
            await self._deliver(reply, outcomes)

        await self._guard(f"button {name}", body, reply, work)

    # --- forms -----------------------------------------------------------------------

    async def submit(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        team, user = _team_id(body), _user_id(body)
        state = render.FormState.decode(view.get("private_metadata", ""))
        values = render.form_values((view.get("state") or {}).get("values") or {})
        language = state.language or self.services.settings.waarom_language
        try:
            problems = self.core.check_form(self.services, state.form_id, values, language)
        except Exception:
            log.exception("Slack form %s failed (workspace %s, user %s)", state.form_id, team, user)
            first = next(iter(values), None)
            if first is None:
                await ack()
            else:
                await ack(response_action="errors", errors={first: SORRY_FORM})
            return
        if problems:
            await ack(
                response_action="errors", errors=render.form_errors(_on_fields(problems, values))
            )
            return
        await ack()
        # Stored after the ack: the form was checked, so storing nearly always succeeds, and
        # when it does not, the person is told with what they wrote. No replay record: the
        # core makes a submitted form count once by itself (an answer claims its prompt
        # atomically, feedback is deduplicated by content).
        reply = Reply(
            client=client,
            workspace_id=team,
            user_id=user,
            channel_id=state.channel,
            message_ts=state.message_ts,
            message_ephemeral=not state.message_ts,
            respond=AsyncRespond(response_url=state.response_url) if state.response_url else None,
        )
        # No users.info either: the core keeps what it knew about the member.
        where = origin(team, state.channel, user)
        what = f"form {state.form_id}"

        async def store() -> None:
            await self._guard(what, body, None, lambda: self._store(reply, where, state, values))

        self.background.start(what, store)

    async def _store(
        self, reply: Reply, where: Origin, state: render.FormState, values: dict[str, str]
    ) -> None:
        try:
            outcomes = await self.core.handle_form(
                self.services, where, state.form_id, state.context, values
            )
        except Exception:
            await self._unsaved(reply, values, [SORRY_LATE_ERROR])
            raise
        problems = _problems(outcomes)
        if problems:
            await self._unsaved(reply, values, list(problems.values()))
            return
        await self._deliver(reply, outcomes)

    async def _unsaved(self, reply: Reply, values: dict[str, str], problems: list[str]) -> None:
        """The modal is gone: send the problems with what was written, so nothing is lost."""
        written = [Paragraph(f"{name}: {text}") for name, text in values.items() if text]
        message = Message(
            (Paragraph(SORRY_LATE), *(Paragraph(p) for p in problems), *written),
            summary=SORRY_LATE,
        )
        try:
            await self._deliver(reply, [Say(message, private=True)])
        except Exception:
            log.exception("could not send an unsaved form back to %s", reply.user_id)

    async def closed(self, ack: AsyncAck) -> None:
        await ack()

    async def shortcut(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        team, user = _team_id(body), _user_id(body)
        channel = (body.get("channel") or {}).get("id", "")
        reply = Reply(
            client=client,
            workspace_id=team,
            user_id=user,
            channel_id=channel,
            trigger_id=body.get("trigger_id", ""),
        )

        async def work() -> None:
            if not await replay.first_time(self.services, f"shortcut:{body.get('trigger_id')}"):
                return
            profile = await self.profiles.get(client, team, user)
            prefill = render.plain_from_slack((body.get("message") or {}).get("text", ""))
            form = await self.core.feedback_form(
                self.services,
                origin(
                    team,
                    channel,
                    user,
                    profile,
                    channel_name=(body.get("channel") or {}).get("name", ""),
                ),
                prefill,
            )
            await self._deliver(reply, [OpenForm(form)])

        await self._guard("shortcut", body, reply, work)

    # --- events ----------------------------------------------------------------------

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

        async def work() -> None:
            if not await self._once(body):
                return
            profile = await self.profiles.get(client, team, user)
            where = origin(team, str(event.get("channel", "")), user, profile)
            message = await self.core.home(self.services, where)
            await client.views_publish(user_id=user, view=render.home_view(message))

        await self._guard("App Home", body, None, work)

    async def member_joined(
        self,
        body: dict[str, Any],
        event: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        if event.get("user") != context.bot_user_id:
            return
        team, channel = _team_id(body), str(event.get("channel", ""))
        # Whoever invited the bot; Slack leaves it out when the bot joined by other means.
        inviter = str(event.get("inviter") or "")
        reply = Reply(client=client, workspace_id=team, user_id=inviter, channel_id=channel)

        async def work() -> None:
            if not await self._once(body):
                return
            name = ""
            try:
                name = (await client.conversations_info(channel=channel))["channel"].get("name", "")
            except SlackApiError as exc:
                log.warning(
                    "conversations.info for %s failed: %s", channel, exc.response.get("error")
                )
            profile = await self.profiles.get(client, team, inviter) if inviter else None
            outcomes = await self.core.joined(
                self.services, origin(team, channel, inviter, profile, channel_name=name)
            )
            await self._deliver(reply, outcomes)

        await self._guard("channel join", body, None, work)

    async def left(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """The bot was removed from a channel: that team stops getting digests and nudges."""
        team, channel = _team_id(body), str(event.get("channel", ""))

        async def work() -> None:
            if await self._once(body):
                await self.core.conversation_removed(
                    self.services, origin(team, channel, str(event.get("actor_id") or ""))
                )

        await self._guard("channel leave", body, None, work)

    async def uninstalled(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await self._guard(
            "uninstall", body, None, lambda: self._removed(body, context, everything=True)
        )

    async def tokens_revoked(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        if not (event.get("tokens") or {}).get("bot"):
            return  # only user tokens, which Waarom does not use
        await self._guard(
            "token revocation", body, None, lambda: self._removed(body, context, everything=False)
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
