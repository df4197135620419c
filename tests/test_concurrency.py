"""Several writers on one database: crawls, the alert job and readers never fail on a lock."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
import time
from datetime import UTC, datetime

from config import load_config
from crawler.siteserver import SiteServer
from pipelines.alerts import deliver_pending, match_new_articles, register_watches
from pipelines.storage import open_database
from tests.conftest import newswatch_command
from tests.receivers import Receiver, free_port
from tests.sites import generate_site, write_config

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
