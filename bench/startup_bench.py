"""Start-up benchmark: how long everyday commands take, and what each one imports.

    .venv/bin/python bench/startup_bench.py [--runs 7]

Runs the installed `newswatch` (next to `sys.executable`) on the demo's configuration
(built once with `newswatch demo`, in a temporary folder), each command `--runs` times,
and reports the median and the slowest wall time. Targets (issue 15): `--help` under
0.3 s and `status` under 0.6 s. `crawl` re-crawls the demo's sample site (served here)
once everything on it is stored: one feed fetched, nothing new, so it measures what every
crawl, and each crawl subprocess of the daemon, pays besides its pages. It also checks,
with `python -X importtime`, that a
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.demo import DEMO_SITE, write_demo_config  # noqa: E402
from crawler.siteserver import SiteServer  # noqa: E402
from tests.helpers import imported_by  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "startup.json"
TARGETS = {"--help": 0.3, "status": 0.6}
# Packages a command must not import: (command, forbidden top-level packages).
FORBIDDEN = {
    "--help": ("rich", "structlog", "sqlite_utils", "scrapy", "apscheduler", "trafilatura"),
    "status": (
        "scrapy",
        "twisted",
        "apscheduler",
        "sqlalchemy",
        "trafilatura",
        "numpy",
        "pandas",
        "celery",
        "redis",
    ),
    "crawl": ("apscheduler", "sqlalchemy", "celery", "redis", "pandas"),
}


def newswatch() -> str:
    return str(Path(sys.executable).with_name("newswatch"))


def timed(args: list[str], runs: int) -> dict[str, float]:
    """Median and slowest wall time, and median CPU time: the command's and that of the
    processes it waited for (its extraction workers), which load on the machine barely moves."""
    walls, cpus = [], []
    for _ in range(runs):
        started = time.perf_counter()
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        walls.append(time.perf_counter() - started)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            raise SystemExit(f"{' '.join(args)}: exit status {process.returncode}")
        cpus.append(usage.ru_utime + usage.ru_stime)
    return {
        "median_s": statistics.median(walls),
        "max_s": max(walls),
        "cpu_s": statistics.median(cpus),
    }


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
            report[name] = timed([newswatch(), *args], options.runs)
        with SiteServer(DEMO_SITE) as site:
            write_demo_config(Path(tmp, "site"), site.base)
            crawl = ["--config", f"{tmp}/site", "crawl", "ledger"]
            subprocess.run([newswatch(), *crawl], capture_output=True, check=True)
            report["crawl"] = timed([newswatch(), *crawl], options.runs)
            # With the site up: the crawl checked is one that runs.
            checks = {"--help": ["--help"], "status": [*config, "status"], "crawl": crawl}
            problems = []
            for name, args in checks.items():
                found = imported_by(*args) & set(FORBIDDEN[name])
                report.setdefault(name, {})["forbidden_imports"] = sorted(found)
                if found:
                    problems.append(f"{name} imports {', '.join(sorted(found))}")
    print(f"{'command':10} {'median':>8} {'slowest':>8} {'cpu':>8}  target")
    for name, figures in report.items():
        if "median_s" not in figures:
            continue
        target = TARGETS.get(name)
        verdict = (
            ""
            if target is None
            else f"< {target} s " + ("PASS" if figures["median_s"] < target else "FAIL")
        )
        print(
            f"{name:10} {figures['median_s']:7.3f}s {figures['max_s']:7.3f}s "
            f"{figures['cpu_s']:7.3f}s  {verdict}"
        )
    print("imports:", "; ".join(problems) if problems else "none forbidden")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
