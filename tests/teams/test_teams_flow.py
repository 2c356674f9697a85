"""A prompt answered through cards, end to end; proactive sends after a restart; retries."""

from __future__ import annotations

from sqlalchemy import select

import adapters.teams
from bot import bootstrap
from bot.messages import Message, Paragraph
from bot.storage.models import Idea, Team
from tests.support.teams_connector import Call, FakeConnector
from tests.support.teams_support import (
    Client,
    assert_valid_card,
    inputs,
    make_settings,
    submit_actions,
    texts,
)


async def ask(client: Client, connector: FakeConnector) -> Call:
    assert await client.say("ask") == 201
    prompt = connector.sent()[-1]
    assert_valid_card(prompt.card)
    return prompt


async def test_a_prompt_answered_through_its_card_becomes_an_idea(
    client: Client, connector: FakeConnector, services: bootstrap.Services
) -> None:
    prompt = await ask(client, connector)
    answer = next(
        a for a in submit_actions(prompt.card) if a["data"].get("waarom_action") == "nudge.answer"
    )

    # Answer: Teams sends the button's data back as the value of a message.
    assert await client.post(client.activity(value=answer["data"], reply_to_id=prompt.id)) == 201
    form = connector.sent()[-1]
    assert_valid_card(form.card)
    assert set(inputs(form.card)) == {"why", "how"}
    submit = submit_actions(form.card)[0]

    # Too long: refused with the limit named, the form shown again in place, values kept.
    too_long = "x" * 10_000
    values = {**submit["data"], "why": "Because customers wait.", "how": too_long}
    assert await client.post(client.activity(value=values, reply_to_id=form.id)) == 201
    refused = connector.updates()[-1]
    assert refused.activity_id == form.id
    assert_valid_card(refused.card)
    assert inputs(refused.card)["why"]["value"] == "Because customers wait."
    assert inputs(refused.card)["how"]["value"] == too_long
    async with services.sessions() as session:
        assert (await session.scalars(select(Idea))).all() == []

    # Accepted: the idea is stored, the form made read-only, and the prompt card that opened
    # it (named in the form's sealed data) says it was answered.
    values = {**submit["data"], "why": "Because customers wait.", "how": "Answer within a day."}
    assert await client.post(client.activity(value=values, reply_to_id=form.id)) == 201
    async with services.sessions() as session:
        (idea,) = (await session.scalars(select(Idea))).all()
    assert (idea.why, idea.how) == ("Because customers wait.", "Answer within a day.")
    updated = {call.activity_id: call for call in connector.updates()}
    assert set(updated) == {form.id, prompt.id}
    assert "Answered" in texts(updated[prompt.id].card)
    assert "Thank you" in texts(connector.sent()[-1].card)
    assert await client.post(client.activity(value=answer["data"], reply_to_id=prompt.id)) == 201
    assert "already been answered" in texts(connector.sent()[-1].card)
    assert_valid_card(updated[form.id].card)
    assert "Answer within a day." in texts(updated[form.id].card)
    for call in connector.calls:
        for card in call.cards:
            assert_valid_card(card)


async def test_skip_updates_the_prompt_card(client: Client, connector: FakeConnector) -> None:
    prompt = await ask(client, connector)
    skip = next(
        a for a in submit_actions(prompt.card) if a["data"].get("waarom_action") == "nudge.skip"
    )
    assert await client.post(client.activity(value=skip["data"], reply_to_id=prompt.id)) == 201
    (update,) = connector.updates()
    assert update.activity_id == prompt.id
    assert_valid_card(update.card)


async def test_cancel_removes_the_form(client: Client, connector: FakeConnector) -> None:
    prompt = await ask(client, connector)
    answer = next(
        a for a in submit_actions(prompt.card) if a["data"].get("waarom_action") == "nudge.answer"
    )
    await client.post(client.activity(value=answer["data"], reply_to_id=prompt.id))
    form = connector.sent()[-1]
    cancel = submit_actions(form.card)[1]
    assert await client.post(client.activity(value=cancel["data"], reply_to_id=form.id)) == 201
    (deleted,) = connector.deletes()
    assert deleted.activity_id == form.id


async def test_proactive_messages_reach_a_team_after_a_restart(
    client: Client, connector: FakeConnector, database_url: str
) -> None:
    added = client.activity(
        type="conversationUpdate",
        conversation="19:general@thread.tacv2",
        conversation_type="channel",
        membersAdded=[{"id": "28:waarom-bot"}],
        channelData={"tenant": {"id": "tenant-1"}, "team": {"name": "Support"}},
    )
    assert await client.post(added) == 201
    await client.server.close()

    # A new process: nothing in memory, only the database.
    services = bootstrap.build(make_settings(database_url))
    try:
        async with services.sessions() as session:
            team = await session.scalar(
                select(Team).where(Team.external_id == "19:general@thread.tacv2")
            )
        assert team is not None
        assert team.address is not None
        sender = adapters.teams.build(services).sender
        digest = Message((Paragraph("This week: 12 customers spoke."),), "Your weekly digest")
        connector.fail_next(429, retry_after="0")
        connector.fail_next(502)
        landed = await sender.send(team.address, digest)
        assert connector.refused == [429, 502]
        post = connector.sent()[-1]
        assert post.conversation_id == "19:general@thread.tacv2"
        assert post.activity_id is None  # a new thread, not a reply
        assert_valid_card(post.card)
        assert landed["activity_id"] == post.id

        connector.fail_next(504)
        await sender.update(team.address, landed, Message((Paragraph("Updated."),), "Updated"))
        (update,) = connector.updates()
        assert update.activity_id == post.id
        assert connector.refused == [429, 502, 504]
    finally:
        await services.close()
