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

from aiohttp import ClientError, ClientSession
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.slack import render
from adapters.teams import cards
from bot import bootstrap
from bot.chat import views
from bot.config import load_settings
from bot.engine.nudges import new_nudge
from bot.i18n import Catalog
from bot.intake import webhook
from bot.storage.models import Installation, Member, Team
from tests.support.bench import fresh_database
from tests.support.rel_serve import Server, clean_env
from tests.support.slack_client import SlackClient
from tests.support.slack_fake import ADMIN, BOT_TOKEN, CHANNEL, SIGNING_SECRET, TEAM, FakeSlack
from tests.support.teams_connector import FakeConnector
from tests.support.teams_support import Client

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


TEAMS_HERE = {"conversation": "19:soak", "conversation_type": "channel", "user": "29:soak"}


async def one_member(session: AsyncSession, team: Any, user: str) -> tuple[Team, Member]:
    found = (await session.scalars(select(Team).where(team))).one()
    member = (await session.scalars(select(Member).where(Member.external_id == user))).one()
    return found, member


async def make_prompts(services: bootstrap.Services, count: int) -> dict[str, list[int]]:
    """``count`` open prompts per platform for the senders to answer (everyone has used the
    bot once, so the teams and members exist)."""
    slack_team = Team.installation_id.in_(
        select(Installation.id).where(Installation.external_id == TEAM)
    ) & (Team.external_id == CHANNEL)
    prompts: dict[str, list[int]] = {}
    async with services.sessions() as session, session.begin():
        for platform, team, user in (
            ("slack", slack_team, ADMIN),
            ("teams", Team.external_id == "19:soak", "29:soak"),
        ):
            found, member = await one_member(session, team, user)
            prompts[platform] = [
                (await new_nudge(session, services.library, found, member, now=services.now())).id
                for _ in range(count)
            ]
    return prompts


