"""What comes in: Teams activities turned into calls on the core (:mod:`bot.chat`).

- a message is a command (``waarom ideas``, ``@Waarom ideas``, or just ``ideas`` in a
  personal chat);
- a message with a ``value`` is a card's ``Action.Submit``: a button or a form;
- the bot being added to a team, group chat or personal chat registers the conversation and
  answers with the welcome card; being removed (or the team deleted) disables it;
- in a team or group chat, the bot being installed asks for its members to be read, members
  joining or leaving are added or removed (:mod:`bot.clock.roster`); the reading and the personal
  chats with each member happen after the turn (:class:`.roster.RosterTasks`).

Every activity with an id is handled once, whichever process gets it (:mod:`bot.replay`);
a turn that fails gives its key back, so Teams' redelivery is handled.
"""

from __future__ import annotations

import html
import importlib
import logging
import re
from collections.abc import Awaitable
from types import ModuleType
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Activity, ActivityTypes

from adapters.teams import cards, seal
from adapters.teams.addresses import PLATFORM, event_id, origin_of, roster_source
from adapters.teams.proactive import TeamsSender, quiet_connector
from adapters.teams.replies import Replies, Submitted
from adapters.teams.roster import RosterTasks
from adapters.teams.settings import TeamsSettings
from bot import replay
from bot.bootstrap import Services
from bot.chat.origin import Origin
from bot.clock import roster

log = logging.getLogger(__name__)

_TAGS = re.compile(r"<[^>]+>")
_REPLAYABLE = {
    ActivityTypes.message,
    ActivityTypes.conversation_update,
    ActivityTypes.installation_update,
}
_GONE = {"teamDeleted", "teamHardDeleted"}
# A form id no core form has, for a submit whose data could not be read.
UNREADABLE = ""


def command_text(turn_context: TurnContext) -> str:
    """The command in a message: the bot's mention and the markup removed (a typed "waarom"
    in front is the core's to drop, as it is for every platform)."""
    activity = turn_context.activity
    text = activity.text or ""
    recipient = activity.recipient.id if activity.recipient is not None else None
    for mention in TurnContext.get_mentions(activity):
        properties = mention.additional_properties
        tag = properties.get("text")
        if recipient and (properties.get("mentioned") or {}).get("id") == recipient and tag:
            # The mention itself, once. botbuilder's remove_recipient_mention deletes the
            # bot's name wherever it is written, and this bot is called "Waarom" ("why"):
            # "feedback Waarom duurt het zo lang?" would be stored without its first word.
            text = text.replace(tag, " ", 1)
    # Teams sends channel messages as HTML (mentions, formatting, &nbsp;).
    return " ".join(html.unescape(_TAGS.sub(" ", text)).split())


