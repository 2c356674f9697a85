"""Real ``waarom clock`` processes against PostgreSQL and a loopback Slack Web API."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.storage.models import Send
from tests.support.clock_support import make_slack_teams
from tests.support.slack_fake import FakeSlack

pytestmark = pytest.mark.postgres


@pytest.fixture
def database_url(postgres_url: str) -> str:
    # These tests are about several processes on one server: PostgreSQL only.
    return postgres_url


def _env(database_url: str, api: str, rate: int = 200) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "WAAROM_"))
    }
    env.update(
        DATABASE_URL=database_url,
        SLACK_API_URL=api,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="secret",
        WAAROM_SLACK_RATE=str(rate),
    )
    return env


async def _clock(env: dict[str, str], at: str, *extra: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "clock",
        "--once",
        "--at",
        at,
        *extra,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_two_clock_processes_send_one_digest_per_team_per_week(services: Services) -> None:
    api = FakeSlack()
    await api.start()
    try:
        await make_slack_teams(services, 15)
        env = _env(services.settings.database_url, api.api_url)
        for monday in ("2026-11-02", "2026-11-09", "2026-11-16"):
            at = f"{monday}T08:00:30+00:00"
            first, second = await _clock(env, at), await _clock(env, at)
            results = await asyncio.gather(first.communicate(), second.communicate())
            assert first.returncode == second.returncode == 0, results
        assert api.channels() == {f"C{n:04d}": 3 for n in range(15)}
        weeks = [
            w
            for w in ("2026-W44", "2026-W45", "2026-W46")
            if any(w in p["text"] for p in api.posts())
        ]
        assert weeks == ["2026-W44", "2026-W45", "2026-W46"]
    finally:
        await api.close()


async def test_a_clock_killed_mid_fan_out_restarts_with_only_the_rest(services: Services) -> None:
    api = FakeSlack(hold=0.4)  # answers slowly, so the kill lands while posts are under way
    await api.start()
    try:
        await make_slack_teams(services, 40)
        # At 20 messages a second the fan-out takes two seconds: long enough to stop it
        # halfway, however quickly the clock prepares the digests.
        env = _env(services.settings.database_url, api.api_url, rate=20)
        at = "2026-11-16T08:00:30+00:00"
        first = await _clock(env, at)
        await api.wait_for("chat.postMessage", 12, within=60)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        before = len(api.posts())
        assert before < 40
        api.hold = 0.0
        # The restart (a minute later, past the lease) looks in each channel for the sends the
        # killed process claimed but never confirmed, and sends only those that are missing.
        second = await _clock(env, "2026-11-16T08:01:30+00:00", "--lease", "30")
        out, err = await second.communicate()
        assert second.returncode == 0, err.decode()
        # Every team exactly once: nothing lost, nothing sent twice.
        assert api.channels() == {f"C{n:04d}": 1 for n in range(40)}
        assert f"sent {40 - before} " in out.decode()
        async with services.sessions() as session:
            statuses = dict(
                (
                    await session.execute(select(Send.status, func.count()).group_by(Send.status))
                ).all()
            )
        assert statuses == {"sent": 40}
    finally:
        await api.close()
