"""The cluster end to end: the daemon and `newswatch worker`s as real subprocesses, a real
redis-server, the demo site on 127.0.0.1 and a real webhook. Everything is stored once and
alerted once, whoever crawled it and whoever died on the way."""

from __future__ import annotations

import json
import re
import signal
import sqlite3
from pathlib import Path
from urllib.request import urlopen

import pytest

from crawler.cluster.entries import stream_key
from tests.helpers import (
    Daemon,
    Worker,
    assert_gone,
    descendants,
    run_newswatch,
    wait_for,
    write_daemon_config,
)
from tests.receivers import Receiver, free_port

pytestmark = pytest.mark.e2e

# What a local crawl of the demo site stores: every article of both publications once.
WANTED_ALERTS = {"Sergei Lavrov", "Khaled Meshal", "John Kerry"}


def cluster_config(
    tmp_path: Path, base: str, notify: str, broker: str, cluster: str = "", **daemon: str
) -> Path:
    config_dir = write_daemon_config(tmp_path / "cfg", base, notify, **daemon)
    (config_dir / "sources.toml").write_text(
        f'[[source]]\nname = "ledger"\nfeeds = ["{base}/ledger/feeds/rss.xml"]\n'
        'schedule = "3s"\n\n'
        f'[[source]]\nname = "courier"\nfeeds = ["{base}/courier/feeds/atom.xml"]\n'
        f'sitemaps = ["{base}/courier/sitemap.xml"]\nschedule = "3s"\n'
    )
    with (config_dir / "settings.toml").open("a", encoding="utf-8") as settings:
        settings.write(f'\n[cluster]\nbroker = "{broker}"\n{cluster}')
    return config_dir


def database(config_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(config_dir / "data" / "newswatch.db")


def worker_runs(config_dir: Path) -> dict[str, set[str]]:
    """Sources -> the workers that finished a run of them."""
    try:
        with database(config_dir) as db:
            rows = db.execute(
                "SELECT source, worker FROM crawl_runs WHERE status = 'finished' "
                "AND worker IS NOT NULL"
            ).fetchall()
    except sqlite3.Error:
        return {}
    runs: dict[str, set[str]] = {}
    for source, worker in rows:
        runs.setdefault(source, set()).add(worker)
    return runs


def stored_once(config_dir: Path, local: dict[str, int]) -> None:
    """The same articles as a local crawl of the same site, each once."""
    with database(config_dir) as db:
        urls = [url for (url,) in db.execute("SELECT url FROM articles")]
        by_source = dict(db.execute("SELECT source, count(*) FROM articles GROUP BY source"))
    assert len(urls) == len(set(urls))
    assert by_source == local


def alerted_once(config_dir: Path, receiver: Receiver) -> None:
    """Every alert delivered, each message once (one per watch and story)."""
    with database(config_dir) as db:
        alerts = db.execute("SELECT id, status FROM alerts").fetchall()
    assert alerts and all(status == "delivered" for _, status in alerts), alerts
    assert sorted(receiver.keys) == sorted(f"alert-{alert_id}" for alert_id, _ in alerts)


@pytest.fixture
def local_counts(tmp_path, demo_server) -> dict[str, int]:
    """What `newswatch crawl` on this machine stores from the demo site, by source."""
    config_dir = cluster_config(tmp_path / "local", demo_server.base, "json://127.0.0.1:9/x", "")
    settings = config_dir / "settings.toml"
    settings.write_text(settings.read_text().split("\n[cluster]")[0])
    crawled = run_newswatch("--config", str(config_dir), "crawl", timeout=300)
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    with database(config_dir) as db:
        return dict(db.execute("SELECT source, count(*) FROM articles GROUP BY source"))


def test_a_daemon_and_two_workers_store_and_alert_everything_once(
    tmp_path, demo_server, redis_url, local_counts
):
    receiver = Receiver(free_port()).start()
    notify = f"json://127.0.0.1:{receiver.port}/hook"
    config_dir = cluster_config(tmp_path, demo_server.base, notify, redis_url)
    workers = [
        Worker(config_dir, "--name", "w1@test", "--concurrency", "1"),
        Worker(config_dir, "--name", "w2@test", "--concurrency", "1"),
    ]
    metrics_port = free_port()
    daemon = Daemon(config_dir, "--metrics-port", str(metrics_port))
    try:
        wait_for(
            lambda: set(worker_runs(config_dir)) == {"ledger", "courier"},
            180,
            "a finished worker run of each source",
        )
        wait_for(lambda: WANTED_ALERTS <= set(receiver.watches_alerted()), 120, "the alerts")
        status = run_newswatch("--config", str(config_dir), "status", "--json")
        cluster = json.loads(status.stdout)["cluster"]
        assert {"w1@test", "w2@test"} <= set(cluster["workers"]), cluster
        metrics = urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=30).read().decode()
        assert re.search(r"^newswatch_cluster_workers 2\.0$", metrics, re.M), metrics
        assert re.search(r"^newswatch_cluster_queued \d", metrics, re.M)
        assert re.search(r"^newswatch_cluster_stream_lag \d", metrics, re.M)
        # Let a few more scheduled crawls run: they find nothing new.
        wait_for(lambda: len(daemon.events("crawl_finished")) >= 4, 180, "four worker runs")
    finally:
        code, err = daemon.stop()
        for worker in workers:
            worker.stop()
        receiver.stop()
    assert code == 0, err[-3000:]
    stored_once(config_dir, local_counts)
    alerted_once(config_dir, receiver)
    assert set(receiver.watches_alerted()) == WANTED_ALERTS  # never Joe Biden: teasers only
    assert all(e.get("worker") for e in daemon.events("crawl_finished"))