class WaaromTeamsBot(TeamsActivityHandler):
    def __init__(
        self,
        services: Services,
        sender: TeamsSender,
        *,
        rosters: RosterTasks | None = None,
        core: ModuleType | None = None,
    ) -> None:
        self.services = services
        self.sender = sender
        self.rosters = rosters
        # The core's chat module, looked up when the bot is built (not when this module is
        # imported); tests may pass a stand-in with the same functions.
        self.core = core if core is not None else importlib.import_module("bot.chat")
        self.home_tenant = services.settings.part(TeamsSettings).home_tenant

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        quiet_connector(turn_context)
        key = event_id(activity) if activity.type in _REPLAYABLE else None
        if key is None:
            await super().on_turn(turn_context)
            return
        if not await replay.first_time(self.services, PLATFORM, key):
            log.info("activity %s already handled; ignoring the redelivery", activity.id)
            return
        try:
            await super().on_turn(turn_context)
        except BaseException:
            await replay.release(self.services, PLATFORM, key)
            raise

    def _origin(self, activity: Activity) -> Origin:
        return origin_of(activity, self.home_tenant)

    def _replies(self, turn_context: TurnContext, **kwargs: Any) -> Replies:
        return Replies(turn_context, self.services, self.sender, **kwargs)

    # --- messages ------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if isinstance(activity.value, dict):
            await self._submit(turn_context, activity.value)
            return
        text = command_text(turn_context)
        outcomes = await self.core.handle_text(self.services, self._origin(activity), text)
        await self._replies(turn_context).deliver(outcomes)
        source = roster_source(activity)
        if source is not None:
            # A team the bot joined before its members were read gets them read now.
            await self._after_reply(roster.ensure(self.services, self._origin(activity), source))

    async def _submit(self, turn_context: TurnContext, value: dict[str, Any]) -> None:
        """A card's button or form. Its data comes back from the client, so it is checked
        here, and only the card the submit came from (``replyToId``) is ever changed."""
        activity = turn_context.activity
        card_id = activity.reply_to_id if isinstance(activity.reply_to_id, str) else None
        if cards.CANCEL in value:
            await self._replies(turn_context).delete_card(card_id)
            return
        origin = self._origin(activity)
        try:
            if cards.ACTION in value:
                action, choice = cards.read_action(value)
                outcomes = await self.core.handle_action(self.services, origin, action, choice)
                await self._replies(turn_context, origin_card_id=card_id).deliver(outcomes)
                return
            if cards.FORM in value:
                submit = cards.read_submit(value)
                form = submit.form
                outcomes = await self.core.handle_form(
                    self.services, origin, form.form_id, form.context, submit.values
                )
                conversation = activity.conversation.id if activity.conversation else ""
                opened_by = seal.opened_by(
                    seal.key_of(self.services.settings), conversation or "", value
                )
                replies = self._replies(
                    turn_context, submitted=Submitted(form, submit.values, card_id, opened_by)
                )
                await replies.deliver(outcomes)
                return
        except cards.MalformedSubmit as exc:
            log.warning("refused a card submit with malformed data: %s", exc)
            # The core answers a form it does not know with "I don't understand that", in
            # the team's language; nothing is stored.
            outcomes = await self.core.handle_form(self.services, origin, UNREADABLE, "", {})
            await self._replies(turn_context).deliver(outcomes)
            return
        log.info("ignoring a card submit that is not ours: %d keys", len(value))

    # --- joining and leaving -------------------------------------------------------------

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if any(member.id == bot_id for member in activity.members_added or ()):
            outcomes = await self.core.joined(self.services, self._origin(activity))
            await self._replies(turn_context).deliver(outcomes)
            await self._want_roster(activity)
        elif any(member.id == bot_id for member in activity.members_removed or ()) or (
            isinstance(activity.channel_data, dict)
            and activity.channel_data.get("eventType") in _GONE
        ):
            await self.core.conversation_removed(self.services, self._origin(activity))
        else:
            await self._members_changed(activity, bot_id)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        # Also announced as the bot leaving the conversation; disabling twice is harmless.
        await self.core.conversation_removed(self.services, self._origin(turn_context.activity))

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        # The welcome goes out with the conversationUpdate that accompanies an install; an
        # install or upgrade reads the members again (the team is known if that came first).
        await self._want_roster(turn_context.activity)

    # --- members -------------------------------------------------------------------------

    async def _want_roster(self, activity: Activity) -> None:
        source = roster_source(activity)
        if source is not None:
            await self._after_reply(roster.want(self.services, self._origin(activity), source))

    async def _after_reply(self, asking: Awaitable[int | None]) -> None:
        """Ask for a member list after the turn's reply went out. A failure here must not
        fail the turn: Teams would deliver it again, and the reply would go out twice."""
        try:
            self._keep(await asking)
        except Exception:
            log.exception("member list not asked for; the next event asks again")

    async def _members_changed(self, activity: Activity, bot_id: str | None) -> None:
        source = roster_source(activity)
        if source is None:
            return
        origin = self._origin(activity)
        gone = [m.id for m in activity.members_removed or () if m.id and m.id != bot_id]
        if gone:
            await roster.left(self.services, origin, gone)
        people = [
            roster.Person(m.id, m.name or "", m.aad_object_id)
            for m in activity.members_added or ()
            if m.id and m.id != bot_id
        ]
        if people:
            self._keep(await roster.joined(self.services, origin, source, people))

    def _keep(self, team_id: int | None) -> None:
        """Read members and open chats after this turn (or, failing that, at the clock's
        next sweep: the work is in the database either way)."""
        if team_id is not None and self.rosters is not None:
            self.rosters.start(team_id)
