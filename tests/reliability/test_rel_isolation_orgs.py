"""Organisation A cannot read or change anything of organisation B, on any path: Slack
commands, buttons, forms and the home tab; Teams messages and card submits; the feedback
webhook; the console.

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
from sqlalchemy import func, select

from adapters.console import ConsoleChat
from adapters.teams import cards
from bot import chat
from bot.chat import views
from bot.intake import webhook
from bot.storage.models import Feedback, Idea, Organisation
from tests.support.rel_isolation import (
    NEW_SETTINGS,
    answer_view,
    check_b_unchanged,
    check_nothing_leaked,
    isolation_world,
    replies,
    settings_card_value,
    settings_view,
    team_id_of,
)
from tests.support.rel_tally import TALLY
from tests.support.rel_world import (
    ORG_A,
    ORG_B,
    SECRET,
    TENANT_A,
    WEBHOOK_SECRET,
    B,
    World,
    slack_b,
)
from tests.support.slack_fake import ADMIN, CHANNEL


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    async with isolation_world(database_url) as built:
        yield built


async def _a_logs_an_idea(world: World) -> int:
    """The control inside A: the admin leads A's channel and answers a prompt with an idea."""
    await world.slack.command("ask", user=ADMIN)
    [prompt] = await world.fake.wait_for("response_url")
    value = next(
        e["value"]
        for block in prompt["blocks"]
        if block["type"] == "actions"
        for e in block["elements"]
        if e["action_id"].startswith("nudge.answer")
    )
    status, body = await world.slack.submit(
        answer_view(world, value),
        {"why": "Acme invoices are late", "how": "Send them on time"},
        user=ADMIN,
    )
    assert (status, body) == (200, "")
    await world.fake.settle(0.15)
    a_team = await team_id_of(world, CHANNEL)
    async with world.services.sessions() as session:
        return (await session.scalars(select(Idea.id).where(Idea.team_id == a_team))).one()


def _slack_commands_naming_b(b: B, a_idea: int) -> list[tuple[str, str]]:
    return [
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


async def _click_b_buttons(world: World, b: B) -> None:
    """Buttons with B's open prompt."""
    for action in ("nudge.answer", "nudge.skip", "nudge.later"):
        status, _ = await world.slack.click(f"{action}:x", str(b.open_nudge), user=ADMIN)
        assert status == 200


async def _submit_b_forms(world: World, b: B) -> None:
    """Forms naming B's prompt and B's teams."""
    slack = world.slack
    for nudge_id in (b.open_nudge, str(b.open_nudge) + " ", f"0{b.open_nudge}"):
        status, _ = await slack.submit(
            answer_view(world, nudge_id), {"why": "Stolen", "how": "Stolen"}, user=ADMIN
        )
        assert status == 200
    for team_id in (b.team_id, b.teams_team_id):
        status, _ = await slack.submit(
            await settings_view(world, team_id), NEW_SETTINGS, user=ADMIN
        )
        assert status == 200


async def _open_the_admins_home(world: World) -> str:
    status, _ = await world.slack.event(
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
    return json.dumps(home.args)


async def test_slack_workspace_a_cannot_read_or_change_b(world: World) -> None:
    b = world.b
    assert b is not None
    a_idea = await _a_logs_an_idea(world)

    attacks = _slack_commands_naming_b(b, a_idea)
    for words, channel in attacks:
        status, _ = await world.slack.command(words, user=ADMIN, channel=channel)
        assert status == 200
    shown = await replies(world)
    assert f"There is no idea #{b.idea} in this team." in shown
    assert "Acme invoices are late" in shown  # the control: A's own idea is listed

    await _click_b_buttons(world, b)
    views_opened = len(world.fake.of("views.open"))
    await _submit_b_forms(world, b)
    assert "Acme invoices are late" in await _open_the_admins_home(world)
    await world.fake.settle(0.2)
    assert len(world.fake.of("views.open")) == views_opened  # no form opened for B's prompt
    assert "not (or no longer) for you" in await replies(world)

    check_nothing_leaked(world, len(attacks) + 3 + 3 + 2 + 1)
    await check_b_unchanged(world)


async def _teams_activities_naming_b(
    world: World, b: B, here: dict[str, str]
) -> list[dict[str, Any]]:
    """Messages, buttons and card submits from tenant A that name B's ideas, prompt and teams."""
    teams = world.teams
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
        attacks.append(teams.activity(value=await settings_card_value(world, team_id), **here))
    return attacks


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
    attacks = await _teams_activities_naming_b(world, b, here)
    for activity in attacks:
        assert await teams.post(activity) in (200, 201)
    said = json.dumps([c.body for c in world.connector.calls], ensure_ascii=False)
    assert f"There is no idea #{b.teams_idea} in this team." in said
    assert "not (or no longer) for you" in said
    check_nothing_leaked(world, len(attacks) + 1)
    await check_b_unchanged(world)


async def _post_feedback(world: World, items: list[dict[str, str]]) -> Any:
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
        return await response.json()


async def _feedback_per_org(world: World) -> dict[str, int]:
    async with world.services.sessions() as session:
        return dict(
            (
                await session.execute(
                    select(Organisation.slug, func.count(Feedback.id))
                    .join(Feedback, Feedback.org_id == Organisation.id)
                    .group_by(Organisation.slug)
                )
            ).all()
        )


async def test_the_webhook_and_the_console_keep_to_their_organisation(world: World) -> None:
    b = world.b
    assert b is not None
    answer = await _post_feedback(
        world,
        [
            {"text": "Acme: the app crashed at checkout", "org": ORG_A, "external_id": "a-1"},
            {"text": "Default: a console-only remark", "external_id": "d-1"},
            {"text": "Unknown organisation", "org": "slack-T0NOBODY", "external_id": "x-2"},
        ],
    )
    assert answer["stored"] == 2
    assert answer["rejected"] == [{"index": 2, "reason": "no organisation 'slack-T0NOBODY'"}]
    assert await _feedback_per_org(world) == {ORG_A: 1, "default": 1, ORG_B: 1}

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
    check_nothing_leaked(world, 1 + 6)
    await check_b_unchanged(world)
