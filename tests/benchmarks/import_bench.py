"""Import speed and memory: ``waarom import``'s path against plain bulk inserts.

For each size and database, a generated CSV is imported twice in fresh databases: once through
the real importer (parse, normalise, redact, dedupe, batched INSERT … ON CONFLICT DO NOTHING)
and once as a baseline of plain batched INSERTs of the same rows. Each run is its own process,
so peak memory (max RSS) is per run. A file of 256 KB or more gets a helper process that
normalises batches beside the importer (bot.intake.helper): its peak memory is printed on its
own, and the CPU time per row counts both processes, so the speed-up from the second core is
visible as such.

    python -m tests.benchmarks.import_bench [--sizes 10000,100000,1000000] [--databases sqlite,postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import hashlib
import json
import random
import resource
import tempfile
import time
import zoneinfo
from pathlib import Path

from tests.support.bench import fresh_database, peak_rss_mb, run_child

PHRASES = [
    "Monteur kwam pas na {n} dagen, ondertussen met de trein naar Utrecht",
    "De app crasht bij het melden van een lekke band sinds versie {n}",
    "Battery range drops to {n} km when it freezes",
    "Bezorging was keurig op tijd, binnen {n} minuten uitgelegd hoe alles werkt",
    "Factuur voor mijn werkgever klopt voor de {n}e keer niet",
]
# About one in thirty customers leaves a phone number or e-mail address in the text.
PERSONAL = ["Bel me terug op 06-{n:08d} want de chat helpt niet", "Mail me op klant{n}@example.nl"]
# One in ten writes a few words without a function word, whose language a model decides.
SHORT = ["Amazing service", "Snelle levering", "Great app", "Prima", "Monteur super vriendelijk"]
SEGMENTS = ["forens", "student", "gezin", "zakelijk", "senior"]


def _kind(draw: float) -> list[str]:
    return PERSONAL if draw < 0.03 else SHORT if draw < 0.13 else PHRASES


def generate(path: Path, rows: int) -> None:
    rng = random.Random(rows)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "text", "date", "score", "segment"])
        for i in range(rows):
            when = start + dt.timedelta(seconds=i * 17)
            writer.writerow(
                [
                    f"r{i}",
                    rng.choice(_kind(rng.random())).format(n=rng.randint(1, 99_999_999))
                    + f" ({i})",
                    when.strftime("%Y-%m-%d %H:%M:%S %z"),
                    rng.randint(0, 10),
                    rng.choice(SEGMENTS),
                ]
            )


async def ours(url: str, path: Path) -> float:
    from bot import bootstrap
    from bot.config import load_settings
    from bot.intake.importer import import_file
    from bot.intake.normalise import FieldMap
    from bot.storage.directory import organisation

    services = bootstrap.build(load_settings(database_url=url, _env_file=None))
    async with services.sessions() as session, session.begin():
        org = (await organisation(session)).id
    fields = FieldMap(
        text="text",
        received_at="date",
        score="score",
        segment="segment",
        step=None,
        external_id="id",
        source=None,
    )
    began = time.perf_counter()
    report = await import_file(
        services.sessions, org, path, fields, zone=zoneinfo.ZoneInfo("Europe/Amsterdam")
    )
    elapsed = time.perf_counter() - began
    await services.close()
    assert report.imported > 0 and report.rejected_count == 0, report
    return elapsed


async def baseline(url: str, path: Path) -> float:
    """Plain batched INSERTs of the same rows: the floor any importer pays for storage."""
    from sqlalchemy import insert

    from bot.storage import db
    from bot.storage.directory import organisation
    from bot.storage.models import Feedback

    engine = db.create_engine_for(url)
    sessions = db.session_factory(engine)
    async with sessions() as session, session.begin():
        org = (await organisation(session)).id
    began = time.perf_counter()
    now = dt.datetime.now(dt.UTC)
    batch: list[dict[str, object]] = []
    with path.open(newline="", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            batch.append(
                {
                    "org_id": org,
                    "received_at": dt.datetime.strptime(row["date"], "%Y-%m-%d %H:%M:%S %z"),
                    "source": "bench",
                    "text": row["text"],
                    "redacted": row["text"],
                    "score": float(row["score"]),
                    "segment": row["segment"],
                    "external_id": row["id"],
                    "dedupe_key": "x:" + row["id"],
                    "created_at": now,
                }
            )
            if len(batch) == 1000:
                async with sessions() as session, session.begin():
                    await session.execute(insert(Feedback), batch)
                batch = []
    if batch:
        async with sessions() as session, session.begin():
            await session.execute(insert(Feedback), batch)
    elapsed = time.perf_counter() - began
    await engine.dispose()
    return elapsed


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the helper)."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def child(kind: str, database: str, path: Path) -> None:
    with fresh_database(database, path.parent) as url:
        before = cpu_seconds()
        elapsed = asyncio.run(ours(url, path) if kind == "ours" else baseline(url, path))
        cpu = cpu_seconds() - before
    helper_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {"seconds": elapsed, "cpu": cpu, "peak_mb": peak_rss_mb(), "helper_mb": helper_mb}
        )
    )


def file_digest(path: Path) -> str:
    # Hashed in chunks: a child process starts with its parent's peak memory on record, so
    # the parent must stay small.
    sha = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()[:12]


def measure_row(database: str, size: int, path: Path, digest: str) -> dict[str, object]:
    """Import ``path`` both ways, each in a process of its own; prints the row."""
    measured = {
        kind: run_child(__spec__.name, kind, database, str(path)) for kind in ("baseline", "ours")
    }
    ours = round(size / measured["ours"]["seconds"])
    baseline = round(size / measured["baseline"]["seconds"])
    row: dict[str, object] = {
        "database": database,
        "rows": size,
        "file": digest,
        "ours_rows_per_s": ours,
        "baseline_rows_per_s": baseline,
        "ours_peak_mb": round(measured["ours"]["peak_mb"], 1),
        "ours_helper_peak_mb": round(measured["ours"]["helper_mb"], 1),
        "baseline_peak_mb": round(measured["baseline"]["peak_mb"], 1),
        "ours_cpu_us_per_row": round(measured["ours"]["cpu"] / size * 1e6, 1),
        "baseline_cpu_us_per_row": round(measured["baseline"]["cpu"] / size * 1e6, 1),
        "ratio": round(ours / baseline, 2),
    }
    helper = measured["ours"]["helper_mb"]
    print(
        f"{database:9} {size:>9,} rows  ours {ours:>7,} rows/s "
        f"(peak {measured['ours']['peak_mb']:.0f} MB"
        + (f" + helper {helper:.0f} MB" if helper else "")
        + f", CPU {row['ours_cpu_us_per_row']} µs/row)  baseline {baseline:>7,} rows/s "
        f"(peak {measured['baseline']['peak_mb']:.0f} MB, CPU {row['baseline_cpu_us_per_row']} "
        f"µs/row)  ratio {ours / baseline:.2f}",
        flush=True,
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--child", nargs=3, metavar=("KIND", "DATABASE", "FILE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], Path(args.child[2]))
        return

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"feedback-{size}.csv"
            generate(path, size)
            digest = file_digest(path)
            for database in args.databases.split(","):
                results.append(measure_row(database, size, path, digest))
    print(
        json.dumps(
            {"benchmark": "import", "target": "ratio >= 0.6, flat peak memory", "results": results}
        )
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
