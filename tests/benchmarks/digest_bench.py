"""Digest build time and memory for one week of 1k … 1M feedback items.

Each size is loaded into a fresh database (SQLite and PostgreSQL) by one child process, as
intake would store it; a second, fresh child builds the digest (read, themes, highlights,
ideas, participation) and reports its time and peak memory, so the figure is the digest's own
and not the loader's. The baseline, measured in the same child, is only reading the week's
rows; "at rest" is the same process after its imports, before any digest. The scaling
exponent is the slope of log(time) against log(items); 1.0 is linear.

    python -m tests.benchmarks.digest_bench [--sizes 1000,10000,100000,1000000] [--databases sqlite,postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import math
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.support.bench import fresh_database, peak_rss_mb, run_child

WEEK = "2026-W46"
WORDS = {
    "nl": [
        "monteur",
        "levering",
        "accu",
        "app",
        "factuur",
        "bakfiets",
        "zadel",
        "borg",
        "storing",
        "wachttijd",
        "regen",
        "band",
        "slot",
        "opzeggen",
        "prijs",
        "service",
        "telefoon",
        "kinderen",
    ],
    "en": [
        "mechanic",
        "delivery",
        "battery",
        "app",
        "invoice",
        "cargo",
        "saddle",
        "deposit",
        "outage",
        "waiting",
        "rain",
        "tyre",
        "lock",
        "cancel",
        "price",
        "support",
        "phone",
        "kids",
    ],
}
SEGMENTS = ["forens", "student", "gezin", "zakelijk", "senior"]
STEPS = ["orientation", "purchase", "delivery", "use", "service", "complaint", "leaving"]


def _insert_team(connection: Any) -> None:
    """The one organisation, installation and team every row belongs to."""
    from sqlalchemy import insert

    from bot.storage.models import Installation, Organisation, Team

    connection.execute(insert(Organisation).values(id=1, slug="default", name="default"))
    connection.execute(
        insert(Installation).values(
            id=1, org_id=1, platform="console", external_id="c", name="", active=True
        )
    )
    connection.execute(
        insert(Team).values(
            id=1,
            org_id=1,
            installation_id=1,
            external_id="t",
            name="bench",
            direct=False,
            language="nl",
            timezone="Europe/Amsterdam",
            digest_schedule="mon 09:00",
            nudge_schedule="tue,thu 10:00",
            reminder_hours=24,
            active=True,
        )
    )


def _row(rng: random.Random, i: int, size: int, start: dt.datetime) -> dict[str, Any]:
    """Feedback item ``i`` of ``size``, spread over the week, as intake would store it."""
    from bot.voice.put_up_with import burdens
    from bot.voice.sentiment import sentiment
    from bot.voice.text import terms

    lang = "nl" if rng.random() < 0.7 else "en"
    words = rng.sample(WORDS[lang], 4)
    text_ = (
        f"De {words[0]} en de {words[1]}: {rng.randint(1, 60)} dagen gedoe met {words[2]}"
        if lang == "nl"
        else f"The {words[0]} and the {words[1]}: {rng.randint(1, 60)} days of trouble with {words[2]}"
    )
    if rng.random() < 0.05:
        text_ = rng.choice(["Top!", "prima", "great"])
    return {
        "org_id": 1,
        "received_at": start + dt.timedelta(seconds=i * 600_000 / size),
        "source": "bench",
        "text": text_,
        "redacted": text_,
        "score": float(rng.randint(0, 10)),
        "segment": rng.choice(SEGMENTS),
        "step": rng.choice(STEPS),
        "dedupe_key": f"x:{i}",
        "terms": terms(text_),
        "sentiment": sentiment(text_, terms(text_)[:2]),
        "burdens": burdens(text_),
        "created_at": start,
    }


def load(url: str, size: int) -> None:
    from sqlalchemy import insert

    from bot.storage import db
    from bot.storage.models import Feedback

    engine = db.create_sync_engine_for(url)
    rng = random.Random(size)
    start = dt.datetime(2026, 11, 9, 0, 30, tzinfo=dt.UTC)
    with engine.begin() as connection:
        _insert_team(connection)
    batch = []
    for i in range(size):
        batch.append(_row(rng, i, size, start))
        if len(batch) == 5000:
            with engine.begin() as connection:
                connection.execute(insert(Feedback), batch)
            batch = []
    if batch:
        with engine.begin() as connection:
            connection.execute(insert(Feedback), batch)
    engine.dispose()


async def measure(url: str) -> dict[str, float]:
    from bot import bootstrap
    from bot.config import load_settings
    from bot.digest import build_digest
    from bot.digest.reading import read_period
    from bot.storage.models import Team
    from bot.voice.themes import find_themes
    from bot.week import Week

    services = bootstrap.build(load_settings(database_url=url, _env_file=None))
    week = Week.parse(WEEK)
    # Warm up: scikit-learn loads parts of itself on first use; a running web or clock
    # process has paid that once, long before any digest.
    find_themes([f"warm up the {w} model with {w} words" for w in WORDS["en"]] * 2)
    at_rest = rss_mb()
    async with services.sessions() as session:
        team = await session.get(Team, 1)
        assert team is not None
        import zoneinfo

        began = time.perf_counter()
        start, end = week.bounds(zoneinfo.ZoneInfo(team.timezone))
        # Read as the digest reads it: with the cycle collector paused (bot.digest.voice).
        gc.disable()
        ids = (await read_period(session, 1, start, end)).ids  # not kept: the digest reads its own
        gc.enable()
        count = len(ids)
        del ids
        read = time.perf_counter() - began
        began = time.perf_counter()
        data = await build_digest(session, team, week, services.library)
        built = time.perf_counter() - began
    await services.close()
    assert data.count == count
    return {
        "seconds": built,
        "rest_mb": at_rest,
        "read_seconds": read,
        "themes": len(data.themes),
        "highlights": len(data.highlights),
    }


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(task: str, url: str, size: int) -> None:
    if task == "load":
        load(url, size)
        print("{}")
        return
    result = asyncio.run(measure(url))
    print(json.dumps({**result, "peak_mb": peak_rss_mb()}))


def measure_size(database: str, size: int, workdir: Path) -> dict[str, object]:
    """Build one week's digest of ``size`` items in a fresh database; prints the row."""
    with fresh_database(database, workdir) as url:
        run_child(__spec__.name, "load", url, str(size))
        got = run_child(__spec__.name, "measure", url, str(size))
    row: dict[str, object] = {
        "database": database,
        "items": size,
        "build_s": round(got["seconds"], 3),
        "read_rows_s": round(got["read_seconds"], 3),
        "peak_mb": round(got["peak_mb"], 1),
        "at_rest_mb": round(got["rest_mb"], 1),
        "themes": got["themes"],
        "highlights": got["highlights"],
    }
    print(
        f"{database:9} {size:>9,} items  build {got['seconds']:7.2f} s  (reading rows alone "
        f"{got['read_seconds']:.2f} s)  peak {got['peak_mb']:.0f} MB "
        f"(at rest {got['rest_mb']:.0f} MB)",
        flush=True,
    )
    return {**row, "seconds": got["seconds"]}


def scaling(database: str, series: list[tuple[int, float]]) -> dict[str, object]:
    """The slope of log(time) against log(items), overall and between the two largest."""
    xs = [math.log(s) for s, _ in series]
    ys = [math.log(t) for _, t in series]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    # Fixed costs (fitting the theme model on a sample) flatten the overall slope; the step
    # between the two largest sizes shows how the work itself grows.
    (small, t_small), (large, t_large) = series[-2], series[-1]
    top = math.log(t_large / t_small) / math.log(large / small)
    print(
        f"{database:9} scaling exponent {slope:.2f} overall, {top:.2f} from "
        f"{small:,} to {large:,} items (1.0 = linear)"
    )
    return {
        "database": database,
        "scaling_exponent": round(slope, 2),
        "scaling_exponent_top": round(top, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)  # task, url, size
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for database in args.databases.split(","):
            series = []
            for size in sizes:
                row = measure_size(database, size, Path(tmp))
                series.append((size, float(row.pop("seconds"))))
                results.append(row)
            if len(series) > 1:
                results.append(scaling(database, series))
    print(
        json.dumps(
            {"benchmark": "digest", "target": "100k items < 1 s and < 300 MB", "results": results}
        )
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
