"""The dialogue with botbuilder's TestAdapter: what the bot passes to the core and how it
renders what the core answers. The core is a stand-in here; the database is real (replay)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

from adapters.teams import cards
from adapters.teams.handler import WaaromTeamsBot
from adapters.teams.proactive import TeamsSender
from bot import bootstrap
from bot.chat import command_text
from bot.messages import Field, Form, FormErrors, Message, OpenForm, Paragraph, Say, UpdateOrigin
from tests.support.teams_support import assert_valid_card

FORM = Form(
    "answer", "Your answer", (Field("why", "Waarom?"), Field("how", "Zo?")), "Send", "Cancel", "42"
)


def said(text: str) -> Say:
    return Say(Message((Paragraph(text),), text))


class Core(SimpleNamespace):
    """Records calls; answers what the test queued."""

    def __init__(self) -> None:
        super().__init__(calls=[], answers=[])

    async def _answer(self, name: str, *args: Any) -> list[Any]:
        self.calls.append((name, *args))
        return self.answers.pop(0) if self.answers else []

    async def handle_text(self, services: Any, origin: Any, text: str) -> list[Any]:
        return await self._answer("text", origin, text)

    async def handle_action(self, services: Any, origin: Any, action: str, value: str) -> list[Any]:
        return await self._answer("action", origin, action, value)

    async def handle_form(
        self, services: Any, origin: Any, form_id: str, context: str, values: dict[str, str]
    ) -> list[Any]:
        return await self._answer("form", origin, form_id, context, values)

    async def joined(self, services: Any, origin: Any) -> list[Any]:
        return await self._answer("joined", origin)

    async def conversation_removed(self, services: Any, origin: Any) -> None:
        await self._answer("removed", origin)


@pytest.fixture
def core() -> Core:
    return Core()


@pytest.fixture
def adapter(services: bootstrap.Services, core: Core) -> TestAdapter:
    template = Activity(
        channel_id="msteams",
        service_url="https://smba.example.test/emea/",
        from_property=ChannelAccount(id="29:anna", name="Anna"),
        recipient=ChannelAccount(id="28:waarom", name="Waarom"),
        conversation=ConversationAccount(
            id="a:anna", conversation_type="personal", tenant_id="t-1"
        ),
    )
    box: dict[str, Any] = {}
    adapter = TestAdapter(lambda context: box["bot"].on_turn(context), template)
    box["bot"] = WaaromTeamsBot(services, TeamsSender(adapter, ""), core=core)  # type: ignore[arg-type]
    return adapter


def card_of(activity: Activity) -> dict[str, Any]:
    (attachment,) = activity.attachments
    assert attachment.content_type == cards.CONTENT_TYPE
    assert_valid_card(attachment.content)
    return attachment.content


async def test_a_command_reaches_the_core_without_the_bot_name(
    adapter: TestAdapter, core: Core
) -> None:
    core.answers.append([said("Here is help.")])
    await (await adapter.send("Waarom: ideas new")).assert_reply(lambda a, _=None: card_of(a))
    (name, origin, text) = core.calls[0]
    # The typed name is dropped by the core's one parser, as on every platform.
    assert name == "text"
    typed = command_text.parse(text)
    assert (typed.word, typed.args) == ("ideas", ("new",))
    assert origin.platform == "teams"
    assert origin.direct
    assert origin.user_address["conversation"]["id"] == "a:anna"


async def test_an_empty_message_asks_for_help(adapter: TestAdapter, core: Core) -> None:
    await adapter.send("   ")
    # Nothing typed is the core's plain help.
    assert command_text.parse(core.calls[0][2]).word == ""


async def test_a_button_press_updates_the_card_it_was_on(adapter: TestAdapter, core: Core) -> None:
    core.answers.append([UpdateOrigin(Message((Paragraph("Skipped."),), "Skipped."))])
    press = Activity(
        type="message", value={cards.ACTION: "nudge.skip", cards.VALUE: "42"}, reply_to_id="card-9"
    )
    await adapter.send(press)
    assert core.calls[0][2:] == ("nudge.skip", "42")
    (updated,) = adapter.updated_activities
    assert updated.id == "card-9"
    card_of(updated)


async def test_a_refused_form_is_shown_again_with_the_values(
    adapter: TestAdapter, core: Core
) -> None:
    core.answers.append([OpenForm(FORM)])
    opened = await adapter.send(
        Activity(
            type="message",
            value={cards.ACTION: "nudge.answer", cards.VALUE: "42"},
            reply_to_id="card-1",
        )
    )
    await opened.assert_reply(lambda a, _=None: card_of(a))
    core.answers.append([FormErrors({"how": "Required."})])
    submit = {
        cards.FORM: "answer",
        cards.CONTEXT: "42",
        cards.SPEC: cards.form_spec(FORM),
        "why": "Slow.",
        "how": "",
    }
    await adapter.send(Activity(type="message", value=submit, reply_to_id="form-2"))
    assert core.calls[1][2:] == ("answer", "42", {"why": "Slow.", "how": ""})
    (updated,) = adapter.updated_activities
    assert updated.id == "form-2"
    card = card_of(updated)
    assert any(element.get("value") == "Slow." for element in card["body"])


async def test_a_redelivered_message_reaches_the_core_once(
    adapter: TestAdapter, core: Core, services: bootstrap.Services
) -> None:
    # Two processes (two bots), the same activity delivered to each, as Teams resends it.
    activity = Activity().deserialize(adapter.template.serialize())
    activity.type, activity.text, activity.id = "message", "help", "1700000000001"
    for _ in range(2):
        bot = WaaromTeamsBot(services, TeamsSender(adapter, ""), core=core)  # type: ignore[arg-type]
        await bot.on_turn(TurnContext(adapter, activity))
    assert len(core.calls) == 1


async def test_the_bot_added_registers_and_removed_disables(
    adapter: TestAdapter, core: Core
) -> None:
    core.answers.append([said("Hello team")])
    added = await adapter.send(
        Activity(type="conversationUpdate", members_added=[ChannelAccount(id="28:waarom")])
    )
    await added.assert_reply(lambda a, _=None: card_of(a))
    await adapter.send(
        Activity(type="conversationUpdate", members_removed=[ChannelAccount(id="28:waarom")])
    )
    assert [call[0] for call in core.calls] == ["joined", "removed"]
