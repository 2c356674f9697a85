"""How long a ``waarom`` command takes to start, against a bare ``python -c pass``.

Each command runs in a fresh process, several times; the median wall time is reported, with
the peak memory of one run, and whether scikit-learn or scipy were loaded (they should be only
for commands that build a digest). ``waarom teams`` runs against a fresh migrated SQLite file.

    python -m tests.benchmarks.startup_bench [--runs 7] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.bench import fresh_database

# Runs the command in-process and then reports which heavy modules it loaded.
PROBE = (
    "import sys, resource;"
    "from bot.cli import app;"
    "exit_code = 0\n"
    "try:\n"
    "    app(sys.argv[1:], standalone_mode=False)\n"
    "except SystemExit as exc:\n"
    "    exit_code = exc.code or 0\n"
    "heavy = sorted(m for m in ('sklearn', 'scipy', 'numpy') if m in sys.modules)\n"
    "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
    "print('PROBE', ','.join(heavy) or '-', f'{rss:.0f}', file=sys.stderr)\n"
)


def _time(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, str]:
    """Median seconds of ``argv`` over ``runs`` fresh processes, and its last stderr."""
    took = []
    stderr = ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        took.append(time.perf_counter() - start)
        stderr = done.stderr
    return statistics.median(took), stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as workdir, fresh_database("sqlite", Path(workdir)) as url:
        env = {**os.environ, "DATABASE_URL": url}
        bare, _ = _time([sys.executable, "-c", "pass"], env, args.runs)
        results["python -c pass"] = {"seconds": round(bare, 3)}
        for command in (["--help"], ["teams"], ["status"]):
            took, _ = _time([sys.executable, "-m", "bot", *command], env, args.runs)
            _, probe = _time([sys.executable, "-c", PROBE, *command], env, 1)
            line = next((ln for ln in probe.splitlines() if ln.startswith("PROBE")), "PROBE ? ?")
            _, heavy, rss = line.split()
            results[f"waarom {' '.join(command)}"] = {
                "seconds": round(took, 3),
                "over_bare": round(took - bare, 3),
                "heavy_modules": heavy,
                "peak_rss_mb": float(rss) if rss != "?" else None,
            }
    width = max(len(name) for name in results)
    for name, figures in results.items():
        extra = ""
        if "over_bare" in figures:
            extra = (
                f"  (+{figures['over_bare']:.3f} s over bare python, "
                f"{figures['peak_rss_mb']:.0f} MB, heavy: {figures['heavy_modules']})"
            )
        print(f"{name:<{width}}  {figures['seconds']:.3f} s{extra}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
