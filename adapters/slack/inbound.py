"""What comes in: Bolt listeners that turn Slack requests into core calls.

Commands, buttons, modal submissions and the message shortcut here; events in
:mod:`adapters.slack.events`; what they share (store, then acknowledge, then reply) in
:mod:`adapters.slack.handling`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from functools import cached_property
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render
from adapters.slack.events import Events
from adapters.slack.handling import SORRY, Core
from adapters.slack.outbound import Reply
from adapters.slack.payloads import (
    command_text,
    on_fields,
    problems_in,
    team_id_of,
    user_id_of,
)
from bot.bootstrap import Services
from bot.chat import SavedForm
from bot.messages import OpenForm, Outcome

log = logging.getLogger(__name__)

COMMAND = "/waarom"
FEEDBACK_SHORTCUT = "log_feedback"
SORRY_FORM = "Something went wrong on our side and nothing was saved; your text is still here."
# Reading what to say about a stored answer (similar ideas) takes a database connection;
# this many at once leave the pool to the writes.
AFTER_FORM_READS = 4

__all__ = ["COMMAND", "FEEDBACK_SHORTCUT", "SORRY", "SORRY_FORM", "Core", "Listeners"]


class Listeners(Events):
    @cached_property
    def _reads(self) -> asyncio.Semaphore:
        """At most AFTER_FORM_READS follow-ups of answers read the database at once."""
        return asyncio.Semaphore(AFTER_FORM_READS)

    def register(self, bolt: AsyncApp) -> None:
        # Before any listener: a request seen before goes no further.
        bolt.middleware(self.replay_guard)
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
            profile = await self.profiles.get(client, team, user)
            text, mentions = command_text(body.get("text") or "")
            where = self.origin(
                team,
                channel,
                user,
                profile,
                team_name=body.get("team_domain", ""),
                channel_name=body.get("channel_name", ""),
                mentions=mentions,
            )
            return await self.core.handle_text(self.services, where, text)

        outcomes = await self.write("command", body, write)
        await ack()
        self.then("command", body, reply, outcomes)

    # --- buttons ---------------------------------------------------------------------

    async def button(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        team, user = team_id_of(body), user_id_of(body)
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
            conversation = await self.conversation(team, channel, user)
            if conversation is None:
                log.info("ignored %s by %s: they are in no conversation with the bot", name, user)
                return []
            # No users.info: the core keeps what it knew about the member.
            where = self.origin(team, conversation, user)
            return await self.core.handle_action(self.services, where, name, value)

        outcomes = await self.write(f"button {name}", body, write)
        await ack()
        self.then(f"button {name}", body, reply, outcomes)

    # --- forms -----------------------------------------------------------------------

    async def submit(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        team, user = team_id_of(body), user_id_of(body)
        state = render.FormState.decode(view.get("private_metadata", ""))
        values = render.form_values((view.get("state") or {}).get("values") or {})
        language = state.language or self.services.settings.waarom_language
        what = f"form {state.form_id}"
        # Checked first without the database: a form with a problem is refused at once.
        problems = await self.write(
            what, body, lambda: _checked(self.core, self.services, state, values, language)
        )
        if problems is None:
            await self._refuse(ack, values, {})
            return
        if problems:
            await self._refuse(ack, values, problems)
            return

        async def write() -> SavedForm | None:
            conversation = await self.conversation(team, state.channel, user)
            if conversation is None:
                return None
            # No users.info either: the core keeps what it knew about the member.
            where = self.origin(team, conversation, user)
            return await self.core.save_form(
                self.services, where, state.form_id, state.context, values
            )

        saved = await self.write(what, body, write)
        if saved is None or problems_in(saved.outcomes):
            # Not stored: the modal stays open with the text and says why.
            await self._refuse(ack, values, problems_in(saved.outcomes) if saved else {})
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
        shown = on_fields(problems, values) if problems else {}
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
        await self.deliver(what, body, reply, outcomes)

    async def closed(self, ack: AsyncAck) -> None:
        await ack()

    async def shortcut(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        team, user = team_id_of(body), user_id_of(body)
        channel = (body.get("channel") or {}).get("id", "")
        reply = Reply(
            client=client,
            workspace_id=team,
            user_id=user,
            channel_id=channel,
            trigger_id=body.get("trigger_id", ""),
        )

        async def write() -> list[Outcome]:
            profile = await self.profiles.get(client, team, user)
            prefill = render.plain_from_slack((body.get("message") or {}).get("text", ""))
            where = self.origin(
                team,
                channel,
                user,
                profile,
                channel_name=(body.get("channel") or {}).get("name", ""),
            )
            return [OpenForm(await self.core.feedback_form(self.services, where, prefill))]

        outcomes = await self.write("shortcut", body, write)
        await ack()
        self.then("shortcut", body, reply, outcomes)


async def _checked(
    core: Core, services: Services, state: render.FormState, values: dict[str, str], language: str
) -> dict[str, str]:
    return core.check_form(services, state.form_id, values, language)
