"""Hostile input, generated, where the webhook's own suite does not reach: Slack command text
and modal submissions, Teams messages and card submits, console lines. Nothing may crash,
nothing may be stored other than as given, and no text a person wrote may become a mention,
a link or markup in what the bot sends.

Examples are few and derandomized, so CI sees the same inputs on every run.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import time
import zoneinfo
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block
from sqlalchemy import func, select

from adapters.console import ConsoleChat
from adapters.slack import inbound, render
from adapters.teams import cards
from bot.chat import views
from bot.engine.nudges import new_nudge
from bot.intake.normalise import FieldMap, Rejected, normalise, typed_text
from bot.storage.models import Feedback, Idea, Installation, Member, Team
from tests.support.rel_hostile import FEW, hostile, hostile_world
from tests.support.rel_tally import TALLY
from tests.support.rel_world import TENANT_A, World
from tests.support.slack_fake import ADMIN, CHANNEL
from tests.support.slack_support import formatting, hidden_characters, live_markup
from tests.support.teams_support import assert_valid_card


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    async with hostile_world(database_url) as built:
        yield built


def _expected_feedback(text: str, segment: str) -> str | None:
    """What the store should keep of a feedback form, by the intake's own rules."""
    try:
        item = normalise(
            {"text": text, "segment": segment.strip() or None},
            FieldMap(received_at=None, score=None, step=None, external_id=None, source=None),
            zone=zoneinfo.ZoneInfo("Europe/Amsterdam"),
            default_source="chat",
            now=dt.datetime.now(dt.UTC),
        )
    except Rejected:
        return None
    return item.text


def _check_slack_payloads(calls: list[Any]) -> None:
    for call in calls:
        raw = json.dumps(call.args, ensure_ascii=False)
        # Only what Slack parses as mrkdwn can mention, link or format; plain_text and rich
        # text show people's words as typed. Hidden characters are a leak anywhere.
        shaped = live_markup(call.args) + formatting(call.args) + hidden_characters(call.args)
        TALLY.leaked += int(bool(shaped))
        assert not shaped, raw[:2000]
        for block in call.args.get("blocks") or (call.args.get("view") or {}).get("blocks") or []:
            parsed = Block.parse(block)
            assert parsed is not None
            parsed.validate_json()


async def _nudge_for(world: World, user: str) -> int:
    async with world.services.sessions() as session, session.begin():
        team = (
            await session.scalars(
                select(Team)
                .join(Installation, Team.installation_id == Installation.id)
                .where(Installation.platform == "slack", Team.external_id == CHANNEL)
            )
        ).one()
        member = (await session.scalars(select(Member).where(Member.external_id == user))).one()
        return (
            await new_nudge(session, world.services.library, team, member, now=world.services.now())
        ).id


async def _slack_ready(world: World) -> int:
    """The admin's channel exists (once per world); returns the last feedback id so far."""
    if not getattr(world, "ready", False):
        await world.slack.command("help", user=ADMIN)
        await world.fake.settle(0.05)
        world.ready = True  # type: ignore[attr-defined]
    world.fake.calls.clear()
    async with world.services.sessions() as session:
        return int(await session.scalar(select(func.max(Feedback.id))) or 0)


async def _submit_hostile_slack_forms(
    world: World, text: str, segment: str, why: str
) -> tuple[str, str, int]:
    """The feedback modal with the text and the group as typed, and an answer whose why is
    hostile; returns both responses' bodies and the answered prompt."""
    slack = world.slack
    t = world.services.catalog.translator("en")
    view = render.modal_view(views.feedback_form(t), render.FormState("feedback", "", CHANNEL))
    status, body = await slack.submit(view, {"text": text, "segment": segment}, user=ADMIN)
    assert status == 200
    nudge = await _nudge_for(world, ADMIN)
    answer = views.answer_form(t, SimpleNamespace(id=nudge), None)  # type: ignore[arg-type]
    status, answered = await slack.submit(
        render.modal_view(answer, render.FormState("answer", str(nudge), CHANNEL)),
        {"why": why, "how": f"how {why}"},
        user=ADMIN,
    )
    assert status == 200
    return body, answered, nudge


