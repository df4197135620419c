"""`newswatch worker` (issue 17, the worker side): real workers on a real redis-server crawl
a local site; the test plays the daemon (a run row, a snapshot, the task) and reads what the
workers send to the stream."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import redis
from sqlite_utils import Database

from config import load_config
from crawler.cluster.app import CRAWL_TASK, make_app
from crawler.cluster.broker import WORKERS_KEY
from crawler.cluster.entries import Entry, decode, stream_key
from crawler.cluster.snapshot import make_snapshot, snapshot_key
from crawler.demo import write_demo_config
from crawler.items import ArticlePage, FailedPage
from pipelines.clock import now_iso
from pipelines.storage.database import open_database
from pipelines.storage.runs import begin_run
from tests.helpers import (
    Worker,
    imported_by,
    log_events,
    run_newswatch,
    wait_for,
)


def cluster_config(tmp_path: Path, base: str, redis_url: str, **cluster: str) -> Path:
    config_dir = tmp_path / "config"
    write_demo_config(config_dir, base)
    extra = "".join(f'{key} = "{value}"\n' for key, value in cluster.items())
    with (config_dir / "settings.toml").open("a") as settings:
        settings.write(f'\n[cluster]\nbroker = "{redis_url}"\n{extra}')
    return config_dir


def dispatch(config_dir: Path, source: str) -> int:
    """What the daemon does for a scheduled crawl: the run's row, its snapshot, the task."""
    config = load_config(config_dir)
    db = open_database(config.storage.database)
    try:
        run_id = begin_run(db, source, now=now_iso())
    finally:
        db.close()
    snapshot = make_snapshot(config.storage.database, config.source(source))
    with redis.Redis.from_url(config.cluster.broker) as client:
        client.set(snapshot_key(run_id), snapshot, ex=600)
    app = make_app(config)
    app.send_task(CRAWL_TASK, kwargs={"source": source, "run_id": run_id})
    app.close()
    return run_id


def entries(redis_url: str, run_id: int, queue: str = "newswatch") -> list[Entry]:
    with redis.Redis.from_url(redis_url) as client:
        found = [decode(fields) for _, fields in client.xrange(stream_key(queue))]
    return [e for e in found if e.run_id == run_id]


def ended(redis_url: str, run_id: int) -> list[Entry]:
    return [e for e in entries(redis_url, run_id) if e.kind == "end"]


def article_urls(found: list[Entry]) -> set[str]:
    return {e.item.url for e in found if e.kind == "page" and isinstance(e.item, ArticlePage)}


@pytest.mark.e2e
def test_a_worker_crawls_the_site_into_the_stream_and_stays_incremental(
    tmp_path, demo_server, redis_url
):
    config_dir = cluster_config(tmp_path, demo_server.base, redis_url)
    worker = Worker(config_dir, "--name", "alpha@test", "--concurrency", "1")
    try:
        run_id = dispatch(config_dir, "ledger")
        wait_for(lambda: ended(redis_url, run_id), timeout=120, what="the run's end entry")
        first = entries(redis_url, run_id)
        (end,) = [e for e in first if e.kind == "end"]
        assert end.worker == "alpha@test" and end.reason == "finished", end
        assert end.stats["newswatch/duration"] > 0
        assert first[-1].kind == "end", "the end entry comes last"
        sent = article_urls(first)
        # Judged no article, or settled without fetching (robots.txt): skipped.
        dropped = {e.item.url for e in first if e.kind == "dropped"}
        dropped |= {e.item.url for e in first if isinstance(e.item, FailedPage) and e.item.settled}
        assert all(e.item.source == "ledger" for e in first if e.kind != "end")
        # Without [storage] archive_html the daemon keeps no article page's body: none is sent.
        assert not any(e.item.body for e in first if isinstance(e.item, ArticlePage))

        # The same site crawled here, into the database: the same article pages, the same
        # pages judged no article.
        done = run_newswatch("--config", str(config_dir), "crawl", "ledger")
        assert done.returncode == 0, done.stderr[-3000:]
        db = Database(config_dir / "data" / "newswatch.db")
        pages = list(db.query("SELECT url, outcome FROM pages WHERE kind = 'article'"))
        stored = {p["url"] for p in pages if p["outcome"] in ("stored", "duplicate")}
        skipped = {p["url"] for p in pages if p["outcome"] == "skipped"}
        assert len(sent) >= 5 and sent == stored, sent ^ stored
        assert dropped == skipped

        # A snapshot made after those pages were stored: nothing to fetch again.
        again = dispatch(config_dir, "ledger")
        wait_for(lambda: ended(redis_url, again), timeout=120, what="the second run's end")
        second = entries(redis_url, again)
        assert not article_urls(second), article_urls(second)
        assert not [e for e in second if e.kind == "dropped"]
        with redis.Redis.from_url(redis_url) as client:
            assert client.get(snapshot_key(run_id)) is None, "a finished run's snapshot is gone"
            wait_for(lambda: not client.keys("newswatch:lock:*"), what="the lock let go")
    finally:
        code, err = worker.stop()
    events = {e["event"] for e in log_events(err)}
    assert {"worker_started", "crawl_task_started", "crawl_task_finished"} <= events, events
    assert "Traceback" not in err, err[-3000:]


