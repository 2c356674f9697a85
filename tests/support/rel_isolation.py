"""What the isolation tests share: a world of two organisations with B's data made, the two
checks every attack ends with (nothing of B was shown, B's state is as before), and the
Slack forms and Teams card submits the attacks send."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

from aiohttp import ClientSession
from sqlalchemy import select

from adapters.slack import render
from adapters.teams import cards
from bot.chat import views
from bot.storage.models import Idea, Team
from tests.support.rel_tally import TALLY
from tests.support.rel_world import SECRET, World, make_b, running_world, start_world
from tests.support.slack_fake import CHANNEL

REFUSED = "Only team leads can do that."

NEW_SETTINGS = {
    "language": "nl",
    "timezone": "Asia/Tokyo",
    "digest": "fri 17:00",
    "nudges": "wed 11:00",
    "quiet": "",
}


@asynccontextmanager
async def isolation_world(database_url: str) -> AsyncIterator[World]:
    async with running_world(database_url, _start, settle=0.1) as built:
        yield built


async def _start(database_url: str, http: ClientSession) -> World:
    world = await start_world(database_url, http)
    await make_b(world)
    return world


def check_nothing_leaked(world: World, attacks: int) -> None:
    assert world.b is not None
    TALLY.requests += attacks
    leaked = SECRET in world.shown()
    TALLY.leaked += int(leaked)
    assert not leaked, "a text of organisation B was shown in organisation A"


async def check_b_unchanged(world: World) -> None:
    assert world.b is not None
    after = await world.snapshot()
    changed = [key for key in after if after[key] != world.b.snapshot[key]]
    TALLY.leaked += len(changed)
    assert not changed, {key: (world.b.snapshot[key], after[key]) for key in changed}


def answer_view(world: World, nudge_id: int | str, channel: str = CHANNEL) -> dict[str, Any]:
    t = world.services.catalog.translator("en")
    form = views.answer_form(t, SimpleNamespace(id=nudge_id), None)  # type: ignore[arg-type]
    return render.modal_view(form, render.FormState("answer", str(nudge_id), channel))


async def settings_view(world: World, team_id: int, channel: str = CHANNEL) -> dict[str, Any]:
    t = world.services.catalog.translator("en")
    async with world.services.sessions() as session:
        team = await session.get(Team, team_id)
    assert team is not None
    form = views.settings_form(t, team)
    return render.modal_view(form, render.FormState("settings", str(team_id), channel))


async def settings_card_value(world: World, team_id: int) -> dict[str, Any]:
    """What a Teams settings card naming ``team_id`` submits, with ``NEW_SETTINGS`` filled in."""
    t = world.services.catalog.translator("en")
    async with world.services.sessions() as session:
        team = await session.get(Team, team_id)
    assert team is not None
    return {
        cards.FORM: "settings",
        cards.CONTEXT: str(team_id),
        cards.SPEC: cards.form_spec(views.settings_form(t, team)),
        **NEW_SETTINGS,
    }


async def team_id_of(world: World, external_id: str) -> int:
    async with world.services.sessions() as session:
        return (await session.scalars(select(Team.id).where(Team.external_id == external_id))).one()


async def replies(world: World) -> str:
    await world.fake.settle(0.15)
    return json.dumps([c.args for c in world.fake.of("response_url")], ensure_ascii=False)


async def team_state(world: World, team_id: int) -> tuple[Any, ...]:
    async with world.services.sessions() as session:
        team = await session.get(Team, team_id)
        ideas = (await session.execute(select(Idea.id, Idea.status, Idea.merged_into_id))).all()
    assert team is not None
    return (team.language, team.digest_schedule, team.quiet_hours, sorted(ideas))
