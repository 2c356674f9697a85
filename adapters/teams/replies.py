"""What goes back during a turn: the core's outcomes as cards in the conversation.

- ``Say`` → a card in the conversation (in a channel thread, as a reply in that thread).
  Teams has no messages only one person in a channel can see, so a private ``Say`` in a
  channel is a normal reply there; in a personal chat it is private anyway.
- ``OpenForm`` → a card with inputs; its submit carries the form back to us.
- ``UpdateOrigin`` → the card whose button was pressed is replaced. After a form's submit
  nothing is: the submitted card itself becomes the record of what was sent (below), and the
  card that opened the form is not known (the client's data must not choose it).
- ``FormErrors`` → the form card is shown again in place, the problems named next to the
  fields and every value kept; nothing was stored.
- ``Notify`` → a proactive message to the member's personal chat.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from adapters.teams import cards, seal
from adapters.teams.addresses import tenant_of
from adapters.teams.proactive import TeamsSender, card_activity, message_activity
from adapters.teams.retry import with_retry
from bot.bootstrap import Services
from bot.messages import Form, FormErrors, Message, Notify, OpenForm, Outcome, Say, UpdateOrigin

log = logging.getLogger(__name__)


@dataclass
class Submitted:
    """A form submit being answered: the form, what was typed, and the card it came from."""

    form: Form
    values: dict[str, str]
    card_id: str | None
    # The card whose button opened the form, when the form's data says so with a valid seal.
    opened_by: str | None = None


@dataclass
class Replies:
    turn_context: TurnContext
    services: Services
    sender: TeamsSender
    # The card whose button was pressed (the activity to update for UpdateOrigin).
    origin_card_id: str | None = None
    submitted: Submitted | None = None
    _refused: bool = field(default=False, init=False)

    async def send(self, activity: Activity) -> None:
        await with_retry(lambda: self.turn_context.send_activity(activity), what="reply")

    async def replace(self, activity_id: str, activity: Activity) -> bool:
        activity.id = activity_id
        try:
            await with_retry(lambda: self.turn_context.update_activity(activity), what="update")
        except Exception as exc:  # a card that cannot be updated is shown anew
            log.warning(
                "could not update card %s (%s); sending a new one", activity_id, type(exc).__name__
            )
            activity.id = None
            return False
        return True

    async def deliver(self, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            match outcome:
                case Say(message):
                    await self.send(message_activity(message))
                case OpenForm(form):
                    card = cards.form_card(form, origin=self._origin_seal(self.origin_card_id))
                    await self.send(card_activity(card, form.title))
                case UpdateOrigin(message):
                    await self._update_origin(message)
                case Notify(target, message):
                    await self.sender.notify(
                        target, message, tenant=tenant_of(self.turn_context.activity)
                    )
                case FormErrors(errors):
                    await self._refuse(errors)
        if self.submitted is not None and not self._refused and self.submitted.card_id:
            # Accepted: the form becomes a read-only record so it cannot be sent twice.
            done = cards.submitted_card(self.submitted.form, self.submitted.values)
            await self.replace(
                self.submitted.card_id, card_activity(done, self.submitted.form.title)
            )

    def _origin_seal(self, card_id: str | None) -> dict[str, str] | None:
        conversation = self.turn_context.activity.conversation
        if not card_id or conversation is None or not conversation.id:
            return None
        return seal.sealed(seal.key_of(self.services.settings), conversation.id, card_id)

    async def _update_origin(self, message: Message) -> None:
        target = self.origin_card_id
        if self.submitted is not None:
            # A form's submit changes the card that opened it only when the form's data names
            # that card with a valid seal; the client may not choose a card.
            target = self.submitted.opened_by
            if target is None:
                log.debug("form submit: the card that opened the form is left as it is")
                return
        activity = message_activity(message)
        if not target or not await self.replace(target, activity):
            await self.send(activity)

    async def _refuse(self, errors: dict[str, str]) -> None:
        self._refused = True
        submitted = self.submitted
        if submitted is None:
            log.warning("form errors outside a form submit: %s", sorted(errors))
            return
        card = cards.form_card(
            submitted.form,
            values=submitted.values,
            errors=errors,
            origin=self._origin_seal(submitted.opened_by),
        )
        activity = card_activity(card, submitted.form.title)
        if not submitted.card_id or not await self.replace(submitted.card_id, activity):
            await self.send(activity)

    async def delete_card(self, activity_id: str | None) -> None:
        if not activity_id:
            return
        reference = TurnContext.get_conversation_reference(self.turn_context.activity)
        reference.activity_id = activity_id
        try:
            await with_retry(lambda: self.turn_context.delete_activity(reference), what="delete")
        except Exception as exc:
            log.info("could not delete card %s (%s)", activity_id, type(exc).__name__)