async def _show_ideas_and_home(world: World) -> None:
    """The ideas list and the home tab that show the hostile why."""
    await world.slack.command("ideas", user=ADMIN)
    await world.slack.event(
        {
            "type": "app_home_opened",
            "user": ADMIN,
            "channel": "D0ADMIN",
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
    )


@FEW
@given(text=hostile, segment=hostile, why=hostile)
async def test_slack_commands_and_forms_take_any_text(
    world: World, text: str, segment: str, why: str
) -> None:
    before = await _slack_ready(world)
    # The slash command, as Slack form-encodes it.
    for words in (f"feedback {text}", text, f"idea {text}", f"settings digest {text}"):
        status, _ = await world.slack.command(words, user=ADMIN)
        assert status == 200
    body, answered, nudge = await _submit_hostile_slack_forms(world, text, segment, why)
    await world.fake.settle(0.08)
    await _show_ideas_and_home(world)
    await world.fake.settle(0.08)
    TALLY.requests += 8
    TALLY.bad_inputs += 3

    shown = json.dumps([c.args for c in world.fake.calls], ensure_ascii=False)
    assert inbound.SORRY not in shown and inbound.SORRY_FORM not in shown
    _check_slack_payloads(world.fake.calls)
    # The form's text is stored exactly as the intake keeps it, or refused on the form.
    async with world.services.sessions() as session:
        new = (await session.scalars(select(Feedback).where(Feedback.id > before))).all()
        ideas = (await session.scalars(select(Idea).where(Idea.nudge_id == nudge))).all()
    expected = _expected_feedback(text, segment)
    if body:
        assert json.loads(body)["response_action"] == "errors"
    stored_texts = {row.text for row in new}
    if expected is not None and not body:
        assert expected in stored_texts or await _already_stored(world, expected)
    assert all(row.text.strip() for row in new)
    if answered:
        assert ideas == []
    else:
        assert [(i.why, i.how) for i in ideas] == [(typed_text(why), typed_text(f"how {why}"))]


async def _already_stored(world: World, text: str) -> bool:
    async with world.services.sessions() as session:
        return bool(await session.scalar(select(func.count()).where(Feedback.text == text)))


def _user_text_places(node: Any, needle: str, path: str = "") -> list[str]:
    """Where in a card a string containing ``needle`` sits (type of its element + key)."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and needle in value:
                found.append(f"{node.get('type', path)}.{key}")
            else:
                found += _user_text_places(value, needle, node.get("type", path))
    elif isinstance(node, list):
        for item in node:
            found += _user_text_places(item, needle, path)
    return found


async def _teams_answer_spec(world: World) -> tuple[int, Any]:
    """A new prompt for the Teams lead in the hostile channel, and its answer card's spec."""
    async with world.services.sessions() as session, session.begin():
        team = (
            await session.scalars(select(Team).where(Team.external_id == "19:acme-hostile"))
        ).one()
        member = (
            await session.scalars(select(Member).where(Member.external_id == "29:acme-lead"))
        ).one()
        nudge = (
            await new_nudge(session, world.services.library, team, member, now=world.services.now())
        ).id
    t = world.services.catalog.translator("en")
    spec = cards.form_spec(views.answer_form(t, SimpleNamespace(id=nudge), None))  # type: ignore[arg-type]
    return nudge, spec


def _check_teams_cards(calls: list[Any], marker: str) -> None:
    for call in calls:
        body = call.body or {}
        assert not [e for e in body.get("entities") or [] if e.get("type") == "mention"]
        for card in call.cards:
            assert_valid_card(card)
            # The words people wrote are shown only as TextRuns (never markdown, links or
            # mentions) or kept as an input's value; never as a card's own markup.
            places = set(_user_text_places(card, marker))
            assert places <= {
                "TextRun.text",
                "Input.Text.value",
                "AdaptiveCard.fallbackText",
                "Action.Submit.data",
            } | {p for p in places if p.endswith(".why")}, places


@FEW
@given(text=hostile, why=hostile)
async def test_teams_messages_and_card_submits_take_any_text(
    world: World, text: str, why: str
) -> None:
    teams, connector = world.teams, world.connector
    here = {
        "tenant": TENANT_A,
        "conversation": "19:acme-hostile",
        "conversation_type": "channel",
        "user": "29:acme-lead",
    }
    connector.calls.clear()
    marker = f"Q{len(text)}Z{abs(hash(why)) % 10_000}"
    statuses = [
        await teams.say(f"feedback {marker} {text}", **here),
        await teams.say(text or " ", **here),
        await teams.say(f"idea 1 {text}", **here),
    ]
    nudge, spec = await _teams_answer_spec(world)
    value = {
        cards.FORM: "answer",
        cards.CONTEXT: str(nudge),
        cards.SPEC: spec,
        "why": f"{marker} {why}",
        "how": why,
    }
    statuses.append(await teams.post(teams.activity(value=value, **here)))
    statuses.append(await teams.say("ideas", **here))
    TALLY.requests += 5
    TALLY.bad_inputs += 2
    assert all(status in (200, 201) for status in statuses), statuses
    _check_teams_cards(connector.calls, marker)


@FEW
@given(lines=st.lists(hostile, min_size=1, max_size=4))
async def test_console_lines_never_crash_or_reach_the_terminal_raw(
    world: World, lines: list[str]
) -> None:
    flat = [line.replace("\r", " ").replace("\n", " ") for line in lines]
    script = (
        "ask\n1\n"
        + "\n".join(flat)
        + "\n"
        + "\n".join(f"feedback {line}" for line in flat)
        + "\nideas\n"
    )
    out = io.StringIO()
    await ConsoleChat(world.services, io.StringIO(script), out, echo=False).run()
    TALLY.bad_inputs += len(lines)
    TALLY.requests += 2 * len(lines) + 3
    shown = out.getvalue()
    # Terminal control sequences in stored text would repaint the operator's screen.
    assert "\x1b" not in shown and "\x07" not in shown, repr(shown[-500:])
