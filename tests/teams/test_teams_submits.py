"""Card submits from a tampered client: the data a card sends back is the client's to change,
so it may change only the card the submit came from, and malformed data is refused in the
team's language (never a server error)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select, update

from adapters.teams import cards
from bot import bootstrap
from bot.storage.models import Idea, Team
from tests.support.teams_connector import Call, FakeConnector
from tests.support.teams_support import Client, submit_actions, texts


async def _answer_form(client: Client, connector: FakeConnector) -> tuple[Call, Call]:
    """A prompt card and the answer form its Answer button opened."""
    assert await client.say("ask") == 201
    prompt = connector.sent()[-1]
    answer = next(
        a for a in submit_actions(prompt.card) if a["data"].get(cards.ACTION) == "nudge.answer"
    )
    assert await client.post(client.activity(value=answer["data"], reply_to_id=prompt.id)) == 201
    return prompt, connector.sent()[-1]


@pytest.mark.finding(8)
async def test_a_submit_cannot_choose_another_card_to_overwrite(
    client: Client, connector: FakeConnector, services: bootstrap.Services
) -> None:
    assert await client.say("help") == 201
    other = connector.sent()[-1]
    prompt, form = await _answer_form(client, connector)
    data = submit_actions(form.card)[0]["data"]
    tampered = {
        **data,
        "waarom_origin": other.id,  # another card, with the prompt card's seal
        "why": "OVERWRITTEN by a tampered client",
        "how": "Anything at all.",
    }
    assert data["waarom_origin"] == prompt.id
    assert await client.post(client.activity(value=tampered, reply_to_id=form.id)) == 201
    async with services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Idea)) == 1
    # Only the form itself became the record of what was sent: the seal names the prompt
    # card, so neither the other card nor (its seal broken) the prompt card changed.
    assert [call.activity_id for call in connector.updates()] == [form.id]
    assert other.id != prompt.id


def _spec(data: dict[str, Any]) -> dict[str, Any]:
    return dict(data[cards.SPEC])


Tamper = Callable[[dict[str, Any]], dict[str, Any]]
MALFORMED: dict[str, Tamper] = {
    "spec not an object": lambda d: {**d, cards.SPEC: "answer"},
    "spec missing": lambda d: {k: v for k, v in d.items() if k != cards.SPEC},
    "spec of the wrong shape": lambda d: {**d, cards.SPEC: {"form_id": 1}},
    "fields not a list": lambda d: {**d, cards.SPEC: {**_spec(d), "fields": "why"}},
    "a field without a label": lambda d: {
        **d,
        cards.SPEC: {**_spec(d), "fields": [{"name": "why"}]},
    },
    "title not text": lambda d: {**d, cards.SPEC: {**_spec(d), "title": ["x"]}},
    "form id not the spec's": lambda d: {**d, cards.FORM: 7},
    "context not the spec's": lambda d: {**d, cards.CONTEXT: "999"},
    "an input not text": lambda d: {**d, "why": {"nested": True}},
}


@pytest.mark.parametrize("tamper", MALFORMED.values(), ids=MALFORMED.keys())
@pytest.mark.finding(8)
async def test_malformed_form_data_is_refused_and_nothing_is_stored(
    client: Client, connector: FakeConnector, services: bootstrap.Services, tamper: Tamper
) -> None:
    _, form = await _answer_form(client, connector)
    data = {**submit_actions(form.card)[0]["data"], "why": "Slow.", "how": "Faster."}
    sent_before = len(connector.sent())
    assert await client.post(client.activity(value=tamper(data), reply_to_id=form.id)) == 201
    (refusal,) = connector.sent()[sent_before:]
    assert texts(refusal.card) == "I don't understand that."
    assert connector.updates() == []
    async with services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Idea)) == 0


@pytest.mark.parametrize(
    "value",
    [
        {cards.ACTION: ["nudge.skip"], cards.VALUE: "1"},
        {cards.ACTION: "nudge.skip", cards.VALUE: {"id": 1}},
    ],
)
@pytest.mark.finding(8)
async def test_malformed_button_data_is_refused_in_the_teams_language(
    client: Client, connector: FakeConnector, services: bootstrap.Services, value: dict[str, Any]
) -> None:
    prompt, _ = await _answer_form(client, connector)
    async with services.sessions() as session, session.begin():
        await session.execute(update(Team).values(language="nl"))
    sent_before = len(connector.sent())
    assert await client.post(client.activity(value=value, reply_to_id=prompt.id)) == 201
    (refusal,) = connector.sent()[sent_before:]
    assert texts(refusal.card) == "Dat begrijp ik niet."
    assert connector.updates() == []