def test_a_daemon_killed_with_pages_in_the_stream_stores_them_when_it_starts_again(
    tmp_path, demo_server, redis_url, redis_server, local_counts
):
    receiver = Receiver(free_port()).start()
    notify = f"json://127.0.0.1:{receiver.port}/hook"
    config_dir = cluster_config(tmp_path, demo_server.base, notify, redis_url)
    daemon = Daemon(config_dir)
    wait_for(lambda: len(daemon.events("crawl_sent")) >= 2, 120, "both crawls sent")
    daemon.proc.kill()  # SIGKILL: nobody reads the stream now
    daemon.proc.wait(timeout=30)
    workers = [Worker(config_dir, "--name", "w1@test", "--concurrency", "1")]
    client = redis_server.client()
    try:
        wait_for(
            lambda: len(workers[0].events("crawl_task_finished")) >= 2,
            180,
            "the worker's two crawls",
        )
        assert client.xlen(stream_key("newswatch")) > 0  # sent, not yet stored
        daemon = Daemon(config_dir)
        wait_for(lambda: set(worker_runs(config_dir)) == {"ledger", "courier"}, 180, "stored")
        wait_for(lambda: WANTED_ALERTS <= set(receiver.watches_alerted()), 120, "the alerts")
    finally:
        code, err = daemon.stop()
        for worker in workers:
            worker.stop()
        receiver.stop()
        client.close()
    assert code == 0, err[-3000:]
    stored_once(config_dir, local_counts)
    alerted_once(config_dir, receiver)


def test_a_worker_killed_mid_crawl_loses_nothing_and_repeats_nothing(
    tmp_path, demo_server, redis_url, local_counts
):
    receiver = Receiver(free_port()).start()
    notify = f"json://127.0.0.1:{receiver.port}/hook"
    config_dir = cluster_config(
        tmp_path, demo_server.base, notify, redis_url, 'visibility_timeout = "10s"\n'
    )
    demo_server.delay = 0.4  # crawls of ten seconds or so: killed in the middle of one
    first = Worker(config_dir, "--name", "w1@test", "--concurrency", "1")
    daemon = Daemon(config_dir)
    second = None
    try:
        # Some of the first crawl's articles are stored: then its worker dies (SIGKILL, as
        # the OOM killer would), its crawl and extraction processes with it.
        wait_for(lambda: stored_articles(config_dir) >= 2, 180, "the first articles stored")
        tree = descendants(first.proc.pid)
        assert any(b"--to-stream" in cmdline(pid) for pid, _ in tree), "killed mid-crawl"
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(timeout=30)
        assert_gone(tree, timeout=30)
        demo_server.delay = 0.0
        second = Worker(config_dir, "--name", "w2@test", "--concurrency", "1")
        wait_for(
            lambda: set(worker_runs(config_dir)) == {"ledger", "courier"},
            300,
            "a finished run of each source, by the second worker",
        )
        wait_for(lambda: WANTED_ALERTS <= set(receiver.watches_alerted()), 120, "the alerts")
        # The run the first worker was crawling was handed to the second, which ended it.
        killed = {e["run_id"] for e in first.events("crawl_task_started")}
        wait_for(lambda: killed <= finished_by(config_dir, "w2@test"), 300, "the killed runs")
    finally:
        code, err = daemon.stop()
        if first.proc.poll() is None:
            first.proc.kill()
        if second is not None:
            second.stop()
        receiver.stop()
    assert code == 0, err[-3000:]
    stored_once(config_dir, local_counts)
    alerted_once(config_dir, receiver)


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # gone meanwhile
        return b""


def finished_by(config_dir: Path, worker: str) -> set[int]:
    with database(config_dir) as db:
        return {
            run_id
            for (run_id,) in db.execute(
                "SELECT id FROM crawl_runs WHERE status = 'finished' AND worker = ?", [worker]
            )
        }


def stored_articles(config_dir: Path) -> int:
    try:
        with database(config_dir) as db:
            return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0
