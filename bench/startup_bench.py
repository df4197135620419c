"""Start-up benchmark: how long everyday commands take, and what each one imports.

    .venv/bin/python bench/startup_bench.py [--runs 7]

Runs the installed `newswatch` (next to `sys.executable`) on the demo's configuration
(built once with `newswatch demo`, in a temporary folder), each command `--runs` times,
and reports the median and the slowest wall time. Targets (issue 15): `--help` under
0.3 s and `status` under 0.6 s. It also checks, with `python -X importtime`, that a
command does not import what it never uses: `--help` nothing but click, `status` neither
Scrapy nor APScheduler, `crawl` not APScheduler or SQLAlchemy (the packages in
`sys.modules` when the command exits). Figures go to
bench/results/startup.json.
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

RESULTS = Path(__file__).parent / "results" / "startup.json"
TARGETS = {"--help": 0.3, "status": 0.6}
# Packages a command must not import: (command, forbidden top-level packages).
FORBIDDEN = {
    "--help": ("rich", "structlog", "sqlite_utils", "scrapy", "apscheduler", "trafilatura"),
    "status": ("scrapy", "twisted", "apscheduler", "sqlalchemy", "trafilatura", "numpy"),
    "crawl": ("apscheduler", "sqlalchemy"),
}


def newswatch() -> str:
    return str(Path(sys.executable).with_name("newswatch"))


def timed(args: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def imported(args: list[str]) -> set[str]:
    """The top-level packages a command has imported when it exits."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('MODULES', *sorted({n.split('.')[0] for n, m in "
        "sys.modules.items() if m is not None}), file=sys.stderr))\n"
        "from cli import main\n"
        "sys.argv[0] = 'newswatch'\n"
        "main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    marked = [line for line in result.stderr.splitlines() if line.startswith("MODULES ")]
    return set(marked[-1].split()[1:]) if marked else set()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [newswatch(), "demo", "--dir", f"{tmp}/demo"], capture_output=True, check=True
        )
        config = ["--config", f"{tmp}/demo/config"]
        commands = {
            "--help": ["--help"],
            "status": [*config, "status"],
            "sources": [*config, "sources"],
            "stats": [*config, "stats"],
            "search": [*config, "search", "Lavrov"],
        }
        report = {}
        for name, args in commands.items():
            times = timed([newswatch(), *args], options.runs)
            report[name] = {"median_s": statistics.median(times), "max_s": max(times)}
        # crawl: its imports only. The demo's site is gone: the crawl fails at once.
        checks = {"--help": ["--help"], "status": [*config, "status"]}
        checks["crawl"] = [*config, "crawl", "ledger"]
        problems = []
        for name, args in checks.items():
            found = imported(args) & set(FORBIDDEN[name])
            report.setdefault(name, {})["forbidden_imports"] = sorted(found)
            if found:
                problems.append(f"{name} imports {', '.join(sorted(found))}")
    print(f"{'command':10} {'median':>8} {'slowest':>8}  target")
    for name, figures in report.items():
        if "median_s" not in figures:
            continue
        target = TARGETS.get(name)
        verdict = (
            ""
            if target is None
            else f"< {target} s " + ("PASS" if figures["median_s"] < target else "FAIL")
        )
        print(f"{name:10} {figures['median_s']:7.3f}s {figures['max_s']:7.3f}s  {verdict}")
    print("imports:", "; ".join(problems) if problems else "none forbidden")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
