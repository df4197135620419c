"""Several writers on one database: crawls, the alert job and readers never fail on a lock."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from config import load_config
from crawler.locks import source_lock
from crawler.siteserver import SiteServer
from pipelines.alerts.delivery import deliver_pending
from pipelines.alerts.recording import match_new_articles, register_watches
from pipelines.storage.database import open_database
from tests.helpers import Daemon, newswatch_command, run_newswatch, wait_for
from tests.receivers import Receiver, free_port
from tests.sites import generate_site, generated_source, write_config

pytestmark = pytest.mark.e2e

CRAWLS = 8
PER_FEED = 30


def _feeds(root, base_count: int) -> None:
    """Feed k lists its own 30 stories and the first story of feed k + 1 (a copy another
    crawl fetches at the same moment: a sighting written beside that crawl's article)."""
    for k in range(CRAWLS):
        own = range(k * PER_FEED, (k + 1) * PER_FEED)
        shared = ((k + 1) % CRAWLS) * PER_FEED
        items = "".join(
            f"<item><title>Story {n}</title><link>{{{{BASE}}}}/news/story-{n}</link></item>"
            for n in [*own, shared]
        )
        (root / f"feed-{k}.xml").write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>F{k}</title>'
            f"<link>{{{{BASE}}}}/</link>{items}</channel></rss>",
            encoding="utf-8",
        )


