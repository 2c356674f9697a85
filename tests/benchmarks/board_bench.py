"""The board's ideas page: how fast ``waarom serve`` shows a team with 10,000 ideas.

A real ``waarom serve`` process on PostgreSQL, a team of 10 members with 10,000 ideas (votes
spread over them), each member signed in through a one-time link of their own. The 10
sessions then ask for the ideas page at once, each its next page as soon as the last one
arrived, for N requests in all: sorted by votes (the default), newest first, page 200, only
the planned ones, a search. ``/healthz`` (one ``SELECT 1``) is measured the same way in the
same run, as the floor of what a request costs on this machine.

    python -m tests.benchmarks.board_bench [--ideas 10000] [--requests 1000] [--concurrency 10]

Target: the ideas page's p95 under 200 ms at 10 concurrent sessions.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import html
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.bench import fresh_database

ROOT = Path(__file__).resolve().parents[2]


WARMUP = 50
TARGET_P95_MS = 200.0
PAGES = (
    "/board/ideas",
    "/board/ideas?sort=newest",
    "/board/ideas?page=200",
    "/board/ideas?status=planned",
    "/board/ideas?q=callback",
)
WORDS = [
    "callback",
    "invoice",
    "delivery",
    "appointment",
    "login",
    "refund",
    "chat",
    "phone",
    "weekend",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def idea_rows(
    team_id: int, ids: list[int], ideas: int, now: dt.datetime, rng: random.Random
) -> list[dict[str, object]]:
    return [
        {
            "team_id": team_id,
            "author_member_id": rng.choice(ids),
            "owner_member_id": rng.choice([None, *ids]),
            "why": f"Customers ask about {rng.choice(WORDS)} every week ({k})",
            "how": f"Make {rng.choice(WORDS)} easier: step {k}",
            "status": rng.choice(("new", "new", "reviewing", "planned", "done")),
            "votes": int(rng.expovariate(0.2)),
            # Spread over two years, as a team's ideas are.
            "created_at": now - dt.timedelta(minutes=105 * (ideas - k)),
            "updated_at": now,
        }
        for k in range(ideas)
    ]


async def seed(database_url: str, ideas: int, members: int, public: str) -> list[str]:
    """The team, its members and ideas; returns one sign-in link per member."""
    from sqlalchemy import insert, text

    from bot import bootstrap, chat
    from bot.board import access as board_access
    from bot.chat.origin import Origin
    from bot.config import load_settings
    from bot.storage.models import Idea, Member

    services = bootstrap.build(load_settings(database_url=database_url, _env_file=None))
    ids = []
    for n in range(members):
        origin = Origin("console", "console", "support", f"member{n}", home=True)
        await chat.handle_text(services, origin, "help")
    async with services.sessions() as session, session.begin():
        from sqlalchemy import select

        from bot.storage.models import Team

        team = (await session.scalars(select(Team))).one()
        ids = list((await session.scalars(select(Member.id).order_by(Member.id))).all())
        now = services.now()
        rows = idea_rows(team.id, ids, ideas, now, random.Random(14))
        await session.execute(insert(Idea), rows)
    engine = services.engine.execution_options(isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        # What autovacuum does after a bulk insert: statistics and the visibility map.
        await connection.execute(text("VACUUM ANALYZE ideas"))
    async with services.sessions() as session, session.begin():
        links = [
            board_access.link_url(public, await board_access.new_link(session, m, now=now))
            for m in ids
        ]
    await services.close()
    return links


async def sign_in(http: object, link: str) -> None:
    from aiohttp import ClientSession

    assert isinstance(http, ClientSession)
    # As a browser does: the sign-in page, then its button (which posts the page's token).
    async with http.get(link) as page:
        found = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert found, "no sign-in form"
    form = {"csrf": html.unescape(found.group(1))}
    async with http.post(link, data=form, allow_redirects=False) as response:
        assert response.status == 303, response.status


async def measure(
    base: str, links: list[str], requests: int, path_of: object, by_path: dict[str, list[float]]
) -> list[float]:
    from aiohttp import ClientSession, CookieJar, TCPConnector

    sessions = [
        ClientSession(cookie_jar=CookieJar(unsafe=True), connector=TCPConnector(limit=1))
        for _ in links
    ]
    try:
        for http, link in zip(sessions, links, strict=True):
            await sign_in(http, link)
        timings: list[float] = []
        counter = iter(range(requests + WARMUP * len(sessions)))

        async def worker(http: ClientSession) -> None:
            for n in counter:
                path = path_of(n)  # type: ignore[operator]
                started = time.perf_counter()
                async with http.get(base + path) as response:
                    await response.read()
                    assert response.status == 200, (path, response.status)
                if n >= WARMUP * len(sessions):
                    timings.append((time.perf_counter() - started) * 1000)
                    by_path.setdefault(path, []).append(timings[-1])

        await asyncio.gather(*(worker(http) for http in sessions))
        return timings
    finally:
        for http in sessions:
            await http.close()


def figures(timings: list[float], seconds: float) -> dict[str, float]:
    ordered = sorted(timings)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))], 1)

    return {
        "requests": len(ordered),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(ordered), 1),
        "per_second": round(len(ordered) / seconds, 1),
    }


def spawn_server(port: int, database_url: str, base: str) -> subprocess.Popen[bytes]:
    """``waarom serve`` with the board on, and no chat platform configured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WAAROM_", "SLACK_"))}
    env.update(DATABASE_URL=database_url, WAAROM_PUBLIC_URL=base, MICROSOFT_APP_ID="")
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def run(args: argparse.Namespace, database_url: str) -> dict[str, object]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    links = await seed(database_url, args.ideas, args.concurrency, base)
    server = spawn_server(port, database_url, base)
    try:
        await wait_up(base)
        results: dict[str, object] = {"ideas": args.ideas, "concurrency": args.concurrency}
        for name, path_of in (
            ("ideas_page", lambda n: PAGES[n % len(PAGES)]),
            ("healthz", lambda n: "/healthz"),
        ):
            # Fresh links for each round: a link signs in once.
            if name == "healthz":
                links = await fresh_links(database_url, base)
            started = time.perf_counter()
            by_path: dict[str, list[float]] = {}
            timings = await measure(base, links, args.requests, path_of, by_path)
            results[name] = figures(timings, time.perf_counter() - started)
            if name == "ideas_page":
                results["by_page_p95_ms"] = {
                    path: sorted(found)[int(len(found) * 0.95)] for path, found in by_path.items()
                }
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


