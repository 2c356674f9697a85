"""Slack events: the App Home opened, the bot added to or removed from a channel, the app
uninstalled. Each is stored before it is acknowledged (Bolt acknowledges an event when its
listener returns); what goes back to Slack follows after."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render
from adapters.slack.handling import Handling
from adapters.slack.outbound import Reply
from adapters.slack.payloads import PLATFORM, team_id_of
from adapters.slack.profiles import Profile, channel_name
from bot.messages import Message, Outcome

log = logging.getLogger(__name__)


class Events(Handling):
    async def home_opened(
        self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if event.get("tab") != "home":
            return
        team, user = team_id_of(body), str(event.get("user", ""))

        async def write() -> Message | None:
            profile = await self.profiles.get(client, team, user)
            where = self.origin(team, str(event.get("channel", "")), user, profile)
            return await self.core.home(self.services, where)

        message = await self.write("App Home", body, write)
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
        team, channel = team_id_of(body), str(event.get("channel", ""))
        # Whoever invited the bot; Slack leaves it out when the bot joined by other means.
        inviter = str(event.get("inviter") or "")
        reply = Reply(client=client, workspace_id=team, user_id=inviter, channel_id=channel)

        async def write() -> list[Outcome]:
            name, profile = await asyncio.gather(
                channel_name(client, channel),
                self.profiles.get(client, team, inviter) if inviter else _no_profile(),
            )
            return await self.core.joined(
                self.services, self.origin(team, channel, inviter, profile, channel_name=name)
            )

        outcomes = await self.write("channel join", body, write)
        if outcomes:
            self.then("channel join", body, reply, outcomes)

    async def left(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """The bot was removed from a channel: that team stops getting digests and nudges."""
        team, channel = team_id_of(body), str(event.get("channel", ""))

        async def write() -> None:
            await self.core.conversation_removed(
                self.services, self.origin(team, channel, str(event.get("actor_id") or ""))
            )

        await self.write("channel leave", body, write)

    async def uninstalled(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await self.write("uninstall", body, lambda: self._removed(body, context, everything=True))

    async def tokens_revoked(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        if not (event.get("tokens") or {}).get("bot"):
            return  # only user tokens, which Waarom does not use
        await self.write(
            "token revocation", body, lambda: self._removed(body, context, everything=False)
        )

    async def _removed(
        self, body: dict[str, Any], context: AsyncBoltContext, *, everything: bool
    ) -> None:
        team = team_id_of(body)
        await self.core.workspace_removed(self.services, PLATFORM, team)
        store = self.installation_store
        if store is not None:
            enterprise = context.enterprise_id
            await store.async_delete_bot(enterprise_id=enterprise, team_id=team)
            if everything:
                await store.async_delete_installation(enterprise_id=enterprise, team_id=team)
        log.info("Slack workspace %s removed Waarom; its teams are disabled, ideas kept", team)


async def _no_profile() -> Profile:
    return Profile()
