"""Soak: Slack, Teams and webhook traffic against a real ``waarom serve`` for a fixed time.

The server is a subprocess on a fresh database, with Slack (one workspace) pointed at a
loopback Slack Web API, Teams in emulator mode answering to a loopback Bot Connector, and the
feedback webhook on. A few senders per kind loop until the time is up, each waiting for its
answer before the next request (bounded, so the server is loaded, not flooded):

* Slack: signed slash commands (``help``, ``ideas``, ``feedback …``) and modal submissions
  (feedback forms and answers to prompts);
* Teams: message activities (``help``, ``ideas``, ``feedback …``) and answer card submits;
* webhook: signed batches of 10 items.

It prints throughput, median and p99 latency per kind, errors, and the server's resident
memory (VmRSS from /proc) after a warm-up and at the end, sampled along the way; then JSON.
Everything stays on 127.0.0.1.

    python -m tests.benchmarks.soak_bench [--seconds 60] [--database postgres|sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tests.support.bench import fresh_database

SENDERS = {"slack_command": 2, "slack_submit": 2, "teams": 2, "webhook": 1}
WARM_UP = 5.0
SECRET = "whsec-soak"


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def record(self, kind: str, started: float, status: int, ok: bool) -> None:
        self.latency[kind].append(time.perf_counter() - started)
        if not ok:
            self.errors[kind][str(status)] += 1


class Remote:
    """What teams_support.Client needs of a server: its URLs."""

    def __init__(self, base: str) -> None:
        self.base = base

    def make_url(self, path: str) -> str:
        return self.base + path


async def soak(url: str, seconds: float) -> dict[str, Any]:
    from aiohttp import ClientError, ClientSession
    from sqlalchemy import select

    from adapters.slack import render
    from adapters.teams import cards
    from bot import bootstrap, views, webhook
    from bot.config import load_settings
    from bot.models import Installation, Member, Team
    from bot.nudges import new_nudge
    from tests.support.rel_serve import Server, clean_env
    from tests.support.slack_client import SlackClient
    from tests.support.slack_fake import ADMIN, BOT_TOKEN, CHANNEL, SIGNING_SECRET, TEAM, FakeSlack
    from tests.support.teams_connector import FakeConnector
    from tests.support.teams_support import Client

    fake, connector = FakeSlack(), FakeConnector()
    await fake.start()
    await connector.start()
    server = Server(
        clean_env(
            url,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake.api_url,
            WAAROM_WEBHOOK_SECRET=SECRET,
            WAAROM_TEAMS_EMULATOR="1",
            WAAROM_HOST="127.0.0.1",
        )
    )
    services = bootstrap.build(load_settings(database_url=url, _env_file=None))
    stats = Stats()
    numbers = itertools.count(1)
    rss: list[tuple[float, int]] = []
    async with ClientSession() as http:
        await server.start(http)
        slack = SlackClient(http, server.url, fake)
        teams = Client(Remote(server.url), connector, http)  # type: ignore[arg-type]
        teams_here = {"conversation": "19:soak", "conversation_type": "channel", "user": "29:soak"}
        # Everyone has used the bot once; then prompts to answer are made up front.
        await slack.command("help", user=ADMIN)
        await teams.say("help", **teams_here)
        await fake.settle(0.3)
        async with services.sessions() as session, session.begin():
            slack_team = (
                await session.scalars(
                    select(Team)
                    .join(Installation, Team.installation_id == Installation.id)
                    .where(Installation.external_id == TEAM, Team.external_id == CHANNEL)
                )
            ).one()
            slack_member = (
                await session.scalars(select(Member).where(Member.external_id == ADMIN))
            ).one()
            teams_team = (
                await session.scalars(select(Team).where(Team.external_id == "19:soak"))
            ).one()
            teams_member = (
                await session.scalars(select(Member).where(Member.external_id == "29:soak"))
            ).one()
            prompts = {
                "slack": [
                    (
                        await new_nudge(
                            session, services.library, slack_team, slack_member, now=services.now()
                        )
                    ).id
                    for _ in range(int(seconds * 8))
                ],
                "teams": [
                    (
                        await new_nudge(
                            session, services.library, teams_team, teams_member, now=services.now()
                        )
                    ).id
                    for _ in range(int(seconds * 8))
                ],
            }
        t = services.catalog.translator("en")
        feedback_view = render.modal_view(
            views.feedback_form(t), render.FormState("feedback", "", CHANNEL)
        )
        end = time.monotonic() + WARM_UP + seconds
        measuring = asyncio.Event()

        async def timed(kind: str, call: Any, ok_status: tuple[int, ...]) -> None:
            started = time.perf_counter()
            try:
                status, ok = await call()
                ok = ok and status in ok_status
            except (ClientError, OSError, TimeoutError):
                status, ok = -1, False
            if measuring.is_set():
                stats.record(kind, started, status, ok)

        async def slack_commands() -> None:
            while time.monotonic() < end:
                n = next(numbers)
                words = ("help", "ideas", f"feedback Soak {n}: the invoice was wrong")[n % 3]

                async def call(words: str = words) -> tuple[int, bool]:
                    status, _ = await slack.command(words, user=ADMIN)
                    return status, True

                await timed("slack_command", call, (200,))

        async def slack_submits() -> None:
            while time.monotonic() < end:
                n = next(numbers)
                if n % 2 and prompts["slack"]:
                    nudge = prompts["slack"].pop()
                    form = views.answer_form(t, SimpleNamespace(id=nudge), None)  # type: ignore[arg-type]
                    view = render.modal_view(form, render.FormState("answer", str(nudge), CHANNEL))
                    values = {"why": f"Soak {n}: customers wait", "how": "Call them back"}
                else:
                    view, values = feedback_view, {"text": f"Soak form {n}", "segment": "pro"}

                async def call(view: Any = view, values: Any = values) -> tuple[int, bool]:
                    status, body = await slack.submit(view, values, user=ADMIN)
                    return status, body == ""

                await timed("slack_submit", call, (200,))

        async def teams_traffic() -> None:
            while time.monotonic() < end:
                n = next(numbers)
                if n % 4 == 0 and prompts["teams"]:
                    nudge = prompts["teams"].pop()
                    spec = cards.form_spec(views.answer_form(t, SimpleNamespace(id=nudge), None))  # type: ignore[arg-type]
                    value = {
                        cards.FORM: "answer",
                        cards.CONTEXT: str(nudge),
                        cards.SPEC: spec,
                        "why": f"Soak {n}",
                        "how": "Better",
                    }
                    activity = teams.activity(value=value, **teams_here)
                else:
                    words = ("help", "ideas", f"feedback Soak teams {n}")[n % 3]
                    activity = teams.activity(text=words, **teams_here)

                async def call(activity: Any = activity) -> tuple[int, bool]:
                    return await teams.post(activity), True

                await timed("teams", call, (200, 201))

        async def webhooks() -> None:
            while time.monotonic() < end:
                n = next(numbers)
                body = json.dumps(
                    [
                        {"text": f"Soak webhook {n}.{k}", "external_id": f"soak-{n}-{k}"}
                        for k in range(10)
                    ]
                ).encode()
                stamp = str(int(time.time()))
                headers = {
                    webhook.TIMESTAMP_HEADER: stamp,
                    webhook.SIGNATURE_HEADER: webhook.sign(SECRET, stamp, body),
                    "Content-Type": "application/json",
                }

                async def call(body: bytes = body, headers: Any = headers) -> tuple[int, bool]:
                    async with http.post(server.url + "/feedback", data=body, headers=headers) as r:
                        answer = await r.json()
                        return r.status, answer.get("stored") == 10

                await timed("webhook", call, (200,))

        async def sample() -> None:
            await asyncio.sleep(WARM_UP)
            measuring.set()
            while time.monotonic() < end:
                rss.append((time.monotonic(), server.rss_kib()))
                await asyncio.sleep(1.0)
            rss.append((time.monotonic(), server.rss_kib()))

        loops = {
            "slack_command": slack_commands,
            "slack_submit": slack_submits,
            "teams": teams_traffic,
            "webhook": webhooks,
        }
        started = time.monotonic()
        await asyncio.gather(
            sample(), *(loops[kind]() for kind, count in SENDERS.items() for _ in range(count))
        )
        measured = time.monotonic() - started - WARM_UP
        await fake.settle(0.5)
        alive = server.alive()
        code = await server.stop()
    await services.close()
    await fake.close()
    await connector.close()
    sorry = sum("Sorry" in json.dumps(call.args) for call in fake.calls)

    kinds = {}
    for kind, values in stats.latency.items():
        ordered = sorted(values)
        kinds[kind] = {
            "requests": len(values),
            "per_second": round(len(values) / measured, 1),
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
            "errors": dict(stats.errors[kind]),
        }
    total = sum(k["requests"] for k in kinds.values())
    first, last = rss[0][1], rss[-1][1]
    return {
        "seconds": round(measured, 1),
        "requests": total,
        "per_second": round(total / measured, 1),
        "kinds": kinds,
        "errors": sum(sum(k["errors"].values()) for k in kinds.values()),
        "slack_apologies": sorry,
        "rss_start_mib": round(first / 1024, 1),
        "rss_end_mib": round(last / 1024, 1),
        "rss_peak_mib": round(max(v for _, v in rss) / 1024, 1),
        "rss_growth_mib": round((last - first) / 1024, 1),
        "server_alive_at_end": alive,
        "server_exit_code": code,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as workdir,
        fresh_database(args.database, Path(workdir)) as url,
    ):
        result = asyncio.run(soak(url, args.seconds))
    result["database"] = args.database
    print(f"soak on {args.database} for {result['seconds']} s (after {WARM_UP:.0f} s warm-up):")
    print(f"  {result['requests']} requests, {result['per_second']}/s, {result['errors']} errors")
    for kind, figures in result["kinds"].items():
        print(
            f"  {kind:14} {figures['requests']:6} req  {figures['per_second']:6}/s  "
            f"p50 {figures['p50_ms']:7} ms  p99 {figures['p99_ms']:7} ms  errors {figures['errors']}"
        )
    print(
        f"  server RSS {result['rss_start_mib']} MiB -> {result['rss_end_mib']} MiB "
        f"(peak {result['rss_peak_mib']}, growth {result['rss_growth_mib']} MiB); "
        f"apologies sent to Slack users: {result['slack_apologies']}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