def intervals(worker: Worker) -> list[tuple[float, float]]:
    """(started, finished) of each crawl the worker ran, by the monotonic clock of its log."""
    from datetime import datetime

    def at(event: dict) -> float:
        return datetime.fromisoformat(event["timestamp"]).timestamp()

    starts = {e["run_id"]: at(e) for e in worker.events("crawl_task_started")}
    ends = {e["run_id"]: at(e) for e in worker.events("crawl_task_finished")}
    return [(starts[run], ends[run]) for run in starts if run in ends]


@pytest.mark.e2e
def test_two_workers_never_crawl_one_source_at_once_and_both_heartbeat(
    tmp_path, demo_server, redis_url
):
    config_dir = cluster_config(tmp_path, demo_server.base, redis_url)
    demo_server.delay = 0.3  # a crawl of some seconds
    workers = [
        Worker(config_dir, "--name", f"{name}@test", "--concurrency", "1")
        for name in ("alpha", "beta")
    ]
    try:
        with redis.Redis.from_url(redis_url) as client:
            wait_for(
                lambda: {b"alpha@test", b"beta@test"} <= set(client.zrange(WORKERS_KEY, 0, -1)),
                timeout=90,
                what="both workers' heartbeats",
            )
            beats = dict(client.zrange(WORKERS_KEY, 0, -1, withscores=True))
            assert all(abs(time.time() - t) < 30 for t in beats.values()), beats
        runs = [dispatch(config_dir, "ledger") for _ in range(2)]
        wait_for(
            lambda: all(ended(redis_url, run) for run in runs), timeout=240, what="both runs' ends"
        )
        wait_for(
            lambda: len([i for w in workers for i in intervals(w)]) == 2,
            what="both crawls logged as finished",
        )
        busy = [e for w in workers for e in w.events("crawl_task_busy")]
        assert busy, "the second task found the source's lock taken"
        crawls = sorted(i for w in workers for i in intervals(w))
        assert len(crawls) == 2, crawls
        assert crawls[0][1] <= crawls[1][0], f"two crawls of one source at once: {crawls}"
    finally:
        for worker in workers:
            worker.stop()


@pytest.mark.e2e
def test_without_a_broker_the_worker_says_what_to_set(demo_config):
    done = run_newswatch("--config", str(demo_config), "worker")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        'Error: no broker: set [cluster] broker = "redis://host:6379/0" in settings.toml'
    )


def test_an_unreachable_broker_is_one_line(tmp_path, demo_server):
    from tests.redis_server import free_port

    config_dir = cluster_config(tmp_path, demo_server.base, f"redis://127.0.0.1:{free_port()}/0")
    done = run_newswatch("--config", str(config_dir), "worker")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: cannot reach the broker redis://127.0.0.1:"), last


