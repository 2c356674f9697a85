"""Messages nobody asked for just now: digests, nudges and notifications.

They go out with ``continue_conversation`` from a conversation reference stored in the
database, so they work from any process and after any restart. Every connector call is
retried on throttling and gateway errors (see :mod:`adapters.teams.retry`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from botbuilder.core import BotAdapter, MessageFactory, TurnContext
from botbuilder.schema import Activity, Attachment

from adapters.teams import cards
from adapters.teams.addresses import PLATFORM, reference_from
from adapters.teams.retry import with_retry
from bot.clock.delivery import MemberTarget
from bot.intake.safe_text import one_line
from bot.messages import Message

log = logging.getLogger(__name__)

T = TypeVar("T")


def card_activity(card: dict[str, Any], summary: str) -> Activity:
    activity = MessageFactory.attachment(Attachment(content_type=cards.CONTENT_TYPE, content=card))
    # Teams shows the summary in notifications and the activity feed instead of "sent a card".
    activity.summary = one_line(summary)
    return activity


def message_activity(message: Message) -> Activity:
    return card_activity(cards.message_card(message), message.summary)


def quiet_connector(turn_context: TurnContext) -> None:
    """Leave retries to :func:`with_retry`: msrest's own policy would retry some statuses
    (PUT on 502/504) blindly on top of ours, and never honours Retry-After."""
    client = turn_context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
    policy = getattr(getattr(getattr(client, "config", None), "retry_policy", None), "policy", None)
    if policy is not None:
        policy.status_forcelist = frozenset()


class TeamsSender:
    """Posts and updates cards in stored conversations, outside any inbound turn."""

    def __init__(self, adapter: BotAdapter, app_id: str) -> None:
        self._adapter = adapter
        self._app_id = app_id

    async def send(self, address: dict[str, Any], message: Message) -> dict[str, Any]:
        """Post ``message``; returns where it landed (to update it later)."""
        reference = reference_from(address)
        landed: dict[str, Any] = {}

        async def post(turn_context: TurnContext) -> None:
            quiet_connector(turn_context)
            # The SDK gives the continuation a made-up id and would send a "reply" to it; a
            # new message in the conversation (a new thread in a channel) is what we mean.
            turn_context.activity.id = None
            response = await with_retry(
                lambda: turn_context.send_activity(message_activity(message)),
                what="proactive send",
            )
            landed["activity_id"] = response.id if response else None
            landed["conversation_id"] = reference.conversation.id

        await self._adapter.continue_conversation(reference, post, self._app_id)
        return landed

    async def call(
        self,
        address: dict[str, Any],
        call: Callable[[TurnContext], Awaitable[T]],
        *,
        what: str = "connector call",
    ) -> T:
        """Run ``call`` with a connector for the conversation at ``address`` (a member list
        read, a personal chat opened), retried like a send."""
        reference = reference_from(address)
        result: list[T] = []

        async def run(turn_context: TurnContext) -> None:
            quiet_connector(turn_context)
            result.append(await with_retry(lambda: call(turn_context), what=what))

        await self._adapter.continue_conversation(reference, run, self._app_id)
        return result[0]

    async def update(
        self, address: dict[str, Any], message_ref: dict[str, Any], message: Message
    ) -> None:
        """Replace a card posted earlier (e.g. a nudge that was answered elsewhere)."""
        reference = reference_from(address)

        async def put(turn_context: TurnContext) -> None:
            quiet_connector(turn_context)
            activity = message_activity(message)
            activity.id = message_ref["activity_id"]
            await with_retry(
                lambda: turn_context.update_activity(activity), what="proactive update"
            )

        await self._adapter.continue_conversation(reference, put, self._app_id)

    async def notify(
        self, target: MemberTarget, message: Message, *, tenant: str | None = None
    ) -> bool:
        """Direct message to a member the core found, at their stored personal-chat
        reference. False (and a log line) when they have none: their team's member list is
        not read yet, or Teams refused the bot a chat with them."""
        if target.platform != PLATFORM:
            log.info("notify: member %s is not a Teams member", target.member_id)
            return False
        if tenant is not None and target.workspace_id != tenant:
            log.warning("notify: member %s is in another tenant; not sent", target.member_id)
            return False
        if not target.address:
            log.info("notify: member %s has no personal chat with the bot", target.member_id)
            return False
        await self.send(dict(target.address), message)
        return True
