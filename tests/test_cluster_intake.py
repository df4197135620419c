"""The daemon's intake of the workers' stream, against a real redis-server and a real
SQLite file: every page stored once, whatever is delivered twice, read again after a
crash or refused."""

from __future__ import annotations

import resource
import threading
import time

import pytest
import redis

from config import load_config
from crawler.cluster.entries import GROUP, dropped_entry, end_entry, page_entry, stream_key
from crawler.cluster.intake import CONSUMER, Intake
from crawler.demo import DEMO_SITE, write_demo_config
from crawler.items import ArticlePage, FailedPage
from pipelines.extract import Article, Skipped, examine_page
from pipelines.extract_pipeline import NotAnArticle
from pipelines.storage.database import open_database
from pipelines.storage.runs import begin_run, read_run
from tests.helpers import extracted_page, wait_for

pytestmark = pytest.mark.e2e  # a redis-server per test process

STREAM = stream_key("newswatch")
BASE = "http://ledger.test"


def ledger_pages() -> list[ArticlePage]:
    """The demo's Ledger articles as a worker's extraction hands them on."""
    pages = []
    for path in sorted((DEMO_SITE / "ledger" / "news" / "2026").rglob("*.html")):
        url = f"{BASE}/{path.relative_to(DEMO_SITE / 'ledger')}"
        body = path.read_bytes()
        page = ArticlePage(url, "ledger", 200, body, "text/html", "2026-11-30T10:00:00+00:00")
        page.article = examine_page(body, url, presented_by="feed")
        assert isinstance(page.article, Article), url
        pages.append(page)
    return pages


@pytest.fixture
def setup(tmp_path, redis_url):
    config_dir = write_demo_config(tmp_path / "config", BASE).directory
    config = load_config(config_dir)
    db = open_database(config.storage.database)
    run_id = begin_run(db, "ledger", now="2026-11-30T10:00:00+00:00")
    db.close()
    client = redis.Redis.from_url(redis_url)
    yield config, client, run_id
    client.close()


class Running:
    """An intake reading the stream in a thread, as the daemon runs it."""

    def __init__(self, config, client) -> None:
        self.ended: list[tuple[str, int]] = []
        self.intake = Intake(config, client, STREAM, lambda s, r: self.ended.append((s, r)))
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.intake.run, args=(self.stopping, 200))

    def __enter__(self) -> Running:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.thread.join(30)


def send(client, *entries) -> None:
    for fields in entries:
        client.xadd(STREAM, fields)


def stored(config) -> dict:
    db = open_database(config.storage.database)
    try:
        return {
            "articles": db["articles"].count,
            "sightings": db["sightings"].count,
            "pages": db["pages"].count,
            "outcomes": db.execute("SELECT url, outcome FROM pages ORDER BY url").fetchall(),
            "duplicates": db.execute("SELECT sum(duplicates) FROM crawl_runs").fetchone()[0],
        }
    finally:
        db.close()


def test_a_worker_run_is_stored_once_and_ends_with_its_figures_and_worker(setup):
    config, client, run_id = setup
    pages = ledger_pages()
    login = ArticlePage(f"{BASE}/account/login.html", "ledger", 200, b"<p>", "text/html", "t")
    gone = FailedPage(f"{BASE}/news/gone.html", "ledger", "article", "HTTP 404", "t", status=404)
    send(client, *(page_entry(p, run_id) for p in pages))
    send(client, dropped_entry(login, NotAnArticle(Skipped("login_page")), run_id))
    send(client, page_entry(gone, run_id))
    send(client, end_entry(run_id, "finished", {"downloader/response_bytes": 1234}, "w1@box"))
    with Running(config, client) as running:
        wait_for(lambda: running.ended, 60, "the run's end")
    assert running.ended == [("ledger", run_id)]
    assert stored(config)["articles"] == len(pages)
    db = open_database(config.storage.database)
    run = read_run(db, run_id)
    assert (run["status"], run["worker"], run["articles_new"]) == ("finished", "w1@box", len(pages))
    assert (run["skipped"], run["errors"], run["bytes"]) == (1, 1, 1234)
    outcomes = dict(db.execute("SELECT url, outcome FROM pages WHERE run_id = ?", [run_id]))
    assert outcomes[login.url] == "skipped" and outcomes[gone.url] == "failed"
    assert client.xlen(STREAM) == 0  # acknowledged and deleted once committed
    assert client.xpending(STREAM, GROUP)["pending"] == 0


def test_entries_delivered_twice_change_nothing(setup):
    config, client, run_id = setup
    pages = ledger_pages()
    entries = [page_entry(p, run_id) for p in pages]
    send(client, *entries, end_entry(run_id, "finished", {}, "w1"))
    with Running(config, client) as running:
        wait_for(lambda: running.ended, 60, "the run's end")
        first = stored(config)
        # A redelivered task sends its pages again, and its end.
        send(client, *entries, end_entry(run_id, "finished", {}, "w2"))
        wait_for(lambda: len(running.ended) == 2, 60, "the second end")
    assert stored(config) == first
    db = open_database(config.storage.database)
    assert read_run(db, run_id)["articles_new"] == len(pages)


