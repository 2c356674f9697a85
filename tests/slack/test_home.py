"""The App Home: buttons pressed there name no conversation, and belong to the member's own
team, never to a team made up from an empty conversation id."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from bot.storage.models import Idea, Nudge, Team
from tests.support.slack_fake import CHANNEL, USER, FakeSlack
from tests.support.slack_support import Running, ask, buttons


async def open_home(serve: Running, fake: FakeSlack) -> dict[str, str]:
    """Anna opens the App Home; the buttons of her open prompts, by core action."""
    before = len(fake.of("views.publish"))
    event = {
        "type": "app_home_opened",
        "user": USER,
        "channel": "D0ANNA",
        "tab": "home",
        "event_ts": f"{time.time():.6f}",
    }
    status, _ = await serve.slack.event(event)
    assert status == 200
    published = await fake.wait_for("views.publish", before + 1)
    return buttons(published[-1]["view"]["blocks"])


async def teams(serve: Running) -> dict[str, int]:
    async with serve.services.sessions() as session:
        return {t.external_id: t.id for t in (await session.scalars(select(Team))).all()}


@pytest.mark.finding(4)
async def test_a_skip_on_the_home_skips_and_makes_no_team(
    serve: Running, fake_slack: FakeSlack
) -> None:
    await ask(serve, fake_slack)  # Anna's prompt, in her team's channel
    home = await open_home(serve, fake_slack)
    status, _ = await serve.slack.home_click(home["nudge.skip:id"], home["nudge.skip"])
    assert status == 200
    async with serve.services.sessions() as session:
        nudge = await session.get(Nudge, int(home["nudge.skip"]))
    assert nudge is not None and nudge.status == "skipped"
    assert "" not in await teams(serve)


@pytest.mark.finding(4)
async def test_an_answer_from_the_home_lands_in_the_members_team(
    serve: Running, fake_slack: FakeSlack
) -> None:
    await ask(serve, fake_slack)
    home = await open_home(serve, fake_slack)
    status, _ = await serve.slack.home_click(home["nudge.answer:id"], home["nudge.answer"])
    assert status == 200
    [opened] = await fake_slack.wait_for("views.open")
    status, body = await serve.slack.submit(
        opened["view"], {"why": "Refunds take a week", "how": "Refund on the spot"}
    )
    assert (status, body) == (200, "")
    known = await teams(serve)
    assert "" not in known
    async with serve.services.sessions() as session:
        [idea] = (await session.scalars(select(Idea))).all()
    assert idea.team_id == known[CHANNEL]
    # Her next prompt, asked in a DM, is her team's too: no empty team stands in for it.
    await serve.slack.command("ask", channel="D0ANNA")
    await fake_slack.wait_for("response_url", 2)
    async with serve.services.sessions() as session:
        newest = await session.scalar(select(Nudge).order_by(Nudge.id.desc()).limit(1))
    assert newest is not None and newest.team_id == known[CHANNEL]


@pytest.mark.finding(4)
async def test_a_home_click_by_a_stranger_stores_nothing(
    serve: Running, fake_slack: FakeSlack
) -> None:
    status, _ = await serve.slack.home_click("nudge.skip#1", "1", user="U0NOBODY")
    assert status == 200
    await fake_slack.settle(0.2)
    assert await teams(serve) == {}