async def fresh_links(database_url: str, public: str) -> list[str]:
    from sqlalchemy import select

    from bot import bootstrap
    from bot.board import access as board_access
    from bot.config import load_settings
    from bot.storage.models import Member

    services = bootstrap.build(load_settings(database_url=database_url, _env_file=None))
    async with services.sessions() as session, session.begin():
        ids = (await session.scalars(select(Member.id).order_by(Member.id))).all()
        links = [
            board_access.link_url(
                public, await board_access.new_link(session, m, now=services.now())
            )
            for m in ids
        ]
    await services.close()
    return links


async def wait_up(base: str) -> None:
    from aiohttp import ClientError, ClientSession

    async with ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(base + "/healthz") as response:
                    if response.status == 200:
                        return
            except ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("waarom serve did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ideas", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir, fresh_database("postgres", Path(workdir)) as url:
        results = asyncio.run(run(args, url))
    page, health = results["ideas_page"], results["healthz"]
    assert isinstance(page, dict) and isinstance(health, dict)
    print(f"board ideas page, {args.ideas:,} ideas, {args.concurrency} sessions at once:")
    for name, found in (("ideas page", page), ("/healthz", health)):
        print(
            f"  {name:<10}  p50 {found['p50_ms']:>6} ms  p95 {found['p95_ms']:>6} ms  "
            f"p99 {found['p99_ms']:>6} ms  {found['per_second']:>7}/s"
        )
    for path, p95 in results["by_page_p95_ms"].items():  # type: ignore[attr-defined]
        print(f"    {path:<30} p95 {p95:>6.1f} ms")
    ok = page["p95_ms"] < TARGET_P95_MS
    print(f"  target: ideas page p95 < {TARGET_P95_MS:.0f} ms: {'met' if ok else 'NOT met'}")
    results["target_met"] = ok
    print(json.dumps(results))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
