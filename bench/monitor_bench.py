"""Monitoring benchmark: what `newswatch status` and a Prometheus scrape cost on a year of runs.

Writes a year of crawl history into a real newswatch database (`open_database`: schema,
indexes): S sources crawled every hour, each run with the figures a crawl records.
Then it times, over the whole database, what `newswatch status` computes (every
source's verdict and figures) and what one scrape of `run --metrics-port` collects
(the verdict again, plus the totals over every run), each the median of 5.

    python bench/monitor_bench.py                 # 50 sources x 365 days of hourly runs
    python bench/monitor_bench.py --sources 10 --days 30
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fingerprint import code_fingerprint  # noqa: E402

from config import Config, CrawlSettings, ExtractSettings, Source, StorageSettings  # noqa: E402
from pipelines.monitor.checks import source_health  # noqa: E402
from pipelines.monitor.metrics import NewswatchCollector  # noqa: E402
from pipelines.storage.database import open_database  # noqa: E402

RESULTS_FILE = Path(__file__).parent / "results" / "monitor.json"
TARGET_SECONDS = 1.0  # a status or a scrape a user (or Prometheus) would not wait on
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def build(path: Path, sources: int, days: int, seed: int) -> int:
    db = open_database(path)
    rng = random.Random(seed)
    rows = []
    for s in range(sources):
        rate = rng.uniform(0.5, 6)  # new articles an hour
        for hour in range(days * 24, 0, -1):
            started = NOW - timedelta(hours=hour)
            new = max(0, int(rng.gauss(rate, rate / 2)))
            failed = rng.random() < 0.02
            rows.append(
                {
                    "source": f"source-{s:02d}",
                    "started": started.isoformat(timespec="seconds"),
                    "finished": (started + timedelta(seconds=40)).isoformat(timespec="seconds"),
                    "status": "failed" if failed else "finished",
                    "pages_fetched": 0 if failed else new + 2,
                    "listings_read": 0 if failed else 1,
                    "articles_new": 0 if failed else new,
                    "errors": 1 if failed else 0,
                    "empty_extractions": 0 if failed else int(rng.random() < 0.2),
                    "bytes": (new + 1) * 120_000,
                    "duration": 40.0,
                    "http_errors": '{"500": 1}' if failed else None,
                }
            )
    with db.atomic():
        db["crawl_runs"].insert_all(rows, batch_size=5000)
    db.close()
    return len(rows)


def median_seconds(action, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "newswatch.db"
        runs = build(path, args.sources, args.days, args.seed)
        names = [f"source-{s:02d}" for s in range(args.sources)]
        config = Config(
            directory=Path(tmp),
            storage=StorageSettings(database=path),
            crawl=CrawlSettings(),
            extract=ExtractSettings(),
            sources=tuple(Source(name=n, feeds=("http://x/feed",)) for n in names),
        )
        db = open_database(path)
        verdicts = [h.verdict for h in source_health(db, config, names, now=NOW)]
        status_s = median_seconds(lambda: source_health(db, config, names, now=NOW))
        db.close()
        collector = NewswatchCollector(lambda: config)
        families = list(collector.collect())
        scrape_s = median_seconds(lambda: list(collector.collect()))
        size_mb = path.stat().st_size / 1e6
    passed = status_s < TARGET_SECONDS and scrape_s < TARGET_SECONDS
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_fingerprint": code_fingerprint(),
        "sources": args.sources,
        "days": args.days,
        "runs": runs,
        "database_mb": round(size_mb, 1),
        "status_seconds": round(status_s, 3),
        "scrape_seconds": round(scrape_s, 3),
        "metric_families": len(families),
        "verdicts": {v: verdicts.count(v) for v in sorted(set(verdicts))},
        "target_seconds": TARGET_SECONDS,
        "passed": passed,
    }
    print("newswatch monitoring benchmark")
    print(
        f"  history        {args.sources} sources x {args.days} days of hourly runs = "
        f"{runs:,} runs ({size_mb:.0f} MB)"
    )
    print(
        f"  status         {status_s * 1000:.0f} ms for every source's verdict and figures "
        "(median of 5)"
    )
    print(
        f"  metrics scrape {scrape_s * 1000:.0f} ms, {len(families)} metric families (median of 5)"
    )
    print(f"  verdicts       {report['verdicts']}")
    print(f"  target         each under {TARGET_SECONDS:.0f} s   {'PASS' if passed else 'FAIL'}")
    RESULTS_FILE.parent.mkdir(exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