@pytest.mark.e2e
def test_without_a_cluster_crawl_and_status_import_neither_celery_nor_redis(demo_config):
    for args in (("crawl", "ledger"), ("status",)):
        modules = imported_by("--log-format", "json", "--config", str(demo_config), *args)
        assert "scrapy" in modules or args == ("status",), "the check sees imports"
        assert not {"celery", "kombu", "redis"} & modules, (args, modules)


def test_the_visibility_timeout_is_above_the_crawl_timeout_unless_set(tmp_path):
    from config import ConfigError
    from crawler.cluster.app import visibility_timeout

    config_dir = cluster_config(tmp_path, "http://127.0.0.1:1", "redis://127.0.0.1:6379/0")
    config = load_config(config_dir)
    assert visibility_timeout(config) == config.daemon.crawl_timeout + 300
    with (config_dir / "settings.toml").open("a") as settings:
        settings.write('visibility_timeout = "2h"\n')
    assert visibility_timeout(load_config(config_dir)) == 7200
    text = (config_dir / "settings.toml").read_text().replace('"2h"', '"5s"')
    (config_dir / "settings.toml").write_text(text)
    with pytest.raises(ConfigError, match=r"\[cluster\].*visibility_timeout.*at least 10"):
        load_config(config_dir)


@pytest.mark.e2e
def test_redis_stopped_mid_crawl_and_started_again_the_run_still_ends(
    tmp_path, demo_server, redis_server, redis_url
):
    config_dir = cluster_config(tmp_path, demo_server.base, redis_url, visibility_timeout="10s")
    demo_server.delay = 0.5
    worker = Worker(config_dir, "--name", "alpha@test", "--concurrency", "1")
    try:
        run_id = dispatch(config_dir, "ledger")
        wait_for(
            lambda: any(e.kind == "page" for e in entries(redis_url, run_id)),
            timeout=120,
            what="the first pages in the stream",
        )
        redis_server.stop()
        time.sleep(8)  # past a heartbeat
        redis_server.start()
        demo_server.delay = 0.0
        wait_for(lambda: ended(redis_url, run_id), timeout=300, what="the run's end")
        first = entries(redis_url, run_id)
        # Every article page of the site (the demo's ledger has 7): none left out.
        assert len(article_urls(first)) == 7, article_urls(first)
        # The worker is connected again: the next crawl runs.
        again = dispatch(config_dir, "ledger")
        wait_for(lambda: ended(redis_url, again), timeout=120, what="the next run's end")
    finally:
        code, err = worker.stop()
    events = {e["event"] for e in log_events(err)}
    assert {"worker_heartbeat_failed", "worker_heartbeat_resumed"} <= events, events


@pytest.mark.e2e
def test_a_crawl_that_cannot_reach_the_stream_stops_and_says_so(tmp_path, demo_server):
    """Redis gone for longer than [cluster] outage_wait: the crawl stops, logs why, and
    exits STREAM_EXIT, for its task to run again."""
    from crawler.cluster.stream import STREAM_EXIT
    from tests.redis_server import free_port

    config_dir = cluster_config(
        tmp_path, demo_server.base, f"redis://127.0.0.1:{free_port()}/0", outage_wait="3s"
    )
    snapshot = tmp_path / "snapshot.db"
    open_database(snapshot).close()
    done = run_newswatch(
        *("--config", str(config_dir), "crawl", "ledger"),
        *("--database", str(snapshot), "--to-stream", "7"),
        timeout=300,
    )
    assert done.returncode == STREAM_EXIT, done.stderr[-3000:]
    failed = [e for e in log_events(done.stderr) if e["event"] == "stream_failed"]
    assert len(failed) == 1 and failed[0]["run_id"] == 7, failed
    assert "Connection refused" in failed[0]["error"]
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith("Error: the stream could not be written: ConnectionError")
    )
    assert "Traceback" not in done.stderr
