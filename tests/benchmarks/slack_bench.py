"""Slack modal answers: how fast ``waarom serve`` stores them, against a bare Bolt app.

N signed ``view_submission`` requests (answers to prompts) are sent C at a time to a real
``waarom serve`` process on PostgreSQL, which stores each answer (an idea) before it
acknowledges it. The same number go to a bare Bolt ``AsyncApp`` on aiohttp in its own
process that only acknowledges, and to ``waarom serve``'s app with a core that stores
nothing (what the adapter itself costs). All talk to the same loopback Slack Web API.

The figure that counts is answers *stored and acknowledged* per second: the ideas in the
database when the last acknowledgement arrived, over the time from the first submission
to it; the acknowledgement latencies (p50/p90/p99) are those of stored answers. Printed
beside it: the bare app's rate in the same run and the ratio, and how long the replies
after the acknowledgements (message update, thanks) took to finish.

    python -m tests.benchmarks.slack_bench [--requests 1000] [--concurrency 50]

Targets: p99 under 250 ms at 50 concurrent, and a stored rate of at least 0.15 × the bare
app's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.bench import child_env, fresh_database
from tests.support.slack_fake import (
    BOT_TOKEN,
    CHANNEL,
    SIGNING_SECRET,
    TEAM,
    USER,
    FakeSlack,
)

# Requests each server gets first, at full concurrency and not measured: its connection
# pool filled and its statements prepared, as in a server that has been up a while.
WARMUP = 100


def spawn(args: list[str], env: dict[str, str], cwd: str | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the bare app (child process) ------------------------------------------------------


def run_bare(port: int, api_url: str) -> None:
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=api_url), signing_secret=SIGNING_SECRET
    )

    @bolt.view("waarom.form")
    async def submitted(ack: Any) -> None:
        await ack()

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, print=None)


def run_stub_core(port: int) -> None:
    """``waarom serve``'s app with a core that accepts every form and does nothing: what
    the Slack adapter itself costs (signature, parsing, the replay record, the ack)."""
    from aiohttp import web

    from bot import bootstrap, chat
    from bot.config import load_settings
    from bot.web import create_app

    async def accept(*_args: Any) -> chat.SavedForm:
        return chat.SavedForm()

    chat.save_form = accept  # type: ignore[assignment]
    services = bootstrap.build(load_settings())
    web.run_app(create_app(services), host="127.0.0.1", port=port, print=None)


# --- seeding ---------------------------------------------------------------------------


async def seed(database_url: str, count: int) -> list[int]:
    """A channel team with one member and ``count`` open prompts for them."""
    from bot import bootstrap, chat
    from bot.chat.origin import Origin
    from bot.config import load_settings
    from bot.engine.nudges import new_nudge
    from bot.storage.models import Member, Team

    services = bootstrap.build(load_settings(database_url=database_url, _env_file=None))
    origin = Origin(
        platform="slack",
        workspace_id=TEAM,
        conversation_id=CHANNEL,
        user_id=USER,
        conversation_address={"channel": CHANNEL},
        user_address={"user": USER},
    )
    await chat.handle_text(services, origin, "help")
    ids = []
    async with services.sessions() as session, session.begin():
        from sqlalchemy import select

        team = (await session.scalars(select(Team).where(Team.external_id == CHANNEL))).one()
        member = (await session.scalars(select(Member).where(Member.external_id == USER))).one()
        for _ in range(count):
            nudge = await new_nudge(session, services.library, team, member, now=services.now())
            ids.append(nudge.id)
    await services.close()
    return ids


# --- load ------------------------------------------------------------------------------


def submission(nudge_id: int, n: int) -> str:
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": USER, "username": "anna", "team_id": TEAM},
        "api_app_id": "A0WAAROM",
        "trigger_id": f"{n}.5555.bench",
        "view": {
            "id": f"VBENCH{n:07d}",
            "team_id": TEAM,
            "type": "modal",
            "callback_id": "waarom.form",
            "private_metadata": json.dumps(
                {"f": "answer", "c": str(nudge_id), "ch": CHANNEL, "ts": f"1700000000.{n:06d}"}
            ),
            "state": {
                "values": {
                    "why": {
                        "why": {
                            "type": "plain_text_input",
                            "value": f"Customers wait too long ({n})",
                        }
                    },
                    "how": {"how": {"type": "plain_text_input", "value": "Answer within the hour"}},
                }
            },
        },
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


async def load(url: str, bodies: list[str], concurrency: int) -> tuple[float, list[float]]:
    from aiohttp import ClientSession, TCPConnector
    from slack_sdk.signature import SignatureVerifier

    verifier = SignatureVerifier(SIGNING_SECRET)
    latencies: list[float] = []
    failures: list[str] = []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)

    async def worker(http: ClientSession) -> None:
        while not queue.empty():
            body = queue.get_nowait()
            timestamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": verifier.generate_signature(timestamp=timestamp, body=body),
            }
            started = time.perf_counter()
            async with http.post(url, data=body.encode(), headers=headers) as response:
                text = await response.text()
            latencies.append(time.perf_counter() - started)
            if response.status != 200 or text:
                failures.append(f"{response.status} {text[:200]}")

    async with ClientSession(connector=TCPConnector(limit=concurrency)) as http:
        started = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} submissions not accepted, e.g. {failures[0]}")
    return len(bodies) / elapsed, latencies


def count_ideas(database_url: str) -> int:
    from sqlalchemy import create_engine, text

    from bot.storage import db

    engine = create_engine(db.sync_url(database_url))
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text("SELECT count(*) FROM ideas")) or 0)
    finally:
        engine.dispose()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    from aiohttp import ClientError, ClientSession

    async with ClientSession() as http:
        for _ in range(200):
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}")
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            except ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def report(name: str, rate: float, latencies: list[float]) -> dict[str, float]:
    figures = {
        "rate": rate,
        "p50": percentile(latencies, 50) * 1000,
        "p90": percentile(latencies, 90) * 1000,
        "p99": percentile(latencies, 99) * 1000,
        "mean": statistics.fmean(latencies) * 1000,
    }
    print(
        f"{name:<14} {figures['rate']:>8.0f} req/s   p50 {figures['p50']:6.1f} ms   "
        f"p90 {figures['p90']:6.1f} ms   p99 {figures['p99']:6.1f} ms"
    )
    return figures


def bench_env(api_url: str) -> dict[str, str]:
    """This environment, with Slack pointed at the loopback Web API and nothing else set."""
    env = {
        **child_env(),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "WAAROM_LANGUAGE": "en",
        "MICROSOFT_APP_ID": "",
    }
    for variable in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_APP_TOKEN"):
        env.pop(variable, None)
    return env


@dataclass
class Measured:
    """The figures of one run: each app's load figures, and waarom serve's stored answers."""

    figures: dict[str, dict[str, float]] = field(default_factory=dict)
    stored: int = 0
    stored_rate: float = 0.0
    replies_took: float = 0.0


async def measure(
    fake: FakeSlack, url: str, ports: dict[str, int], bodies: list[str], concurrency: int
) -> Measured:
    measured = Measured()
    # The no-op core gets views it has not seen (the replay record would refuse repeats),
    # and answers nothing, so no idea is written for them.
    stub_bodies = [submission(0, len(bodies) + n) for n in range(len(bodies))]
    for name, batch in (
        ("bare Bolt", bodies),
        ("adapter only", stub_bodies),
        ("waarom serve", bodies),
    ):
        target = f"http://127.0.0.1:{ports[name]}/slack/events"
        await load(target, batch[:WARMUP], min(concurrency, WARMUP))
        await fake.settle(0.3)  # and the warm-up's replies are out of the way
        before = count_ideas(url)
        rate, latencies = await load(target, batch[WARMUP:], concurrency)
        measured.figures[name] = report(name, rate, latencies)
        if name == "waarom serve":
            # Counted the moment the last acknowledgement is in: stored, not queued.
            measured.stored = count_ideas(url) - before
            measured.stored_rate = measured.stored / ((len(batch) - WARMUP) / rate)
            replies_started = time.perf_counter()
            await fake.settle(0.5)
            measured.replies_took = time.perf_counter() - replies_started - 0.5
    return measured


async def main(requests: int, concurrency: int) -> int:
    fake = FakeSlack()
    await fake.start()
    env = bench_env(fake.api_url)
    with tempfile.TemporaryDirectory() as workdir, fresh_database("postgres", Path(workdir)) as url:
        nudges = await seed(url, requests + WARMUP)
        bodies = [submission(nudge, n) for n, nudge in enumerate(nudges)]
        ports = {name: free_port() for name in ("waarom serve", "bare Bolt", "adapter only")}
        processes = [
            spawn(
                ["-m", "bot", "serve", "--port", str(ports["waarom serve"])],
                {**env, "DATABASE_URL": url},
                workdir,
            ),
            spawn(["-m", __spec__.name, "--bare", str(ports["bare Bolt"]), fake.api_url], env),
            spawn(
                ["-m", __spec__.name, "--stub-core", str(ports["adapter only"])],
                {**env, "DATABASE_URL": url},
                workdir,
            ),
        ]
        try:
            for port, process in zip(ports.values(), processes, strict=True):
                await wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
            print(f"{requests} modal submissions, {concurrency} at a time, PostgreSQL\n")
            measured = await measure(fake, url, ports, bodies, concurrency)
        finally:
            for process in processes:
                process.terminate()
                # waarom serve gives replies still under way up to 20 s.
                process.wait(30)
        ideas = count_ideas(url)
    await fake.close()
    summarise(measured, requests, len(fake.calls))
    print(f"ideas in the database: {ideas} of {len(bodies)} answers sent")
    print_targets(measured)
    return 0 if ideas == len(bodies) and measured.stored == requests else 1


def summarise(measured: Measured, requests: int, calls: int) -> None:
    figures = measured.figures
    bare_rate = figures["bare Bolt"]["rate"]
    ratio = measured.stored_rate / bare_rate
    adapter_ratio = figures["adapter only"]["rate"] / bare_rate
    p99 = figures["waarom serve"]["p99"]
    print(f"\nadapter only / bare rate: {adapter_ratio:.2f}")
    print(
        f"answers stored and acknowledged: {measured.stored} of {requests} at the last "
        f"acknowledgement, {measured.stored_rate:.0f}/s = {ratio:.2f} × the bare app's "
        f"{bare_rate:.0f}/s; p50 {figures['waarom serve']['p50']:.1f} ms, p99 {p99:.1f} ms"
    )
    print(
        f"replies after the acknowledgements: {calls} Slack calls in all "
        f"(chat.update + chat.postEphemeral), done {max(measured.replies_took, 0):.2f} s "
        "after the last"
    )


def print_targets(measured: Measured) -> None:
    p99 = measured.figures["waarom serve"]["p99"]
    ratio = measured.stored_rate / measured.figures["bare Bolt"]["rate"]
    print(
        f"target p99 < 250 ms: {'met' if p99 < 250 else 'MISSED'}; "
        f"target stored rate >= 0.15 × bare: {'met' if ratio >= 0.15 else 'MISSED'}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--bare":
        run_bare(int(sys.argv[2]), sys.argv[3])
        sys.exit(0)
    if len(sys.argv) > 1 and sys.argv[1] == "--stub-core":
        run_stub_core(int(sys.argv[2]))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.requests, arguments.concurrency)))
