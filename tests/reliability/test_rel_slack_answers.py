"""Slack answers against a real ``waarom serve`` on PostgreSQL: what got a 200 is stored.

A modal answer is committed before Slack gets its acknowledgement, so killing the server
mid-flight loses nothing anyone was told was saved, and a Slack that answers slowly delays
only the replies, never the storing.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import ClientError, ClientSession
from sqlalchemy import select

from adapters.slack import render
from bot import bootstrap, chat
from bot.chat import views
from bot.chat.origin import Origin
from bot.config import load_settings
from bot.engine.nudges import new_nudge
from bot.i18n import Catalog
from bot.storage.models import Idea, Member, Team
from tests.support.rel_serve import Server, clean_env
from tests.support.rel_tally import TALLY
from tests.support.slack_client import SlackClient
from tests.support.slack_fake import BOT_TOKEN, CHANNEL, SIGNING_SECRET, TEAM, USER, FakeSlack

pytestmark = pytest.mark.postgres

ANSWERS = 200
AT_ONCE = 50
KILL_AFTER = 60  # acknowledgements seen before the SIGKILL, with up to AT_ONCE in flight
SLOW_ANSWERS = 40
SLOW_SLACK = 8.0  # seconds Slack takes to answer each call
ENGLISH = Catalog.load().translator("en")


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    await slack.start()
    yield slack
    await slack.close()


def env_for(database_url: str, fake: FakeSlack) -> dict[str, str]:
    return clean_env(
        database_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
    )


async def prompts_for_anna(database_url: str, count: int) -> list[int]:
    """Anna's team, as her first command makes it, and ``count`` open prompts for her."""
    services = bootstrap.build(load_settings(database_url=database_url, _env_file=None))
    try:
        anna = Origin(
            "slack",
            TEAM,
            CHANNEL,
            USER,
            conversation_address={"channel": CHANNEL},
            user_address={"user": USER},
        )
        await chat.handle_text(services, anna, "help")
        async with services.sessions() as session, session.begin():
            team = (await session.scalars(select(Team).where(Team.external_id == CHANNEL))).one()
            member = (await session.scalars(select(Member).where(Member.external_id == USER))).one()
            return [
                (await new_nudge(session, services.library, team, member, now=services.now())).id
                for _ in range(count)
            ]
    finally:
        await services.close()


def answer_view(nudge_id: int) -> dict[str, Any]:
    """The modal Slack would show for this prompt, as the app opened it."""
    form = views.answer_form(ENGLISH, SimpleNamespace(id=nudge_id), None)  # type: ignore[arg-type]
    state = render.FormState(
        form_id="answer",
        context=str(nudge_id),
        channel=CHANNEL,
        message_ts=f"1700000000.{nudge_id:06d}",
        language="en",
    )
    return render.modal_view(form, state)


def why(nudge_id: int) -> str:
    return f"Answer {nudge_id}: customers wait for the refund"


async def send(slack: SlackClient, nudge_id: int) -> tuple[int, str]:
    try:
        return await slack.submit(
            answer_view(nudge_id), {"why": why(nudge_id), "how": "Refund at once"}
        )
    except (ClientError, OSError) as exc:
        return -1, type(exc).__name__


async def stored(database_url: str) -> Counter[int]:
    """Ideas per prompt, with the text each answer sent."""
    services = bootstrap.build(load_settings(database_url=database_url, _env_file=None))
    try:
        async with services.sessions() as session:
            rows = (await session.execute(select(Idea.nudge_id, Idea.why))).all()
    finally:
        await services.close()
    for nudge_id, text in rows:
        assert text == why(nudge_id), (nudge_id, text)
    return Counter(nudge_id for nudge_id, _ in rows)


