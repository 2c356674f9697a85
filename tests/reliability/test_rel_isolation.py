"""Organisation A cannot read or change anything of organisation B, on any path: Slack
commands, buttons, forms and the home tab; Teams messages and card submits; the feedback
webhook; the console. And lead-only actions refuse people who do not lead the team.

Each test attacks with B's ids (ideas, prompts, teams), then checks two things: nothing A's
people were sent mentions B's texts, and B's state is exactly as before. Every attack has a
control that does work inside A, so a refusal cannot pass by accident.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import ClientSession
from sqlalchemy import func, select

from adapters.console import ConsoleChat
from adapters.slack import render
from adapters.teams import cards
from bot import chat
from bot.chat import views
from bot.intake import webhook
from bot.storage.models import Feedback, Idea, Nudge, Organisation, Team
from tests.support.rel_tally import TALLY
from tests.support.rel_world import (
    ORG_A,
    ORG_B,
    SECRET,
    TENANT_A,
    WEBHOOK_SECRET,
    World,
    make_b,
    slack_b,
    start_world,
)
from tests.support.slack_fake import ADMIN, CHANNEL, USER

REFUSED = "Only team leads can do that."


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    async with ClientSession() as http:
        built = await _start(database_url, http)
        try:
            yield built
        finally:
            await built.fake.settle(0.1)
            await built.close()
            await built.fake.close()
            await built.connector.close()


async def _start(database_url: str, http: ClientSession) -> World:
    world = await start_world(database_url, http)
    await make_b(world)
    return world


def _check_nothing_leaked(world: World, attacks: int) -> None:
    assert world.b is not None
    TALLY.requests += attacks
    leaked = SECRET in world.shown()
    TALLY.leaked += int(leaked)
    assert not leaked, "a text of organisation B was shown in organisation A"


async def _check_b_unchanged(world: World) -> None:
    assert world.b is not None
    after = await world.snapshot()
    changed = [key for key in after if after[key] != world.b.snapshot[key]]
    TALLY.leaked += len(changed)
    assert not changed, {key: (world.b.snapshot[key], after[key]) for key in changed}


def _answer_view(world: World, nudge_id: int | str, channel: str = CHANNEL) -> dict[str, Any]:
    t = world.services.catalog.translator("en")
    form = views.answer_form(t, SimpleNamespace(id=nudge_id), None)  # type: ignore[arg-type]
    return render.modal_view(form, render.FormState("answer", str(nudge_id), channel))


async def _settings_view(world: World, team_id: int, channel: str = CHANNEL) -> dict[str, Any]:
    t = world.services.catalog.translator("en")
    async with world.services.sessions() as session:
        team = await session.get(Team, team_id)
    assert team is not None
    form = views.settings_form(t, team)
    return render.modal_view(form, render.FormState("settings", str(team_id), channel))


NEW_SETTINGS = {
    "language": "nl",
    "timezone": "Asia/Tokyo",
    "digest": "fri 17:00",
    "nudges": "wed 11:00",
    "quiet": "",
}


async def _team_id(world: World, external_id: str) -> int:
    async with world.services.sessions() as session:
        return (await session.scalars(select(Team.id).where(Team.external_id == external_id))).one()


async def _replies(world: World) -> str:
    await world.fake.settle(0.15)
    return json.dumps([c.args for c in world.fake.of("response_url")], ensure_ascii=False)


async def test_slack_workspace_a_cannot_read_or_change_b(world: World) -> None:
    b = world.b
    assert b is not None
    slack = world.slack
    # Controls inside A: the admin leads A's channel, logs an idea and sees it.
    await slack.command("ask", user=ADMIN)
    [prompt] = await world.fake.wait_for("response_url")
    value = next(
        e["value"]
        for block in prompt["blocks"]
        if block["type"] == "actions"
        for e in block["elements"]
        if e["action_id"].startswith("nudge.answer")
    )
    status, body = await slack.submit(
        _answer_view(world, value),
        {"why": "Acme invoices are late", "how": "Send them on time"},
        user=ADMIN,
    )
    assert (status, body) == (200, "")
    await world.fake.settle(0.15)
    a_team = await _team_id(world, CHANNEL)
    async with world.services.sessions() as session:
        a_idea = (await session.scalars(select(Idea.id).where(Idea.team_id == a_team))).one()

    attacks = [
        ("ideas", CHANNEL),
        ("ideas new", CHANNEL),
        ("ideas", "D0ADMIN"),
        (f"idea {b.idea} done", CHANNEL),
        (f"idea #{b.idea} planned boss", CHANNEL),
        (f"idea {b.teams_idea} declined", CHANNEL),
        (f"merge {b.idea} {a_idea}", CHANNEL),
        (f"merge {a_idea} {b.idea}", CHANNEL),
        ("digest", CHANNEL),
        ("digest", "D0ADMIN"),
        ("settings show", CHANNEL),
    ]
    for words, channel in attacks:
        status, _ = await slack.command(words, user=ADMIN, channel=channel)
        assert status == 200
    shown = await _replies(world)
    assert f"There is no idea #{b.idea} in this team." in shown
    assert "Acme invoices are late" in shown  # the control: A's own idea is listed

    # Buttons with B's open prompt, and forms naming B's prompt and B's teams.
    for action in ("nudge.answer", "nudge.skip", "nudge.later"):
        status, _ = await slack.click(f"{action}:x", str(b.open_nudge), user=ADMIN)
        assert status == 200
    views_opened = len(world.fake.of("views.open"))
    for nudge_id in (b.open_nudge, str(b.open_nudge) + " ", f"0{b.open_nudge}"):
        status, _ = await slack.submit(
            _answer_view(world, nudge_id), {"why": "Stolen", "how": "Stolen"}, user=ADMIN
        )
        assert status == 200
    for team_id in (b.team_id, b.teams_team_id):
        status, _ = await slack.submit(
            await _settings_view(world, team_id), NEW_SETTINGS, user=ADMIN
        )
        assert status == 200
    # The home tab of A's admin.
    status, _ = await slack.event(
        {
            "type": "app_home_opened",
            "user": ADMIN,
            "channel": "D0ADMIN",
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
    )
    assert status == 200
    [home] = await world.fake.wait_for("views.publish")
    assert "Acme invoices are late" in json.dumps(home.args)
    await world.fake.settle(0.2)
    assert len(world.fake.of("views.open")) == views_opened  # no form opened for B's prompt
    assert "not (or no longer) for you" in await _replies(world)

    _check_nothing_leaked(world, len(attacks) + 3 + 3 + 2 + 1)
    await _check_b_unchanged(world)


async def test_teams_tenant_a_cannot_read_or_change_b(world: World) -> None:
    b = world.b
    assert b is not None
    teams = world.teams
    here = {
        "tenant": TENANT_A,
        "conversation": "19:acme-channel",
        "conversation_type": "channel",
        "user": "29:acme-lead",
    }
    assert await teams.add_bot(**here) == 201  # whoever adds the bot leads the team
    assert await teams.say("ideas", **here) == 201
    attacks: list[dict[str, Any]] = [
        teams.activity(text=words, **here)
        for words in (
            "ideas",
            f"idea {b.teams_idea} done",
            f"idea {b.idea} planned",
            f"merge {b.teams_idea} {b.idea}",
            "digest",
            "settings show",
        )
    ]
    attacks += [
        teams.activity(value={cards.ACTION: action, cards.VALUE: str(b.open_nudge)}, **here)
        for action in ("nudge.answer", "nudge.skip", "nudge.later")
    ]
    t = world.services.catalog.translator("en")
    answer = views.answer_form(t, SimpleNamespace(id=b.open_nudge), None)  # type: ignore[arg-type]
    attacks.append(
        teams.activity(
            value={
                cards.FORM: "answer",
                cards.CONTEXT: str(b.open_nudge),
                cards.SPEC: cards.form_spec(answer),
                "why": "Stolen",
                "how": "Stolen",
            },
            **here,
        )
    )
    for team_id in (b.team_id, b.teams_team_id):
        async with world.services.sessions() as session:
            team = await session.get(Team, team_id)
        assert team is not None
        form = views.settings_form(t, team)
        attacks.append(
            teams.activity(
                value={
                    cards.FORM: "settings",
                    cards.CONTEXT: str(team_id),
                    cards.SPEC: cards.form_spec(form),
                    **NEW_SETTINGS,
                },
                **here,
            )
        )
    for activity in attacks:
        assert await teams.post(activity) in (200, 201)
    said = json.dumps([c.body for c in world.connector.calls], ensure_ascii=False)
    assert f"There is no idea #{b.teams_idea} in this team." in said
    assert "not (or no longer) for you" in said
    _check_nothing_leaked(world, len(attacks) + 1)
    await _check_b_unchanged(world)


async def test_the_webhook_and_the_console_keep_to_their_organisation(world: World) -> None:
    b = world.b
    assert b is not None
    items = [
        {"text": "Acme: the app crashed at checkout", "org": ORG_A, "external_id": "a-1"},
        {"text": "Default: a console-only remark", "external_id": "d-1"},
        {"text": "Unknown organisation", "org": "slack-T0NOBODY", "external_id": "x-2"},
    ]
    body = json.dumps(items).encode()
    stamp = str(int(time.time()))
    headers = {
        webhook.TIMESTAMP_HEADER: stamp,
        webhook.SIGNATURE_HEADER: webhook.sign(WEBHOOK_SECRET, stamp, body),
        "Content-Type": "application/json",
    }
    async with world.slack.http.post(
        world.server.make_url("/feedback"), data=body, headers=headers
    ) as response:
        answer = await response.json()
    assert answer["stored"] == 2
    assert answer["rejected"] == [{"index": 2, "reason": "no organisation 'slack-T0NOBODY'"}]
    async with world.services.sessions() as session:
        per_org = dict(
            (
                await session.execute(
                    select(Organisation.slug, func.count(Feedback.id))
                    .join(Feedback, Feedback.org_id == Organisation.id)
                    .group_by(Organisation.slug)
                )
            ).all()
        )
    assert per_org == {ORG_A: 1, "default": 1, ORG_B: 1}

    # B's own people do not see A's feedback in their digest preview either.
    [digest] = await chat.handle_text(world.services, slack_b(), "digest")
    assert "Acme" not in json.dumps(str(digest))

    # The console (the default organisation) reaches neither A nor B.
    script = (
        f"ideas\nidea {b.idea} done\nmerge {b.idea} {b.teams_idea}\ndigest\n"
        f":in {'C0GLOBEX'}\nideas\n"
    )
    out = io.StringIO()
    await ConsoleChat(world.services, io.StringIO(script), out, echo=True).run()
    assert f"There is no idea #{b.idea} in this team." in out.getvalue()
    leaked = SECRET in out.getvalue() or "Acme" in out.getvalue()
    TALLY.leaked += int(leaked)
    assert not leaked
    _check_nothing_leaked(world, 1 + 6)
    await _check_b_unchanged(world)


async def test_lead_only_actions_refuse_non_leads_everywhere(world: World) -> None:
    slack, teams = world.slack, world.teams
    # Slack: the admin speaks first in A's channel (and leads it); Anna is no admin.
    await slack.command("help", user=ADMIN)
    await slack.command("ask", user=USER)
    await world.fake.settle(0.15)
    async with world.services.sessions() as session:
        nudge = (await session.scalars(select(Nudge).order_by(Nudge.id.desc()))).first()
    assert nudge is not None
    await slack.submit(_answer_view(world, nudge.id), {"why": "Anna's why", "how": "Anna's how"})
    await world.fake.settle(0.15)
    async with world.services.sessions() as session:
        idea = (await session.scalars(select(Idea).where(Idea.why == "Anna's why"))).one()
    a_team = await _team_id(world, CHANNEL)
    before = await _state(world, a_team)
    world.fake.calls.clear()
    for words in (
        f"idea {idea.id} done",
        f"merge {idea.id} {idea.id}",
        "settings",
        "settings digest fri 17:00",
        "settings leads <@U0ANNA>",
    ):
        await slack.command(words, user=USER)
    await slack.submit(await _settings_view(world, a_team), NEW_SETTINGS, user=USER)
    await world.fake.settle(0.15)
    refusals = [c for c in world.fake.calls if REFUSED in json.dumps(c.args, ensure_ascii=False)]
    assert len(refusals) == 6, [c.method for c in world.fake.calls]
    assert world.fake.of("views.open") == []

    # Teams: whoever added the bot leads the channel; a colleague does not.
    here = {"tenant": TENANT_A, "conversation": "19:acme-teams", "conversation_type": "channel"}
    await teams.add_bot(user="29:acme-lead", **here)
    await teams.say("ask", user="29:acme-lead", **here)
    world.connector.calls.clear()
    t = world.services.catalog.translator("en")
    teams_team = await _team_id(world, "19:acme-teams")
    async with world.services.sessions() as session:
        team = await session.get(Team, teams_team)
    assert team is not None
    spec = cards.form_spec(views.settings_form(t, team))
    for words in ("idea 1 done", "merge 1 2", "settings", "settings quiet 12:00-13:00"):
        await teams.say(words, user="29:acme-colleague", **here)
    await teams.post(
        teams.activity(
            value={
                cards.FORM: "settings",
                cards.CONTEXT: str(teams_team),
                cards.SPEC: spec,
                **NEW_SETTINGS,
            },
            user="29:acme-colleague",
            **here,
        )
    )
    refusals = [
        c for c in world.connector.calls if REFUSED in json.dumps(c.body, ensure_ascii=False)
    ]
    assert len(refusals) == 5, [c.body for c in world.connector.calls]

    # The console: anna is not the demo team's lead.
    out = io.StringIO()
    script = "help\n:as anna\nidea 1 done\nmerge 1 2\nsettings\nsettings language nl\n"
    await ConsoleChat(world.services, io.StringIO(script), out, echo=True).run()
    assert out.getvalue().count(REFUSED) == 4, out.getvalue()

    assert await _state(world, a_team) == before
    TALLY.requests += 6 + 5 + 4


async def _state(world: World, team_id: int) -> tuple[Any, ...]:
    async with world.services.sessions() as session:
        team = await session.get(Team, team_id)
        ideas = (await session.execute(select(Idea.id, Idea.status, Idea.merged_into_id))).all()
    assert team is not None
    return (team.language, team.digest_schedule, team.quiet_hours, sorted(ideas))


async def test_leading_one_team_does_not_open_another_teams_settings(world: World) -> None:
    """Anna leads her own direct chat with the bot (she started it) but not the channel: a
    settings form naming the channel's team is refused, on Slack and on Teams."""
    slack, teams = world.slack, world.teams
    await slack.command("help", user=ADMIN)  # the admin's channel
    await slack.command("help", user=USER, channel="D0ANNA")  # Anna's own chat
    await world.fake.settle(0.15)
    a_team = await _team_id(world, CHANNEL)
    before = await _state(world, a_team)
    world.fake.calls.clear()
    await slack.submit(
        await _settings_view(world, a_team, channel="D0ANNA"), NEW_SETTINGS, user=USER
    )
    await world.fake.settle(0.15)
    assert await _state(world, a_team) == before
    assert REFUSED in json.dumps([c.args for c in world.fake.calls], ensure_ascii=False)

    here = {"tenant": TENANT_A, "user": "29:acme-colleague"}
    await teams.add_bot(
        conversation="19:acme-teams",
        conversation_type="channel",
        user="29:acme-lead",
        tenant=TENANT_A,
    )
    await teams.say("help", conversation="a:colleague-chat", **here)
    teams_team = await _team_id(world, "19:acme-teams")
    async with world.services.sessions() as session:
        team = await session.get(Team, teams_team)
        teams_before = (team.language, team.digest_schedule) if team else None
    assert team is not None
    t = world.services.catalog.translator("en")
    world.connector.calls.clear()
    await teams.post(
        teams.activity(
            value={
                cards.FORM: "settings",
                cards.CONTEXT: str(teams_team),
                cards.SPEC: cards.form_spec(views.settings_form(t, team)),
                **NEW_SETTINGS,
            },
            conversation="a:colleague-chat",
            **here,
        )
    )
    said = json.dumps([c.body for c in world.connector.calls], ensure_ascii=False)
    assert REFUSED in said
    async with world.services.sessions() as session:
        team = await session.get(Team, teams_team)
        assert team is not None
        assert (team.language, team.digest_schedule) == teams_before
    assert await _state(world, a_team) == before
    TALLY.requests += 2
