"""One Slack workspace never sees another's data, and the CLI entry for Socket Mode."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.intake.feedback import store_feedback
from bot.intake.normalise import FieldMap, normalise
from bot.storage.directory import organisation
from bot.storage.models import Installation, Organisation
from tests.support.slack_fake import TEAM, FakeSlack
from tests.support.slack_support import Running, slack_settings, start

OTHER = "T0OTHERCO"


async def test_ideas_stay_in_their_workspace(
    database_url: str, fake_slack: FakeSlack, http
) -> None:  # type: ignore[no-untyped-def]
    running, server = await start(slack_settings(database_url, fake_slack), fake_slack, http)
    try:
        await answer_a_prompt(running, fake_slack, "Secret roadmap of the first workspace")
        await running.slack.command("ideas", team=OTHER)
        await fake_slack.settle()
        other_reply = fake_slack.of("response_url")[-1]
        assert "Secret roadmap" not in json.dumps(other_reply.args)
        await running.slack.command("ideas")
        await fake_slack.settle()
        assert "Secret roadmap" in json.dumps(fake_slack.of("response_url")[-1].args)
    finally:
        await server.close()


@pytest.mark.finding(2)
async def test_the_tokens_workspace_reads_the_operators_feedback_and_no_other_does(
    database_url: str, fake_slack: FakeSlack, http
) -> None:  # type: ignore[no-untyped-def]
    running, server = await start(slack_settings(database_url, fake_slack), fake_slack, http)
    try:
        await store_default_feedback(running, "Monteur Geheimstraat kwam drie keer niet")
        await running.slack.command("ask")
        [ours] = await fake_slack.wait_for("response_url")
        assert "Geheimstraat" in json.dumps(ours.args)
        await running.slack.command("ask", team=OTHER)
        await fake_slack.settle()
        theirs = fake_slack.of("response_url")[-1]
        assert "Geheimstraat" not in json.dumps(theirs.args)
        async with running.services.sessions() as session:
            slugs = dict(
                (
                    await session.execute(
                        select(Installation.external_id, Organisation.slug).join(Organisation)
                    )
                ).all()
            )
        assert slugs == {TEAM: "default", OTHER: f"slack-{OTHER}"}
    finally:
        await server.close()


async def store_default_feedback(running: Running, text: str) -> None:
    clock_now = running.services.now()
    async with running.services.sessions() as session, session.begin():
        org = await organisation(session)
        item = normalise(
            {"text": text, "score": 2, "received_at": clock_now.isoformat()},
            FieldMap(step=None, external_id=None, source=None),
            zone=running.services.zone,
            default_source="test",
            now=clock_now,
        )
        await store_feedback(session, org.id, [item])


async def answer_a_prompt(running: Running, fake: FakeSlack, why: str) -> None:
    await running.slack.command("ask")
    [prompt] = await fake.wait_for("response_url")
    [button] = [
        element
        for block in prompt["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"].startswith("nudge.answer")
    ]
    await running.slack.click(button["action_id"], button["value"], ephemeral=True)
    [opened] = await fake.wait_for("views.open")
    status, body = await running.slack.submit(opened["view"], {"why": why, "how": "Keep it"})
    assert (status, body) == (200, "")
    await running.settled()


async def test_direct_message_command(serve: Running, fake_slack: FakeSlack) -> None:
    status, _ = await serve.slack.command("help", channel="D0ANNA")
    assert status == 200
    [reply] = await fake_slack.wait_for("response_url")
    assert reply["response_type"] == "ephemeral"


def test_socket_mode_needs_an_app_token(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["slack", "socket"])
    assert result.exit_code == 2
    assert "SLACK_APP_TOKEN" in result.output


async def test_moving_an_idea_tells_its_author_by_dm(serve: Running, fake_slack: FakeSlack) -> None:
    from sqlalchemy import select

    from bot.storage.models import Idea

    await answer_a_prompt(serve, fake_slack, "Invoices are hard to find")
    async with serve.services.sessions() as session:
        idea = (await session.scalars(select(Idea))).one()
    # The admin leads the team (no leads set yet) and moves the idea.
    await serve.slack.command(f"idea {idea.id} planned", user="U0ADMIN")
    [opened] = await fake_slack.wait_for("conversations.open")
    assert opened["users"] == "U0ANNA"
    [dm] = await fake_slack.wait_for("chat.postMessage")
    assert dm["channel"] == "D0ANNA"
    assert dm["parse"] == "none"


async def test_revoked_bot_token_disables_the_workspace(
    serve: Running, fake_slack: FakeSlack
) -> None:
    from sqlalchemy import select

    from bot.storage.models import Installation

    await serve.slack.command("help")
    await fake_slack.wait_for("response_url")
    await serve.slack.event(
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT0001"]}, "event_ts": "1.2"}
    )
    await fake_slack.settle()
    async with serve.services.sessions() as session:
        installation = (await session.scalars(select(Installation))).one()
    assert installation.active is False
