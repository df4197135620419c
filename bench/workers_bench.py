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

`workers`: the crawl benchmark's generated site (2,000 distinct news pages of 50-200 KB,
bench/newspages.py) served on 127.0.0.1 by a process of its own, dealt into four sources of 500
pages (a feed each). Runs a crawl of both with one `newswatch worker` and then, on a fresh
database, with two (each `--concurrency 1`, one extraction process per crawl, as a
machine each), with the daemon's link to the cluster (the intake, the writer) in this
process, as `newswatch run` has it. Pages/s = articles stored / seconds from sending
the crawls to storing their ends. Samples the resident memory of each worker's process
tree and of this process every second, and how busy the machine's CPUs were.

Each worker stands for a machine of its own: it and every process it starts are pinned
to one CPU (`sched_setaffinity`), the first worker to CPU 0, the second to CPU 1. The
site server, Redis and the daemon's side run on either CPU, as other machines would
carry them. Unpinned (`--no-pin`) on a 2-CPU machine, one worker with its crawl and
extraction processes already keeps both CPUs about 80% busy, so a second worker can add
little: that measures this machine, not the cluster.

Figures go to bench/results/workers.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from config import load_config  # noqa: E402
from config.logs import setup_logging  # noqa: E402
from crawler.cluster.entries import end_entry, page_entry, stream_key  # noqa: E402
from crawler.cluster.intake import Intake  # noqa: E402
from crawler.demo import write_demo_config  # noqa: E402
from pipelines.storage.database import open_database  # noqa: E402
from pipelines.storage.runs import begin_run, read_run  # noqa: E402
from tests.helpers import extracted_page  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "workers.json"
SOURCES = 4  # the site's pages, dealt into this many sources


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
        yield extracted_page(f"http://bench.test/news/{n}.html", text, f"Story {n}")


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
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="workers: let the workers' processes run on any CPU (by default each worker is "
        "pinned to a CPU of its own, standing for a machine of its own)",
    )
    options = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[options.part] = writer(options) if options.part == "writer" else workers(options)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))


