"""The clock's Slack sends keep to Slack's limits, as Slack counts them: no 429s."""

from __future__ import annotations

import asyncio

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.delivery import MARGIN, SlackDelivery, Window
from adapters.slack.outbound import Sender
from bot.bootstrap import Services
from bot.clock.delivery import TeamTarget
from bot.messages import Message, Paragraph
from tests.support.slack_fake import FakeSlack


def test_a_window_spreads_its_sends_and_never_holds_more_than_its_count() -> None:
    window = Window(4, 1.0)
    sent: list[float] = []
    now = 0.0
    for _ in range(12):
        now += window.wait(now)
        window.take(now)
        sent.append(now)
    assert sent[:4] == pytest.approx([0.0, 0.25, 0.5, 0.75])
    assert all(sum(1 for t in sent if start <= t < start + 1.0) <= 4 for start in sent)
    # Late (a busy loop): it catches up by no more than the margin, so no burst follows.
    now = sent[-1] + 5.0
    burst = []
    for _ in range(4):
        now += window.wait(now)
        window.take(now)
        burst.append(now)
    assert burst[1] - burst[0] >= 0.25 - MARGIN


async def test_a_fan_out_at_the_workspace_limit_is_never_refused(services: Services) -> None:
    api = FakeSlack(per_channel=1, per_workspace=20)
    await api.start()

    async def token(_workspace: str) -> str:
        return "xoxb-test"

    delivery = SlackDelivery(
        Sender(services, token, AsyncWebClient(base_url=api.api_url)), per_second=20
    )
    try:

        async def send(channel: str, n: int) -> None:
            target = TeamTarget("slack", "T1", channel, {"channel": channel})
            await delivery.to_team(target, Message((Paragraph("hello"),), "hello"), f"m{n}")

        # The three for one channel go a second apart, the others in between.
        await asyncio.gather(
            *(send("C-busy", 100 + n) for n in range(3)),
            *(send(f"C{n:03d}", n) for n in range(40)),
        )
    finally:
        await delivery.close()
        await api.close()
    assert api.throttled == 0
    assert len(api.posts()) == 43 and api.channels()["C-busy"] == 3
