"""Cluster benchmark (issue 17): the daemon's writer ceiling, and crawl throughput with
one worker against two.

    python bench/workers_bench.py writer [--articles 5000] 2>/dev/null
    python bench/workers_bench.py workers [--pages 2000] 2>/dev/null

The intake logs as the daemon does (a JSON line per article, on stderr): its cost counts.

`writer`: fills the stream with N article entries first (faster than any writer), then
lets the daemon's intake store them, as it does in `newswatch run`: decode, dedupe,
store, cluster, commit, acknowledge. Reports articles stored per second and the intake
process's resident memory sampled every 500 articles (flat means no leak per entry).
The articles are generated: distinct texts of 300-900 words, a fifth of them near
copies of earlier ones (so clustering does real work); no page body, as workers send
an article page's body only with [storage] archive_html (off by default).

`workers`: see its docstring below.

Figures go to bench/results/workers.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import load_config  # noqa: E402
from config.logs import setup_logging  # noqa: E402
from crawler.cluster.entries import end_entry, page_entry, stream_key  # noqa: E402
from crawler.cluster.intake import Intake  # noqa: E402
from crawler.demo import write_demo_config  # noqa: E402
from crawler.items import ArticlePage  # noqa: E402
from pipelines.extract import Article  # noqa: E402
from pipelines.neardup import signature  # noqa: E402
from pipelines.storage.database import open_database  # noqa: E402
from pipelines.storage.runs import begin_run, read_run  # noqa: E402
from pipelines.textnorm import text_hash  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "workers.json"


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def articles(count: int, rng: random.Random):
    words = [
        "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 9)))
        for _ in range(20_000)
    ]
    texts: list[str] = []
    for n in range(count):
        if texts and rng.random() < 0.2:
            base = rng.choice(texts).split()
            for _ in range(len(base) // 20):  # an edited copy: a twentieth of its words changed
                base[rng.randrange(len(base))] = rng.choice(words)
            text = " ".join(base)
        else:
            text = " ".join(rng.choices(words, k=rng.randint(300, 900)))
        texts.append(text)
        url = f"http://bench.test/news/{n}.html"
        page = ArticlePage(url, "ledger", 200, b"", "text/html", "2026-11-30T10:00:00+00:00")
        page.article = Article(
            url=url,
            text=text,
            title=f"Story {n}",
            word_count=len(text.split()),
            text_hash=text_hash(text),
            minhash=signature(text),
        )
        yield page


def writer(options: argparse.Namespace) -> dict:
    setup_logging(0, "json", daemon=True)
    with tempfile.TemporaryDirectory() as tmp:
        server = RedisServer(Path(tmp) / "redis")
        try:
            config = load_config(
                write_demo_config(Path(tmp) / "config", "http://bench.test").directory
            )
            db = open_database(config.storage.database)
            run_id = begin_run(db, "ledger", now="2026-11-30T10:00:00+00:00")
            db.close()
            client = server.client()
            stream = stream_key(config.cluster.queue)
            started = time.perf_counter()
            pipe = client.pipeline(transaction=False)
            for n, page in enumerate(articles(options.articles, random.Random(17)), start=1):
                pipe.xadd(stream, page_entry(page, run_id))
                if n % 100 == 0:
                    pipe.execute()
            pipe.xadd(stream, end_entry(run_id, "finished", {}, "bench"))
            pipe.execute()
            fill_s = time.perf_counter() - started
            ended = threading.Event()
            intake = Intake(config, client, stream, lambda s, r: ended.set())
            stopping = threading.Event()
            thread = threading.Thread(target=intake.run, args=(stopping,))
            memory = []
            started = time.perf_counter()
            thread.start()
            while not ended.wait(0.5):
                memory.append(round(rss_mb(), 1))
            drain_s = time.perf_counter() - started
            stopping.set()
            thread.join()
            db = open_database(config.storage.database)
            stored = read_run(db, run_id)["articles_new"]
            clusters = db.execute("SELECT count(DISTINCT cluster_id) FROM articles").fetchone()[0]
            db.close()
        finally:
            server.close()
    report = {
        "articles": options.articles,
        "stored": stored,
        "stories": clusters,
        "fill_s": round(fill_s, 2),
        "drain_s": round(drain_s, 2),
        "articles_per_s": round(stored / drain_s, 1),
        # The intake's resident memory at each quarter of the drain.
        "rss_mb_by_quarter": [
            memory[min(len(memory) - 1, len(memory) * q // 4)] for q in range(1, 5)
        ],
    }
    print(
        f"writer: {stored} articles stored in {drain_s:.1f} s = {stored / drain_s:.0f}/s "
        f"({clusters} stories); stream filled in {fill_s:.1f} s; "
        f"intake RSS by quarter {report['rss_mb_by_quarter']} MB"
    )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("part", choices=["writer", "workers"])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--pages", type=int, default=2000)
    options = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[options.part] = writer(options) if options.part == "writer" else workers(options)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))


def workers(options: argparse.Namespace) -> dict:
    raise SystemExit("not yet")


if __name__ == "__main__":
    main()