async def _answer_until_killed(
    server: Server, slack: SlackClient, nudges: list[int], results: dict[int, tuple[int, str]]
) -> None:
    """Answers every prompt, ``AT_ONCE`` at a time; the server is killed (SIGKILL) once
    ``KILL_AFTER`` answers were acknowledged. ``results`` gets each answer's response."""
    slots = asyncio.Semaphore(AT_ONCE)

    async def answer(nudge_id: int) -> None:
        async with slots:
            results[nudge_id] = await send(slack, nudge_id)
        acknowledged = sum(1 for status, _ in results.values() if status == 200)
        if acknowledged >= KILL_AFTER and server.alive():
            assert server.process is not None
            server.process.send_signal(signal.SIGKILL)

    await asyncio.gather(*(answer(n) for n in nudges))
    assert server.process is not None
    assert await asyncio.to_thread(server.process.wait, 30) == -signal.SIGKILL
    TALLY.faults += 1


@pytest.mark.finding(3)
async def test_sigkill_mid_answers_loses_no_acknowledged_answer(
    postgres_url: str, fake: FakeSlack
) -> None:
    nudges = await prompts_for_anna(postgres_url, ANSWERS)
    server = Server(env_for(postgres_url, fake))
    results: dict[int, tuple[int, str]] = {}
    async with ClientSession() as http:
        try:
            await server.start(http)
            await _answer_until_killed(server, SlackClient(http, server.url, fake), nudges, results)
            after_kill = await stored(postgres_url)

            # Back up; whoever saw an error sends their answer again, as a person would.
            await server.start(http)
            slack = SlackClient(http, server.url, fake)
            retried = {
                n: await send(slack, n) for n, (status, _) in results.items() if status != 200
            }
        finally:
            code = await server.stop()
    TALLY.requests += len(results) + len(retried)

    acknowledged = [n for n, (status, body) in results.items() if status == 200 and body == ""]
    lost = [n for n in acknowledged if after_kill[n] != 1]
    TALLY.lost += len(lost)
    final = await stored(postgres_url)
    print(
        f"\nSIGKILL mid-answers: {len(results)} sent, {len(acknowledged)} acknowledged, "
        f"{sum(after_kill.values())} stored before the restart; {len(retried)} sent again, "
        f"{sum(final.values())} stored in all"
    )
    assert KILL_AFTER <= len(acknowledged) < ANSWERS  # the kill landed mid-flight
    assert not lost, f"acknowledged but not stored once: {lost}"
    # Only an acknowledged answer or one whose acknowledgement the kill cut off is stored.
    assert set(after_kill) <= set(results)
    assert all(status == 200 for status, _ in retried.values()), retried
    assert all(final[n] == 1 for n in nudges), "every answer stored exactly once"
    assert code == 0, server.log()[-3000:]


@pytest.mark.finding(3)
async def test_a_slow_slack_holds_up_no_answer_and_sigterm_loses_none(
    postgres_url: str, fake: FakeSlack
) -> None:
    nudges = await prompts_for_anna(postgres_url, SLOW_ANSWERS)
    fake.delay = SLOW_SLACK
    server = Server(env_for(postgres_url, fake))
    async with ClientSession() as http:
        try:
            await server.start(http)
            slack = SlackClient(http, server.url, fake)
            results = await asyncio.gather(*(send(slack, n) for n in nudges))
            # Every answer is in the database by the time its 200 came back, while the
            # replies to them are still waiting for Slack.
            at_ack = await stored(postgres_url)
            answered = [call.method for call in fake.calls if call.method != "auth.test"]
            assert server.process is not None
            server.process.send_signal(signal.SIGTERM)
            TALLY.faults += 1
            code = await asyncio.to_thread(server.process.wait, 60)
        finally:
            await server.stop()
    TALLY.requests += len(results)
    after = await stored(postgres_url)
    lost = [n for n in nudges if after[n] != 1]
    TALLY.lost += len(lost)
    print(
        f"\nSlack answering after {SLOW_SLACK:.0f} s: {len(results)} answers sent, "
        f"{sum(1 for r in results if r == (200, ''))} acknowledged, "
        f"{sum(at_ack.values())} stored at their acknowledgement, {sum(after.values())} after "
        f"SIGTERM; Slack had answered {len(answered)} replies by then"
    )
    assert all(result == (200, "") for result in results), results
    assert all(at_ack[n] == 1 for n in nudges)
    assert not lost
    assert code == 0, server.log()[-3000:]
