"""``/waarom`` over real HTTP: signed slash commands in, replies seen by the fake Slack."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bot.storage.models import Feedback, Idea, Member, Team, TeamLead
from tests.support.slack_fake import ADMIN, CHANNEL, FakeSlack
from tests.support.slack_support import (
    Running,
    assert_valid_blocks,
    assert_valid_view,
    formatting,
    live_markup,
)

COMMANDS = [
    "help",
    "ask",
    "feedback the invoice page is confusing #smb",
    "ideas",
    "ideas new",
    "digest",
    "settings",
    "idea 1 planned",
    "merge 1 2",
]


def reply_text(call) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(call.args, ensure_ascii=False)


async def test_empty_command_gets_help_only_to_the_sender(
    serve: Running, fake_slack: FakeSlack
) -> None:
    status, _ = await serve.slack.command("")
    assert status == 200
    [reply] = await fake_slack.wait_for("response_url")
    assert reply["response_type"] == "ephemeral"
    assert reply["replace_original"] is False
    assert_valid_blocks(reply["blocks"])
    assert "ideas" in reply_text(reply)


async def test_unknown_command_names_the_word(serve: Running, fake_slack: FakeSlack) -> None:
    await serve.slack.command("frobnicate now")
    [reply] = await fake_slack.wait_for("response_url")
    assert "frobnicate" in reply_text(reply)
    assert_valid_blocks(reply["blocks"])


@pytest.mark.parametrize("command", COMMANDS)
async def test_every_command_answers(serve: Running, fake_slack: FakeSlack, command: str) -> None:
    status, body = await serve.slack.command(command, user=ADMIN)
    assert status == 200
    assert body == ""  # acknowledged at once; the answer follows through response_url
    await fake_slack.settle()
    replies = fake_slack.of("response_url") + fake_slack.of("chat.postMessage")
    opened = fake_slack.of("views.open")
    assert replies or opened, f"/waarom {command}: Slack saw {[c.method for c in fake_slack.calls]}"
    for reply in replies:
        assert_valid_blocks(reply["blocks"])
    for call in opened:
        assert_valid_view(call["view"])


async def test_users_info_feeds_the_member(serve: Running, fake_slack: FakeSlack) -> None:
    await serve.slack.command("help", user=ADMIN)
    await fake_slack.wait_for("response_url")
    async with serve.services.sessions() as session:
        member = await session.scalar(select(Member).where(Member.external_id == ADMIN))
    assert member is not None
    assert member.is_admin is True
    assert member.timezone == "Europe/Amsterdam"
    assert member.display_name == "Bo Baas"


async def test_lead_commands_refuse_non_leads_privately(
    serve: Running, fake_slack: FakeSlack
) -> None:
    # The admin's first command makes the team exist; a plain member is not its lead.
    await serve.slack.command("help", user=ADMIN)
    await fake_slack.wait_for("response_url")
    await serve.slack.command("settings")
    replies = await fake_slack.wait_for("response_url", 2)
    assert replies[1]["response_type"] == "ephemeral"
    assert fake_slack.of("views.open") == []


async def test_feedback_with_segment_is_stored(serve: Running, fake_slack: FakeSlack) -> None:
    await serve.slack.command("feedback The export to Excel drops the dates #enterprise")
    [reply] = await fake_slack.wait_for("response_url")
    assert reply["response_type"] == "ephemeral"
    async with serve.services.sessions() as session:
        stored = (await session.scalars(select(Feedback))).all()
    assert [(f.text, f.segment) for f in stored] == [
        ("The export to Excel drops the dates", "enterprise")
    ]


async def test_feedback_without_text_opens_the_form(serve: Running, fake_slack: FakeSlack) -> None:
    await serve.slack.command("feedback")
    [opened] = await fake_slack.wait_for("views.open")
    assert ".1111.trigger" in opened["trigger_id"]
    assert_valid_view(opened["view"])


async def test_mentions_in_user_text_never_ping(serve: Running, fake_slack: FakeSlack) -> None:
    await serve.slack.command("feedback <!channel> please *look* & fix <@U0BOSS> #smb")
    [reply] = await fake_slack.wait_for("response_url")
    # Shown as typed where Slack parses nothing; nothing in it is live markup or formatting.
    assert live_markup(reply.args) == []
    assert formatting(reply.args) == []
    raw = json.dumps(reply.args)
    assert "<!channel>" not in raw
    assert "<@U0BOSS>" not in raw
    # Slack's markup is read as what the person saw, and stored so.
    async with serve.services.sessions() as session:
        [text] = (await session.scalars(select(Feedback.text))).all()
    assert text == "@channel please *look* & fix @U0BOSS"


async def test_replayed_command_is_handled_once(serve: Running, fake_slack: FakeSlack) -> None:
    # The same signed request twice (a replay within the signature's five minutes).
    body = serve.slack.command_body("feedback Checkout was slow today")
    for _ in range(2):
        status, _ = await serve.slack.send(body, "application/x-www-form-urlencoded")
        assert status == 200
    await fake_slack.wait_for("response_url")
    await fake_slack.settle()
    assert len(fake_slack.of("response_url")) == 1
    async with serve.services.sessions() as session:
        before = await session.scalar(select(func.count()).select_from(Feedback))
    assert before == 1


async def test_channel_is_registered_as_a_team(serve: Running, fake_slack: FakeSlack) -> None:
    await serve.slack.command("ideas")
    await fake_slack.wait_for("response_url")
    async with serve.services.sessions() as session:
        team = await session.scalar(select(Team).where(Team.external_id == CHANNEL))
        ideas = await session.scalar(select(func.count()).select_from(Idea))
    assert team is not None
    assert team.address == {"channel": CHANNEL}
    assert ideas == 0


@pytest.mark.finding(9)
async def test_a_lead_sets_leads_by_mentioning_them(serve: Running, fake_slack: FakeSlack) -> None:
    # The workspace admin leads the team until it has leads; Slack sends mentions escaped.
    status, _ = await serve.slack.command("settings leads <@U0ANNA|anna> <@U0PIET>", user=ADMIN)
    assert status == 200
    [reply] = await fake_slack.wait_for("response_url")
    assert reply["response_type"] == "ephemeral"
    async with serve.services.sessions() as session:
        team = await session.scalar(select(Team).where(Team.external_id == CHANNEL))
        assert team is not None
        leads = await session.scalars(
            select(Member.external_id)
            .join(TeamLead, TeamLead.member_id == Member.id)
            .where(TeamLead.team_id == team.id)
        )
        assert sorted(leads.all()) == ["U0ANNA", "U0PIET"]
    # What the people notice: Anna may now change the settings, the admin no longer may.
    await serve.slack.command("settings", user="U0ANNA")
    [opened] = await fake_slack.wait_for("views.open")
    assert_valid_view(opened["view"])
    await serve.slack.command("settings", user=ADMIN)
    replies = await fake_slack.wait_for("response_url", 2)
    assert "lead" in reply_text(replies[-1]).lower()
    assert len(fake_slack.of("views.open")) == 1
