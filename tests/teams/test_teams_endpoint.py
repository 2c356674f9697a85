"""End to end over real HTTP: Teams activities POSTed to ``waarom serve``'s app, replies read
from the loopback Bot Connector the activities' ``serviceUrl`` points at."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bot import bootstrap
from bot.storage.models import Feedback, Member, ProcessedEvent, Team
from tests.support.teams_connector import FakeConnector
from tests.support.teams_support import Client, assert_valid_card


async def test_a_command_in_a_personal_chat_is_answered_with_a_card(
    client: Client, connector: FakeConnector
) -> None:
    assert await client.say("help") == 201
    (reply,) = connector.sent()
    assert reply.conversation_id == "a:personal-chat-1"
    assert reply.body is not None
    assert reply.body["replyToId"]
    assert_valid_card(reply.card)
    assert reply.body["summary"]


async def test_the_bot_added_to_a_team_registers_it_and_welcomes(
    client: Client, connector: FakeConnector, services: bootstrap.Services
) -> None:
    added = client.activity(
        type="conversationUpdate",
        conversation="19:general@thread.tacv2",
        conversation_type="channel",
        membersAdded=[{"id": "28:waarom-bot"}],
        channelData={
            "tenant": {"id": "tenant-1"},
            "team": {"id": "19:general@thread.tacv2", "name": "Support"},
            "eventType": "teamMemberAdded",
        },
    )
    assert await client.post(added) == 201
    (welcome,) = connector.sent()
    assert welcome.conversation_id == "19:general@thread.tacv2"
    assert_valid_card(welcome.card)
    async with services.sessions() as session:
        team = await session.scalar(
            select(Team).where(Team.external_id == "19:general@thread.tacv2")
        )
    assert team is not None
    assert team.active
    assert team.address is not None
    assert team.address["serviceUrl"] == connector.url
    # The SDK spells it tenantID.
    assert team.address["conversation"]["tenantID"] == "tenant-1"

    removed = client.activity(
        type="conversationUpdate",
        conversation="19:general@thread.tacv2",
        conversation_type="channel",
        membersRemoved=[{"id": "28:waarom-bot"}],
        channelData={"tenant": {"id": "tenant-1"}, "eventType": "teamMemberRemoved"},
    )
    assert await client.post(removed) == 201
    async with services.sessions() as session:
        team = await session.scalar(
            select(Team).where(Team.external_id == "19:general@thread.tacv2")
        )
    assert team is not None
    assert not team.active


def mentioned(client: Client, text: str, conversation: str) -> dict[str, Any]:
    """A channel message ``text`` that mentions the bot, as Teams sends it."""
    return client.activity(
        text=text,
        conversation=conversation,
        conversation_type="channel",
        entities=[
            {
                "type": "mention",
                "text": "<at>Waarom</at>",
                "mentioned": {"id": "28:waarom-bot", "name": "Waarom"},
            }
        ],
    )


async def test_a_mention_in_a_channel_thread_is_stripped_and_answered_in_the_thread(
    client: Client, connector: FakeConnector, services: bootstrap.Services
) -> None:
    activity = mentioned(
        client, "<at>Waarom</at> help", "19:general@thread.tacv2;messageid=1699999999999"
    )
    assert await client.post(activity) == 201
    (reply,) = connector.sent()
    assert reply.conversation_id == "19:general@thread.tacv2;messageid=1699999999999"
    assert_valid_card(reply.card)
    async with services.sessions() as session:
        team = await session.scalar(
            select(Team).where(Team.external_id == "19:general@thread.tacv2")
        )
    # The team is the channel; proactive posts go to the channel, not into the thread.
    assert team is not None
    assert team.address is not None
    assert team.address["conversation"]["id"] == "19:general@thread.tacv2"


async def test_a_mention_removes_itself_and_not_the_word_waarom_in_the_text(
    client: Client, connector: FakeConnector, services: bootstrap.Services
) -> None:
    # The bot is called "Waarom" ("why"), a word Dutch customers' stories start with.
    activity = mentioned(
        client,
        "<at>Waarom</at>: feedback Waarom duurt een reparatie zo lang?",
        "19:general@thread.tacv2",
    )
    assert await client.post(activity) == 201
    assert len(connector.sent()) == 1
    async with services.sessions() as session:
        stored = (await session.scalars(select(Feedback.text))).all()
    assert stored == ["Waarom duurt een reparatie zo lang?"]


async def test_a_redelivered_activity_is_handled_once(
    client: Client, connector: FakeConnector, services: bootstrap.Services
) -> None:
    activity = client.activity(text="help", activity_id="1700000000999")
    assert await client.post(activity) == 201
    assert await client.post(activity) == 201
    assert len(connector.sent()) == 1
    async with services.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(ProcessedEvent))
    assert count == 1


async def test_the_same_message_id_in_another_conversation_is_not_a_replay(
    client: Client, connector: FakeConnector
) -> None:
    assert await client.post(client.activity(text="help", activity_id="1700000000777")) == 201
    other = client.activity(
        text="help", activity_id="1700000000777", conversation="a:personal-chat-2"
    )
    assert await client.post(other) == 201
    assert len(connector.sent()) == 2


async def test_the_personal_chat_is_remembered_for_direct_messages(
    client: Client, services: bootstrap.Services
) -> None:
    assert await client.say("help") == 201
    async with services.sessions() as session:
        member = await session.scalar(select(Member).where(Member.external_id == "29:user-1"))
    assert member is not None
    assert member.address is not None
    assert member.address["conversation"]["id"] == "a:personal-chat-1"


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("not json", "application/json", 400),
        ("[]", "application/json", 400),
        ("{}", "text/plain", 415),
    ],
)
async def test_garbage_is_refused_without_a_server_error(
    client: Client, body: str, content_type: str, status: int
) -> None:
    async with client.http.post(
        client.server.make_url("/api/messages"), data=body, headers={"Content-Type": content_type}
    ) as response:
        assert response.status == status
