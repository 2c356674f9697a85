"""What the hostile-input tests share: the hostile texts and the strategy that mixes them,
the few derandomized examples each test runs, and a world to send them to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.support.rel_world import World, running_world

HOSTILE = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S0123|@devs>",
    "@everyone @here @channel",
    "<@U0ADMIN>",
    "<#C0PRODUCT|product>",
    "<https://evil.example|click me>",
    "*bold* _it_ ~strike~ `code` ```block```",
    "> quoted\n> more",
    "[link](https://evil.example) ![img](https://evil.example/x.png)",
    '{"type": "section", "text": {"type": "mrkdwn", "text": "<!channel>"}}',
    '{"type": "AdaptiveCard", "body": [{"type": "Action.OpenUrl", "url": "https://evil.example"}]}',
    "<at>Everyone</at>",
    "&lt;!channel&gt; &amp; &gt;",
    "\x00\x01\x1b[2J\x1b]0;pwned\x07\x7f",
    "\u202egnirts desrever\u202c \u200b\ufeff",
    "line\r\nbreak\rcarriage",
    "𝕳𝖊𝖑𝖑𝖔 👩‍👩‍👧‍👦",
    "%s {text} {0} $1 \\",
    "x" * 5001,
]
hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.builds(
        lambda a, b, c: a + b + c,
        st.sampled_from(HOSTILE),
        st.text(max_size=40),
        st.sampled_from(HOSTILE),
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200),
)
FEW = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@asynccontextmanager
async def hostile_world(database_url: str) -> AsyncIterator[World]:
    async with running_world(database_url) as built:
        yield built
