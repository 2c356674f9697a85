"""Lead-only actions refuse people who do not lead the team, on Slack, on Teams and in the
console, and leading one team does not open another team's settings.

Every refusal is counted, and the team's state is checked to be exactly as before.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from adapters.console import ConsoleChat
from bot.storage.models import Idea, Nudge, Team
from tests.support.rel_isolation import (
    NEW_SETTINGS,
    REFUSED,
    answer_view,
    isolation_world,
    settings_card_value,
    settings_view,
    team_id_of,
    team_state,
)
from tests.support.rel_tally import TALLY
from tests.support.rel_world import TENANT_A, World
from tests.support.slack_fake import ADMIN, CHANNEL, USER


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    async with isolation_world(database_url) as built:
        yield built


async def _anna_logs_an_idea(world: World) -> Idea:
    """The admin speaks first in A's channel (and leads it); Anna, no admin, logs an idea."""
    await world.slack.command("help", user=ADMIN)
    await world.slack.command("ask", user=USER)
    await world.fake.settle(0.15)
    async with world.services.sessions() as session:
        nudge = (await session.scalars(select(Nudge).order_by(Nudge.id.desc()))).first()
    assert nudge is not None
    await world.slack.submit(
        answer_view(world, nudge.id), {"why": "Anna's why", "how": "Anna's how"}
    )
    await world.fake.settle(0.15)
    async with world.services.sessions() as session:
        return (await session.scalars(select(Idea).where(Idea.why == "Anna's why"))).one()


async def _slack_refuses_anna(world: World, idea: Idea, a_team: int) -> None:
    world.fake.calls.clear()
    for words in (
        f"idea {idea.id} done",
        f"merge {idea.id} {idea.id}",
        "settings",
        "settings digest fri 17:00",
        "settings leads <@U0ANNA>",
    ):
        await world.slack.command(words, user=USER)
    await world.slack.submit(await settings_view(world, a_team), NEW_SETTINGS, user=USER)
    await world.fake.settle(0.15)
    refusals = [c for c in world.fake.calls if REFUSED in json.dumps(c.args, ensure_ascii=False)]
    assert len(refusals) == 6, [c.method for c in world.fake.calls]
    assert world.fake.of("views.open") == []


async def _teams_refuses_a_colleague(world: World) -> None:
    """Whoever added the bot leads the channel; a colleague does not."""
    teams = world.teams
    here = {"tenant": TENANT_A, "conversation": "19:acme-teams", "conversation_type": "channel"}
    await teams.add_bot(user="29:acme-lead", **here)
    await teams.say("ask", user="29:acme-lead", **here)
    world.connector.calls.clear()
    teams_team = await team_id_of(world, "19:acme-teams")
    value = await settings_card_value(world, teams_team)
    for words in ("idea 1 done", "merge 1 2", "settings", "settings quiet 12:00-13:00"):
        await teams.say(words, user="29:acme-colleague", **here)
    await teams.post(teams.activity(value=value, user="29:acme-colleague", **here))
    refusals = [
        c for c in world.connector.calls if REFUSED in json.dumps(c.body, ensure_ascii=False)
    ]
    assert len(refusals) == 5, [c.body for c in world.connector.calls]


async def test_lead_only_actions_refuse_non_leads_everywhere(world: World) -> None:
    idea = await _anna_logs_an_idea(world)
    a_team = await team_id_of(world, CHANNEL)
    before = await team_state(world, a_team)
    await _slack_refuses_anna(world, idea, a_team)
    await _teams_refuses_a_colleague(world)

    # The console: anna is not the demo team's lead.
    out = io.StringIO()
    script = "help\n:as anna\nidea 1 done\nmerge 1 2\nsettings\nsettings language nl\n"
    await ConsoleChat(world.services, io.StringIO(script), out, echo=True).run()
    assert out.getvalue().count(REFUSED) == 4, out.getvalue()

    assert await team_state(world, a_team) == before
    TALLY.requests += 6 + 5 + 4


async def _teams_colleague_cannot_set_the_channel(world: World) -> None:
    """A colleague who started a chat with the bot sends a settings card naming the channel."""
    here = {"tenant": TENANT_A, "user": "29:acme-colleague"}
    await world.teams.add_bot(
        conversation="19:acme-teams",
        conversation_type="channel",
        user="29:acme-lead",
        tenant=TENANT_A,
    )
    await world.teams.say("help", conversation="a:colleague-chat", **here)
    teams_team = await team_id_of(world, "19:acme-teams")
    async with world.services.sessions() as session:
        team = await session.get(Team, teams_team)
        teams_before = (team.language, team.digest_schedule) if team else None
    assert team is not None
    value = await settings_card_value(world, teams_team)
    world.connector.calls.clear()
    await world.teams.post(
        world.teams.activity(value=value, conversation="a:colleague-chat", **here)
    )
    said = json.dumps([c.body for c in world.connector.calls], ensure_ascii=False)
    assert REFUSED in said
    async with world.services.sessions() as session:
        team = await session.get(Team, teams_team)
        assert team is not None
        assert (team.language, team.digest_schedule) == teams_before


async def test_leading_one_team_does_not_open_another_teams_settings(world: World) -> None:
    """Anna leads her own direct chat with the bot (she started it) but not the channel: a
    settings form naming the channel's team is refused, on Slack and on Teams."""
    slack = world.slack
    await slack.command("help", user=ADMIN)  # the admin's channel
    await slack.command("help", user=USER, channel="D0ANNA")  # Anna's own chat
    await world.fake.settle(0.15)
    a_team = await team_id_of(world, CHANNEL)
    before = await team_state(world, a_team)
    world.fake.calls.clear()
    await slack.submit(
        await settings_view(world, a_team, channel="D0ANNA"), NEW_SETTINGS, user=USER
    )
    await world.fake.settle(0.15)
    assert await team_state(world, a_team) == before
    assert REFUSED in json.dumps([c.args for c in world.fake.calls], ensure_ascii=False)

    await _teams_colleague_cannot_set_the_channel(world)
    assert await team_state(world, a_team) == before
    TALLY.requests += 2