class Senders:
    """The loops that send traffic until ``end``, each waiting for its answer, timed once
    ``measuring`` is set; and the server's memory, sampled every second."""

    def __init__(
        self, http: ClientSession, server: Server, slack: SlackClient, teams: Client
    ) -> None:
        self.http, self.server, self.slack, self.teams = http, server, slack, teams
        self.prompts: dict[str, list[int]] = {}
        self.t = Catalog.load().translator("en")
        self.feedback_view = render.modal_view(
            views.feedback_form(self.t), render.FormState("feedback", "", CHANNEL)
        )
        self.stats = Stats()
        self.numbers = itertools.count(1)
        self.measuring = asyncio.Event()
        self.rss: list[tuple[float, int]] = []
        self.end = 0.0

    async def run(self, seconds: float) -> float:
        """Send for ``seconds`` after the warm-up; the seconds measured."""
        self.end = time.monotonic() + WARM_UP + seconds
        loops = {
            "slack_command": self.slack_commands,
            "slack_submit": self.slack_submits,
            "teams": self.teams_traffic,
            "webhook": self.webhooks,
        }
        started = time.monotonic()
        await asyncio.gather(
            self.sample(), *(loops[kind]() for kind, n in SENDERS.items() for _ in range(n))
        )
        return time.monotonic() - started - WARM_UP

    async def timed(self, kind: str, call: Any, ok_status: tuple[int, ...]) -> None:
        started = time.perf_counter()
        try:
            status, ok = await call()
            ok = ok and status in ok_status
        except (ClientError, OSError, TimeoutError):
            status, ok = -1, False
        if self.measuring.is_set():
            self.stats.record(kind, started, status, ok)

    async def slack_commands(self) -> None:
        while time.monotonic() < self.end:
            n = next(self.numbers)
            words = ("help", "ideas", f"feedback Soak {n}: the invoice was wrong")[n % 3]

            async def call(words: str = words) -> tuple[int, bool]:
                status, _ = await self.slack.command(words, user=ADMIN)
                return status, True

            await self.timed("slack_command", call, (200,))

    async def slack_submits(self) -> None:
        while time.monotonic() < self.end:
            n = next(self.numbers)
            if n % 2 and self.prompts["slack"]:
                nudge = self.prompts["slack"].pop()
                form = views.answer_form(self.t, SimpleNamespace(id=nudge), None)  # type: ignore[arg-type]
                view = render.modal_view(form, render.FormState("answer", str(nudge), CHANNEL))
                values = {"why": f"Soak {n}: customers wait", "how": "Call them back"}
            else:
                view, values = self.feedback_view, {"text": f"Soak form {n}", "segment": "pro"}

            async def call(view: Any = view, values: Any = values) -> tuple[int, bool]:
                status, body = await self.slack.submit(view, values, user=ADMIN)
                return status, body == ""

            await self.timed("slack_submit", call, (200,))

    async def teams_traffic(self) -> None:
        while time.monotonic() < self.end:
            n = next(self.numbers)
            if n % 4 == 0 and self.prompts["teams"]:
                nudge = self.prompts["teams"].pop()
                spec = cards.form_spec(views.answer_form(self.t, SimpleNamespace(id=nudge), None))  # type: ignore[arg-type]
                value = {
                    cards.FORM: "answer",
                    cards.CONTEXT: str(nudge),
                    cards.SPEC: spec,
                    "why": f"Soak {n}",
                    "how": "Better",
                }
                activity = self.teams.activity(value=value, **TEAMS_HERE)
            else:
                words = ("help", "ideas", f"feedback Soak teams {n}")[n % 3]
                activity = self.teams.activity(text=words, **TEAMS_HERE)

            async def call(activity: Any = activity) -> tuple[int, bool]:
                return await self.teams.post(activity), True

            await self.timed("teams", call, (200, 201))

    async def webhooks(self) -> None:
        while time.monotonic() < self.end:
            n = next(self.numbers)
            items = [
                {"text": f"Soak webhook {n}.{k}", "external_id": f"soak-{n}-{k}"} for k in range(10)
            ]
            body = json.dumps(items).encode()
            stamp = str(int(time.time()))
            headers = {
                webhook.TIMESTAMP_HEADER: stamp,
                webhook.SIGNATURE_HEADER: webhook.sign(SECRET, stamp, body),
                "Content-Type": "application/json",
            }

            async def call(body: bytes = body, headers: Any = headers) -> tuple[int, bool]:
                url = self.server.url + "/feedback"
                async with self.http.post(url, data=body, headers=headers) as r:
                    answer = await r.json()
                    return r.status, answer.get("stored") == 10

            await self.timed("webhook", call, (200,))

    async def sample(self) -> None:
        await asyncio.sleep(WARM_UP)
        self.measuring.set()
        while time.monotonic() < self.end:
            self.rss.append((time.monotonic(), self.server.rss_kib()))
            await asyncio.sleep(1.0)
        self.rss.append((time.monotonic(), self.server.rss_kib()))


async def soak(url: str, seconds: float) -> dict[str, Any]:
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
    async with ClientSession() as http:
        await server.start(http)
        teams = Client(Remote(server.url), connector, http)  # type: ignore[arg-type]
        senders = Senders(http, server, SlackClient(http, server.url, fake), teams)
        # Everyone has used the bot once; then prompts to answer are made up front.
        await senders.slack.command("help", user=ADMIN)
        await teams.say("help", **TEAMS_HERE)
        await fake.settle(0.3)
        senders.prompts = await make_prompts(services, int(seconds * 8))
        measured = await senders.run(seconds)
        await fake.settle(0.5)
        alive = server.alive()
        code = await server.stop()
    await services.close()
    await fake.close()
    await connector.close()
    sorry = sum("Sorry" in json.dumps(call.args) for call in fake.calls)
    return {
        **summary(senders.stats, measured, senders.rss),
        "slack_apologies": sorry,
        "server_alive_at_end": alive,
        "server_exit_code": code,
    }


def summary(stats: Stats, measured: float, rss: list[tuple[float, int]]) -> dict[str, Any]:
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
        "rss_start_mib": round(first / 1024, 1),
        "rss_end_mib": round(last / 1024, 1),
        "rss_peak_mib": round(max(v for _, v in rss) / 1024, 1),
        "rss_growth_mib": round((last - first) / 1024, 1),
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