def test_eight_crawls_at_once_and_the_alert_job_never_fail_on_a_lock(tmp_path):
    generate_site(tmp_path / "site", CRAWLS * PER_FEED)
    _feeds(tmp_path / "site", CRAWLS * PER_FEED)
    receiver = Receiver(free_port()).start()
    try:
        with SiteServer(tmp_path / "site") as server:
            sources = "".join(
                f'[[source]]\nname = "s{k}"\nfeeds = ["{server.base}/feed-{k}.xml"]\n\n'
                for k in range(CRAWLS)
            )
            config_dir = write_config(tmp_path / "cfg", sources, "[extract]\nworkers = 1\n")
            (config_dir / "watchlist.toml").write_text(
                f'[[watch]]\nname = "harbour"\nnotify = ["json://127.0.0.1:{receiver.port}/hook"]\n'
            )
            config = load_config(config_dir)
            db = open_database(config.storage.database)  # the daemon's busy timeout (5 s)
            register_watches(db, config.watches, "2000-01-01T00:00:00+00:00")

            # The daemon's alert job, as often as it can run, beside the crawls.
            lock_errors: list[str] = []
            done = threading.Event()

            def alert_job() -> None:
                job_db = open_database(config.storage.database)
                while not done.is_set():
                    now = datetime.now(UTC)
                    try:
                        match_new_articles(job_db, config.watches, now=now.isoformat())
                        deliver_pending(job_db, config.watches, now=now, retry=(1, 2))
                    except sqlite3.OperationalError as exc:
                        lock_errors.append(str(exc))
                    time.sleep(0.05)
                job_db.close()

            job = threading.Thread(target=alert_job)
            job.start()
            crawls = [
                subprocess.Popen(
                    [*newswatch_command(), "--log-format", "json"]
                    + ["--config", str(config_dir), "crawl", f"s{k}"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for k in range(CRAWLS)
            ]
            outputs = [proc.communicate(timeout=300)[1] for proc in crawls]
            done.set()
            job.join(timeout=60)
            # One last turn, as the daemon's next one would.
            match_new_articles(db, config.watches, now=datetime.now(UTC).isoformat())
            deliver_pending(db, config.watches, now=datetime.now(UTC), retry=(1, 2))
    finally:
        receiver.stop()

    for k, (proc, stderr) in enumerate(zip(crawls, outputs, strict=True)):
        assert proc.returncode == 0, f"crawl s{k}: {stderr[-2000:]}"
        assert "locked" not in stderr, f"crawl s{k}: {stderr[-2000:]}"
    assert lock_errors == []

    runs = db.execute("SELECT source, status, reason FROM crawl_runs ORDER BY source").fetchall()
    assert runs == [(f"s{k}", "finished", None) for k in range(CRAWLS)]
    # Every story stored once, each shared one also seen at its second feed's crawl.
    assert db["articles"].count == CRAWLS * PER_FEED
    listed = db.execute(
        "SELECT count(*) FROM pages WHERE kind = 'article' AND outcome IN ('stored', 'duplicate')"
    ).fetchone()[0]
    assert listed == CRAWLS * PER_FEED
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # Every alert created was delivered once.
    alerts = db.execute("SELECT count(*), sum(status = 'delivered') FROM alerts").fetchone()
    assert alerts[0] > 0 and alerts[0] == alerts[1] == len(receiver.messages)
    db.close()


def test_a_source_being_crawled_is_left_to_that_crawl(tmp_path):
    """The crawl of a source holds its lock (here the test holds it): another crawl of the
    source says it is busy and exits 75 without a run; the other sources are crawled."""
    with generated_source(tmp_path, 5) as (server, config_dir, _):
        sources = config_dir / "sources.toml"
        sources.write_text(
            sources.read_text()
            + f'\n[[source]]\nname = "other"\nfeeds = ["{server.base}/feed.xml"]\n'
        )
        database = load_config(config_dir).storage.database
        held = source_lock(database, "gen")
        held.acquire()
        try:
            alone = run_newswatch("--config", str(config_dir), "crawl", "gen")
            assert alone.returncode == 75, alone.stderr[-2000:]
            assert f"busy: gen (another crawl of this source is running (pid {os.getpid()}))" in (
                alone.stderr
            )
            both = run_newswatch("--config", str(config_dir), "crawl")
            assert both.returncode == 0, both.stderr[-2000:]
            assert "busy" in both.stdout
        finally:
            held.release()
        db = open_database(database)
        assert db.execute("SELECT source, status FROM crawl_runs").fetchall() == [
            ("other", "finished")
        ]
        again = run_newswatch("--config", str(config_dir), "crawl", "gen")
        assert again.returncode == 0, again.stderr[-2000:]
        assert db.execute("SELECT status FROM crawl_runs WHERE source = 'gen'").fetchall() == [
            ("finished",)
        ]


def test_a_crawl_outliving_its_daemon_stops_by_itself(tmp_path):
    """A daemon killed with SIGKILL leaves its crawl (its own session) running: the crawl
    sees its daemon gone and stops in good order, and the next daemon's crawl of the
    source starts only after it ended."""
    with generated_source(
        tmp_path,
        40,
        crawl="concurrency_per_domain = 1\n[daemon]\n"
        'jitter = "0s"\nstop_grace = "10s"\nalert_interval = "1h"\n',
        source='schedule = "2s"\n',
    ) as (server, config_dir, _):
        server.delay = 0.5  # 40 pages one at a time: 20 s or more
        database = load_config(config_dir).storage.database
        first = Daemon(config_dir)
        wait_for(lambda: first.events("crawl_started"), what="the first daemon's crawl")
        crawl_pid = first.events("crawl_started")[0]["pid"]
        wait_for(lambda: _stored(database) >= 2, what="the crawl to store articles")
        first.proc.kill()
        first.proc.wait(timeout=30)
        wait_for(lambda: not _alive(crawl_pid), timeout=60, what="the orphaned crawl to stop")
        second = Daemon(config_dir)
        try:
            wait_for(lambda: _stored(database) == 40, timeout=120, what="every article")
        finally:
            code, err = second.stop()
        assert code == 0, err[-3000:]
        db = open_database(database)
        runs = db.execute("SELECT status, reason, started, finished FROM crawl_runs ORDER BY id")
        first_run, *later = runs.fetchall()
        assert first_run[:2] == ("interrupted", "the daemon that started it stopped")
        assert all(first_run[3] <= run[2] for run in later), "one crawl of the source at a time"


def test_the_daemon_waits_for_a_crawl_left_running_and_ends_its_run(tmp_path):
    """A crawl process of the source still holds its lock when the daemon starts (here a
    stand-in, killed by the test): the daemon waits for it, ends the run it left running
    as killed, then crawls."""
    with generated_source(
        tmp_path, 3, crawl='[daemon]\njitter = "0s"\n', source='schedule = "1h"\n'
    ) as (server, config_dir, _):
        database = load_config(config_dir).storage.database
        open_database(database).close()
        stand_in = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys, time\n"
                "from pathlib import Path\n"
                "from crawler.locks import source_lock\n"
                "from pipelines.storage.database import open_database\n"
                "from pipelines.storage.writer import Store\n"
                f"lock = source_lock(Path({str(database)!r}), 'gen')\n"
                "lock.acquire()\n"
                f"store = Store(open_database({str(database)!r}))\n"
                "store.start_run('gen', now='2026-11-30T00:00:00+00:00', pid=0)\n"
                "print('ready', flush=True)\n"
                "time.sleep(120)\n",
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parent.parent,
        )
        assert stand_in.stdout.readline().strip() == "ready"
        daemon = Daemon(config_dir)
        try:
            wait_for(lambda: daemon.events("crawl_leftover"), what="the leftover to be seen")
            assert daemon.events("crawl_leftover")[0]["pid"] == stand_in.pid
            time.sleep(2)
            assert not daemon.events("crawl_started"), "no second crawl of the source"
            stand_in.kill()
            stand_in.wait(timeout=30)
            wait_for(lambda: daemon.events("crawl_finished"), timeout=90, what="its own crawl")
        finally:
            stand_in.kill()
            code, err = daemon.stop()
        assert code == 0, err[-3000:]
        db = open_database(database)
        runs = db.execute("SELECT status, reason FROM crawl_runs ORDER BY id").fetchall()
        assert runs == [
            ("killed", "a crawl left by a daemon that died; it did not finish"),
            ("finished", None),
        ]


def _stored(database) -> int:
    try:
        db = open_database(database, migrate=False)
    except Exception:
        return 0
    try:
        return db["articles"].count if db["articles"].exists() else 0
    finally:
        db.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (its parent died; init reaps it) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False