class SiteProcess:
    """The site server in a process of its own, as the sites a cluster crawls are elsewhere:
    it neither shares this process's interpreter lock with the intake nor hides in its CPU
    time."""

    def __init__(self, root: Path) -> None:
        import subprocess

        code = (
            "import sys, threading\n"
            "from crawler.siteserver import SiteServer\n"
            "server = SiteServer(sys.argv[1]).start()\n"
            "print(server.base, flush=True)\n"
            "sys.stdin.read()\n"  # until the benchmark closes it, or ends
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        self.base = self.proc.stdout.readline().strip()
        if not self.base:
            raise SystemExit("the site server did not start")

    def __enter__(self) -> SiteProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def cpu_seconds() -> tuple[float, float]:
    """(busy, idle) CPU seconds of the whole machine so far, over all its CPUs."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:9]]  # to steal: guest is inside
    idle = values[3] + values[4]  # idle + iowait
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(values) - idle) / ticks, idle / ticks


def tree_cpu_s(root: int) -> float:
    """CPU seconds used so far by `root` and every process below it, the ended ones too
    (a reaped child's time is in its parent's cutime and cstime)."""
    from crawl_bench import descendants, process_table

    total = 0.0
    for pid in descendants(root, process_table()):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:  # gone since the listing
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


def thread_cpu_s(tid: int) -> float:
    """CPU seconds used so far by thread `tid` of this process: the intake's, which is the
    daemon's work here (this benchmark's own sampling runs on the main thread)."""
    stat = Path(f"/proc/self/task/{tid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_rss_mb(root: int) -> float:
    """Resident memory of `root` and every process below it."""
    from crawl_bench import descendants, process_table, rss_bytes

    return sum(rss_bytes(pid) or 0 for pid in descendants(root, process_table())) / 2**20


def crawl_with(
    count: int, feeds: list[str], server: SiteProcess, tmp: Path, redis_server, pin: bool
) -> dict:
    import subprocess

    from crawl_bench import newswatch_command

    from crawler.cluster.link import ClusterLink, cluster_state

    config_dir = Path(tmp) / f"config-{count}"
    config_dir.mkdir(parents=True)
    (config_dir / "settings.toml").write_text(
        '[storage]\ndatabase = "data/newswatch.db"\n\n'
        "[crawl]\ndelay = 0\nautothrottle = false\nconcurrency_per_domain = 16\n"
        "timeout = 30\n\n[extract]\nworkers = 1\n\n"
        f'[cluster]\nbroker = "{redis_server.url}"\n',
        encoding="utf-8",
    )
    (config_dir / "sources.toml").write_text(
        "".join(
            f'[[source]]\nname = "part{n}"\nfeeds = ["{server.base}/{feed}"]\nmax_pages = 2000\n\n'
            for n, feed in enumerate(feeds, start=1)
        ),
        encoding="utf-8",
    )
    (config_dir / "watchlist.toml").write_text("", encoding="utf-8")
    config = load_config(config_dir)
    open_database(config.storage.database).close()
    script = newswatch_command(config_dir)[0]
    procs = [
        subprocess.Popen(
            [script, "--config", str(config_dir), "-q", "worker", "--concurrency", "1",
             "--name", f"bench{n}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # A machine each: the worker and every process it starts on one CPU of its own.
            preexec_fn=(lambda cpu=n: os.sched_setaffinity(0, {cpu})) if pin else None,
        )
        for n in range(count)
    ]  # fmt: skip
    ended: list[int] = []
    link = ClusterLink(config, lambda source, run_id: ended.append(run_id))
    link.start()
    try:
        deadline = time.monotonic() + 120
        while len(cluster_state(config, link.client).workers) < count:
            if time.monotonic() > deadline:
                raise SystemExit("the workers did not come up within 120 s")
            time.sleep(0.5)
        started = time.perf_counter()
        busy_before = cpu_seconds()
        # CPU seconds of each part: the workers' trees, the daemon's side (the intake's
        # thread: it stores what the workers send), Redis and the site server.
        parts = {
            **{f"worker{n + 1}": proc.pid for n, proc in enumerate(procs)},
            "redis": redis_server.proc.pid,
            "site": server.proc.pid,
        }
        cpu_before = {name: tree_cpu_s(pid) for name, pid in parts.items()}
        cpu_before["daemon"] = thread_cpu_s(link.thread.native_id)
        for source in config.sources:
            link.send(config, source.name)
        memory: dict[str, list[float]] = {"intake": []}
        while len(ended) < len(config.sources):
            time.sleep(1.0)
            memory["intake"].append(round(rss_mb(), 1))
            for n, proc in enumerate(procs):
                memory.setdefault(f"worker{n + 1}", []).append(round(tree_rss_mb(proc.pid), 1))
            if time.perf_counter() - started > 1800:
                raise SystemExit("the crawls did not end within 30 minutes")
        seconds = time.perf_counter() - started
        busy, idle = (
            after - before for after, before in zip(cpu_seconds(), busy_before, strict=True)
        )
        cpu = {name: tree_cpu_s(pid) - cpu_before[name] for name, pid in parts.items()}
        cpu["daemon"] = thread_cpu_s(link.thread.native_id) - cpu_before["daemon"]
    finally:
        link.stop()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=120)
    db = open_database(config.storage.database)
    stored = db["articles"].count
    workers_seen = sorted({w for (w,) in db.execute("SELECT worker FROM crawl_runs")})
    db.close()
    return {
        "workers": count,
        "articles": stored,
        "seconds": round(seconds, 1),
        "pages_per_s": round(stored / seconds, 1),
        "crawled_by": workers_seen,
        # How much of the machine's CPUs was busy meanwhile (all processes): 1.0 is all.
        "cpu_busy_share": round(busy / (busy + idle), 2),
        # CPU milliseconds per article stored, by part.
        "cpu_ms_per_article": {name: round(1000 * s / stored, 2) for name, s in cpu.items()},
        "rss_mb_by_quarter": {
            name: [series[min(len(series) - 1, len(series) * q // 4)] for q in range(1, 5)]
            for name, series in memory.items()
            if series
        },
    }


def workers(options: argparse.Namespace) -> dict:
    from crawl_bench import default_out, ensure_site
    from newspages import make_story, rss_feed

    setup_logging(-1, "json", daemon=True)
    site = ensure_site(default_out(options.pages, 7), options.pages, 7)
    # Sources of equal size, SOURCES of them: the workers take them in turn, so neither waits
    # idle at the end while the other finishes a larger one.
    stories = [make_story(n, site.seed) for n in range(options.pages)]
    feeds = []
    for n in range(SOURCES):
        name = f"workers-bench-{n + 1}.xml"
        (site.root / name).write_text(rss_feed(stories[n::SOURCES]), encoding="utf-8")
        feeds.append(name)
    report = {}
    with tempfile.TemporaryDirectory() as tmp, SiteProcess(site.root) as server:
        redis_server = RedisServer(Path(tmp) / "redis")
        try:
            # Alternating, `--repeat` times: load from elsewhere on the machine moves both.
            for attempt in range(options.repeat):
                for count in (1, 2):
                    redis_server.client().flushall()
                    run = crawl_with(
                        count,
                        feeds,
                        server,
                        Path(tmp) / f"{attempt}",
                        redis_server,
                        options.pin,
                    )
                    report.setdefault(str(count), []).append(run)
                    print(
                        f"{count} worker(s): {run['articles']} articles in {run['seconds']} s = "
                        f"{run['pages_per_s']} pages/s, CPUs {run['cpu_busy_share']:.0%} busy; "
                        f"CPU ms/article {run['cpu_ms_per_article']}; "
                        f"RSS by quarter {run['rss_mb_by_quarter']}"
                    )
        finally:
            redis_server.close()
    one, two = (statistics.median(r["pages_per_s"] for r in report[k]) for k in ("1", "2"))
    report["speedup"] = round(two / one, 2)
    report["pinned"] = options.pin
    print(f"medians: one worker {one} pages/s, two {two}: {report['speedup']}x (target 1.6x)")
    return report


if __name__ == "__main__":
    main()