def test_entries_read_but_not_acknowledged_by_a_dead_daemon_are_stored_on_restart(setup):
    config, client, run_id = setup
    pages = ledger_pages()
    send(client, *(page_entry(p, run_id) for p in pages), end_entry(run_id, "finished", {}, "w"))
    client.xgroup_create(STREAM, GROUP, id="0")
    # The daemon read them, then died before its commit: they stay pending, its own.
    read = client.xreadgroup(GROUP, CONSUMER, {STREAM: ">"}, count=3)
    assert len(read[0][1]) == 3
    with Running(config, client) as running:
        wait_for(lambda: running.ended, 60, "the run's end")
    assert stored(config)["articles"] == len(pages)
    assert client.xpending(STREAM, GROUP)["pending"] == 0


def test_an_entry_no_worker_wrote_is_refused_and_the_rest_stored(setup, capfd):
    config, client, run_id = setup
    pages = ledger_pages()
    send(client, {"v": "1", "kind": "page", "run": str(run_id), "data": "{oops"})
    send(client, page_entry(pages[0], run_id + 100))  # a run nobody began
    stranger = ArticlePage(f"{BASE}/x.html", "courier", 200, b"", None, "t")
    stranger.article = pages[1].article
    send(client, page_entry(stranger, run_id))  # another source's page in this run
    send(client, page_entry(pages[0], run_id), end_entry(run_id, "finished", {}, "w"))
    with Running(config, client) as running:
        wait_for(lambda: running.ended, 60, "the run's end")
    assert stored(config)["articles"] == 1
    assert client.xlen(STREAM) == 0


def test_redis_going_away_is_waited_out(setup, redis_server):
    config, client, run_id = setup
    pages = ledger_pages()
    with Running(config, client) as running:
        send(client, page_entry(pages[0], run_id))
        wait_for(lambda: stored(config)["articles"] == 1, 60, "the first article")
        redis_server.stop()
        threading.Event().wait(2)
        redis_server.start()
        send(client, page_entry(pages[1], run_id), end_entry(run_id, "finished", {}, "w"))
        wait_for(lambda: running.ended, 90, "the run's end after the restart")
    assert stored(config)["articles"] == 2


def distinct_pages(count: int) -> list[ArticlePage]:
    """`count` articles of different texts, as a worker's extraction hands them on."""
    return [
        extracted_page(
            f"{BASE}/news/gen-{n}.html",
            " ".join(f"word{n}x{k} story{k % 7}" for k in range(200)),
            f"Story {n}",
        )
        for n in range(count)
    ]


def read_entries(client) -> int:
    """Entries the intake has read and not yet acknowledged (0 before it made its group)."""
    try:
        return client.xpending(STREAM, GROUP)["pending"]
    except redis.ResponseError:
        return 0


def test_a_full_disk_stops_storing_loses_nothing_and_stores_all_once_there_is_room(setup):
    """Writes past a file-size limit fail as on a full disk, here in the middle of a batch
    (the store commits every 50 articles): nothing read is acknowledged until it is stored."""
    config, client, run_id = setup
    pages = distinct_pages(80)
    send(client, *(page_entry(p, run_id) for p in pages), end_entry(run_id, "finished", {}, "w"))
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, hard))  # this process's writes only
    try:
        with Running(config, client) as running:
            wait_for(lambda: read_entries(client) > 0, 60, "entries read")
            time.sleep(1.0)
            assert stored(config)["articles"] == 0, "the limit did not stop the commit"
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
            wait_for(lambda: running.ended, 60, "the run's end once there is room")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert running.ended == [("ledger", run_id)]
    assert stored(config)["articles"] == len(pages)
    db = open_database(config.storage.database)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert read_run(db, run_id)["articles_new"] == len(pages)
    assert client.xlen(STREAM) == 0


def test_an_error_after_a_run_s_end_is_logged_and_the_intake_goes_on(setup):
    """What the daemon does when a run ends (health, alerts) failing is a bug of ours: said,
    and the next runs are still stored."""
    config, client, run_id = setup
    pages = ledger_pages()
    db = open_database(config.storage.database)
    second = begin_run(db, "ledger", now="2026-11-30T11:00:00+00:00")
    db.close()
    ended = []

    def on_run_end(source, run):
        ended.append(run)
        if len(ended) == 1:
            raise RuntimeError("the alerts could not be matched")

    send(client, page_entry(pages[0], run_id), end_entry(run_id, "finished", {}, "w"))
    running = Running(config, client)
    running.intake.on_run_end = on_run_end  # before its thread starts
    with running:
        wait_for(lambda: ended, 60, "the first run's end")
        send(client, page_entry(pages[1], second), end_entry(second, "finished", {}, "w"))
        wait_for(lambda: second in ended, 60, "the second run's end")
    assert stored(config)["articles"] == 2
