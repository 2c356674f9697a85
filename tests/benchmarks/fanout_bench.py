"""Fan-out: one digest to 1,000 teams through a Slack that enforces its rate limits.

A loopback Slack Web API (tests/support/slack_fake.py) allows one message per second per channel
and ``--workspace-rate`` messages per second in the workspace, answering 429 + Retry-After
beyond that. The clock sends the week's digest to every team through the real Slack adapter
(SDK client, pacing, retry handler) on a fresh database. The minimum time the limits allow is
teams / workspace rate; the script prints the total against it, duplicates and losses.

    python -m tests.benchmarks.fanout_bench [--teams 1000] [--workspace-rate 100] [--database postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from tests.support.bench import child_env, fresh_database
from tests.support.clock_support import make_slack_teams


async def run(url: str, teams: int, rate: float, api_url: str, stats_url: str) -> dict[str, float]:
    import adapters.slack.app as slack_adapter
    from adapters.slack.delivery import SlackDelivery
    from bot import bootstrap
    from bot.clock import Clock, ClockConfig
    from bot.clock.delivery import Deliveries
    from bot.config import load_settings

    settings = load_settings(
        database_url=url,
        slack_api_url=api_url,
        slack_bot_token="xoxb-bench",
        slack_signing_secret="bench",
        waarom_slack_rate=rate,
        _env_file=None,
    )
    services = bootstrap.build(settings)
    await make_slack_teams(services, teams)
    delivery = SlackDelivery(slack_adapter.build(services, socket=True).sender, per_second=rate)
    clock = Clock(services, Deliveries({"slack": delivery}), ClockConfig())
    began = time.perf_counter()
    report = await clock.tick(dt.datetime(2026, 11, 16, 8, 0, 30, tzinfo=dt.UTC))
    elapsed = time.perf_counter() - began
    await delivery.close()
    async with aiohttp.ClientSession() as http, http.get(stats_url) as response:
        stats = await response.json()
    counts: dict[str, int] = stats["channels"]
    await services.close()
    minimum = teams / rate
    return {
        "teams": teams,
        "workspace_rate": rate,
        "seconds": round(elapsed, 2),
        "minimum_seconds": round(minimum, 2),
        "ratio": round(elapsed / minimum, 3),
        "sent": report.sent,
        "duplicates": sum(c - 1 for c in counts.values() if c > 1),
        "lost": teams - len(counts),
        "throttled_429": stats["throttled"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--teams", type=int, default=1000)
    parser.add_argument("--workspace-rate", type=float, default=100.0)
    parser.add_argument("--database", default="postgres", choices=["postgres", "sqlite"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, fresh_database(args.database, Path(tmp)) as url:
        # The fake Slack runs in its own process, as Slack is not in ours.
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.slack_process",
                "1",
                str(args.workspace_rate),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        assert server.stdout is not None
        api_url, stats_url = server.stdout.readline().split()
        try:
            result = asyncio.run(run(url, args.teams, args.workspace_rate, api_url, stats_url))
        finally:
            server.terminate()
            server.wait()
    print(
        f"{result['teams']} teams at {result['workspace_rate']:g} msg/s: {result['seconds']} s "
        f"(minimum {result['minimum_seconds']} s, {result['ratio']:.2f}x), duplicates "
        f"{result['duplicates']}, lost {result['lost']}, 429s {result['throttled_429']}"
    )
    print(
        json.dumps(
            {"benchmark": "fanout", "target": "ratio <= 1.2, 0 duplicates, 0 lost", **result}
        )
    )


if __name__ == "__main__":
    main()
