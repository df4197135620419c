"""End-to-end crawls: the real CLI against local HTTP servers, asserting what lands in SQLite."""

from __future__ import annotations

import json
import resource
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from sqlite_utils import Database

from config import load_config
from crawler.siteserver import SiteServer
from pipelines.storage.database import open_database
from tests.helpers import assert_gone, children, log_events, newswatch_command, run_newswatch
from tests.pages import ENGLISH, THAI, news_page
from tests.sites import generated_source, write_config

pytestmark = pytest.mark.e2e


def database(config_dir) -> Database:
    return Database(config_dir / "data" / "newswatch.db")


def crawl_ok(config_dir, *args: str):
    result = run_newswatch("--config", str(config_dir), "crawl", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_first_crawl_stores_each_golden_article_clean(demo_server, demo_config, golden):
    """Every article of the sample site is stored with its body and none of its boilerplate."""
    crawl_ok(demo_config)
    db = database(demo_config)
    base = demo_server.base
    articles = [page for page in golden if page["expect"] == "article"]
    assert len(articles) >= 10
    for page in articles:
        row = next(db["articles"].rows_where("url = ?", [base + page["path"]]), None)
        assert row is not None, f"not stored: {page['path']}"
        for sentence in page["must_contain"]:
            assert sentence in row["text"], f"{page['path']}: missing {sentence!r}"
        for boilerplate in page["must_not_contain"]:
            assert boilerplate not in row["text"], f"{page['path']}: kept {boilerplate!r}"
        assert row["title"] == page["title"], page["path"]
        assert row["source"] == page["source"]
        assert row["published"].startswith(page["published"]), (page["path"], row["published"])
        assert row["language"] == page["language"], page["path"]
        for author in page.get("authors", []):
            assert author in row["authors"], (page["path"], row["authors"])
    assert db["articles"].count == len(articles), "only the golden articles are stored"
    # Stories: an edited copy on another outlet shares its original's cluster, nothing else does.
    cluster = {row["url"].removeprefix(base): row["cluster_id"] for row in db["articles"].rows}
    stories = {page["path"]: page.get("same_story_as", page["path"]) for page in articles}
    for a in stories:
        for b in stories:
            assert (cluster[a] == cluster[b]) == (stories[a] == stories[b]), (a, b)
    assert len(set(stories.values())) < len(stories), "the sample site has a near-duplicate"


def test_seed_page_teasers_never_reach_the_text(demo_server, demo_config):
    crawl_ok(demo_config)
    row = next(database(demo_config)["articles"].rows_where("title LIKE 'Russian Foreign%'"))
    assert "Lavrov" in row["text"] and "John Kerry" in row["text"]
    for teaser_name in ("Biden", "Bernie Sanders", "Uvalde", "Kahane", "Click the alert icon"):
        assert teaser_name not in row["text"], teaser_name
    assert row["published"].startswith("2015-08-03"), "the date is the article's, not a teaser's"
    assert row["published_from"] == "json_ld"


def test_robots_tracking_links_duplicates_and_non_articles(demo_server, demo_config, golden):
    crawl_ok(demo_config)
    db = database(demo_config)
    base = demo_server.base
    requested = demo_server.paths()
    for page in golden:
        url = base + page["path"]
        outcome = db.execute("SELECT outcome, reason FROM pages WHERE url = ?", [url]).fetchone()
        if page["expect"] == "robots":
            assert page["path"] not in requested, "a page disallowed by robots.txt was fetched"
            assert outcome == ("skipped", "forbidden by robots.txt"), outcome
        elif page["expect"] == "duplicate":
            assert db["articles"].count_where("url = ?", [url]) == 0
            original = db.execute(
                "SELECT id FROM articles WHERE url = ?", [base + page["duplicate_of"]]
            ).fetchone()[0]
            sighting = db.execute(
                "SELECT article_id FROM sightings WHERE url = ?", [url]
            ).fetchone()
            assert sighting == (original,), "the syndicated copy is a sighting of the original"
            assert outcome[0] == "duplicate"
        elif page["expect"] == "not_article" and page["path"] in requested:
            assert db["articles"].count_where("url = ?", [url]) == 0
    assert not [p for p in requested if "utm_" in p or "fbclid" in p], "tracking link fetched"
    assert db.execute("SELECT count(*) FROM articles WHERE url LIKE '%utm_%'").fetchone()[0] == 0
    skipped = dict(db.execute("SELECT url, reason FROM pages WHERE outcome = 'skipped'").fetchall())
    assert any("listing_page" in (r or "") for r in skipped.values()), skipped
    runs = list(db["crawl_runs"].rows)
    assert {r["source"] for r in runs} == {"ledger", "courier"}
    assert all(r["status"] == "finished" and r["finished"] for r in runs), runs
    assert sum(r["articles_new"] for r in runs) == db["articles"].count
    assert sum(r["duplicates"] for r in runs) >= 1


def test_second_crawl_fetches_no_stored_article_and_stores_nothing(demo_server, demo_config):
    crawl_ok(demo_config)
    before = database(demo_config)["articles"].count
    demo_server.clear_log()
    result = crawl_ok(demo_config)
    db = database(demo_config)
    assert db["articles"].count == before
    article_paths = [p for p in demo_server.paths() if "/20" in p]  # dated article URLs
    assert article_paths == [], f"stored articles fetched again: {article_paths}"
    feeds = [p for p in demo_server.paths(304)]
    assert "/ledger/feeds/rss.xml" in feeds and "/courier/feeds/atom.xml" in feeds, feeds
    last_runs = list(db.query("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 2"))
    assert all(r["articles_new"] == 0 and r["not_modified"] >= 1 for r in last_runs), last_runs
    assert "crawl_finished" in {e["event"] for e in log_events(result.stderr)}


def test_one_source_by_name(demo_server, demo_config):
    crawl_ok(demo_config, "courier")
    assert {r["source"] for r in database(demo_config)["articles"].rows} == {"courier"}


def test_unknown_source_name_is_an_error(demo_config):
    result = run_newswatch("--config", str(demo_config), "crawl", "nope")
    assert result.returncode == 1
    assert "no source named 'nope' (configured: ledger, courier)" in result.stderr, result.stderr


def test_unreachable_source_fails_the_crawl_with_a_summary(tmp_path):
    config_dir = write_config(
        tmp_path / "cfg",
        '[[source]]\nname = "gone"\nfeeds = ["http://127.0.0.1:9/feed.xml"]\n',
        "retries = 0\n",
    )
    result = run_newswatch("--config", str(config_dir), "crawl")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "crawl failed for: gone" in result.stderr
    assert "Traceback" not in result.stderr
    assert "gone" in result.stdout and "failed" in result.stdout
    run = next(database(config_dir)["crawl_runs"].rows)
    assert run["status"] == "failed" and run["errors"] == 1


def test_retry_after_is_honoured(tmp_path):
    with generated_source(tmp_path, 2) as (server, config_dir, paths):
        server.script(paths[0], 429, {"Retry-After": "2"})
        crawl_ok(config_dir)
        first, second = server.times(paths[0])
    assert second - first >= 1.9, "the retry came before Retry-After allowed"
    assert database(config_dir)["articles"].count == 2


def test_max_pages_leaves_the_rest_for_the_next_run(tmp_path):
    with generated_source(tmp_path, 5, source="max_pages = 3\n") as (_, config_dir, _):
        crawl_ok(config_dir)
        assert database(config_dir)["articles"].count == 3
        crawl_ok(config_dir)
        assert database(config_dir)["articles"].count == 5


def start_crawl(config_dir: Path, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [*newswatch_command(), "--log-format", "json", "--config", str(config_dir), "crawl"],
        **popen,
    )


def start_killable_crawl(config_dir: Path) -> subprocess.Popen:
    """A crawl in a session of its own, to be killed with SIGKILL."""
    return start_crawl(
        config_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def test_workers_of_a_crawl_killed_while_they_start_leave_with_it(tmp_path):
    """A worker still importing its modules when its crawl dies must notice all the same
    (it once watched init, its new parent, for ever)."""
    with generated_source(tmp_path, 5) as (_, config_dir, _):
        proc = start_killable_crawl(config_dir)
        try:
            deadline = time.monotonic() + 60
            started: list[tuple[int, str]] = []
            while time.monotonic() < deadline and len(started) < 2 and proc.poll() is None:
                started = children(proc.pid)
                time.sleep(0.01)
            assert len(started) >= 2, "the crawl started no workers"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        assert_gone(started, timeout=60)


def test_killed_crawl_leaves_a_consistent_database_and_the_next_crawl_completes(tmp_path):
    slow = "concurrency_per_domain = 1\n"
    with generated_source(tmp_path, 60, crawl=slow) as (server, config_dir, _):
        server.delay = 0.1
        db_path = config_dir / "data" / "newswatch.db"
        proc = start_killable_crawl(config_dir)
        try:
            deadline = time.monotonic() + 60
            stored = 0
            while time.monotonic() < deadline and stored < 5:
                time.sleep(0.2)
                if db_path.exists():
                    try:
                        with sqlite3.connect(db_path) as conn:
                            stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                    except sqlite3.OperationalError:
                        stored = 0
            assert stored >= 5, "the crawl did not get going"
            assert proc.poll() is None, "the crawl finished before it could be killed"
            workers = children(proc.pid)
            assert workers, "extraction runs in worker processes"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        # A worker leaves within a second of noticing; one still starting up (imports, on
        # a loaded machine) notices only once it is up: a generous limit.
        assert_gone(workers, timeout=30)
        db = Database(db_path)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
        partial = db["articles"].count
        assert 5 <= partial < 60
        assert (
            db.execute(
                "SELECT count(*) FROM articles a LEFT JOIN sightings s "
                "ON s.article_id = a.id WHERE s.id IS NULL"
            ).fetchone()[0]
            == 0
        )
        db.close()
        server.delay = 0
        crawl_ok(config_dir)
    db = Database(db_path)
    assert db["articles"].count == 60
    assert [r["status"] for r in db.query("SELECT status FROM crawl_runs ORDER BY id")] == [
        "killed",
        "finished",
    ]


def test_search_command(demo_server, demo_config):
    crawl_ok(demo_config)
    result = run_newswatch("--config", str(demo_config), "search", "Lavrov")
    assert result.returncode == 0, result.stderr
    assert "Russian Foreign Minister Meets Hamas Leader" in result.stdout
    cyrillic = run_newswatch("--config", str(demo_config), "search", "Машалем")
    assert "Машаль" in cyrillic.stdout, cyrillic.stdout
    none = run_newswatch("--config", str(demo_config), "search", "zyzzyva")
    assert none.returncode == 0 and "no articles match" in none.stdout
    # Not FTS5 syntax: searched as the words typed.
    typed = run_newswatch("--config", str(demo_config), "search", '"Lavrov')
    assert typed.returncode == 0 and "Russian Foreign Minister" in typed.stdout, typed.stderr
    empty = run_newswatch("--config", str(demo_config), "search", "+++")
    assert empty.returncode == 1 and "has no words" in empty.stderr, empty.stderr
    assert "Traceback" not in empty.stderr


@pytest.mark.parametrize("flag", ["-q", "-v"])
def test_logs_are_json_lines_with_scrapy_records_in_the_same_shape(demo_config, flag):
    result = run_newswatch("--config", str(demo_config), flag, "crawl", "courier")
    assert result.returncode == 0, result.stderr
    events = log_events(result.stderr)
    loggers = {e.get("logger", "") for e in events}
    if flag == "-v":
        assert "article_stored" in {e["event"] for e in events}
        assert any(name.startswith("scrapy") for name in loggers), loggers
    else:
        assert all(e["level"] in ("warning", "error", "critical") for e in events), events


def test_demo_command(tmp_path):
    started = time.monotonic()
    result = run_newswatch("demo", "--dir", str(tmp_path / "demo"))
    assert result.returncode == 0, result.stdout + result.stderr
    for heading in (
        "Crawl summary",
        "Articles collected",
        "Duplicates and skipped pages",
        "Sample article",
        "Try next",
    ):
        assert heading in result.stdout, result.stdout
    assert "forbidden by robots.txt" in result.stdout
    assert "Alerts (watchlist.toml)" in result.stdout and "Машаль" in result.stdout
    assert "No alert for Joe Biden" in result.stdout
    assert time.monotonic() - started < 60
    again = run_newswatch("demo", "--dir", str(tmp_path / "demo"))
    assert again.returncode == 0, "the demo can be run again in the same folder"
    occupied = tmp_path / "mine"
    occupied.mkdir()
    (occupied / "thesis.tex").write_text("precious")
    refused = run_newswatch("demo", "--dir", str(occupied))
    assert refused.returncode == 1 and "not made by `newswatch demo`" in refused.stderr
    assert (occupied / "thesis.tex").read_text() == "precious"


def test_the_earlier_publication_is_the_article_whichever_is_fetched_first(
    demo_server, demo_config, golden
):
    """The syndicated copy crawled first is replaced by the original when the original comes."""
    copy = next(page for page in golden if page["expect"] == "duplicate")
    copy_url, original_url = (demo_server.base + copy[k] for k in ("path", "duplicate_of"))
    crawl_ok(demo_config, "courier")
    db = database(demo_config)
    article_id = db.execute("SELECT id FROM articles WHERE url = ?", [copy_url]).fetchone()[0]
    crawl_ok(demo_config, "ledger")
    row = db["articles"].get(article_id)
    assert (row["url"], row["source"]) == (original_url, "ledger")
    sightings = {s["url"]: s["article_id"] for s in db["sightings"].rows}
    assert sightings[copy_url] == sightings[original_url] == article_id
    outcome = db.execute("SELECT outcome FROM pages WHERE url = ?", [copy_url]).fetchone()
    assert outcome == ("duplicate",)
    assert db["articles"].count_where("url = ?", [copy_url]) == 0
    db.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")


def test_a_full_disk_stops_the_crawl_with_a_clear_message_and_loses_nothing_committed(tmp_path):
    """Writes past a file-size limit fail as on a full disk; the next crawl completes."""
    with generated_source(tmp_path, 80) as (_, config_dir, _):
        # The database exists (as after any earlier run): the limit falls on the crawl's writes.
        open_database(load_config(config_dir).storage.database).close()

        def small_disk():
            resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))

        proc = start_crawl(
            config_dir,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=small_disk,
        )
        out, err = proc.communicate(timeout=120)
        result = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "crawl failed for: gen (" in result.stderr and "database" in result.stderr
        assert "Traceback" not in result.stderr
        assert "storage_failed" in {e["event"] for e in log_events(result.stderr)}
        db = database(config_dir)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kept = db["articles"].count
        run = next(db["crawl_runs"].rows)
        assert run["status"] == "failed" and "database" in run["reason"], run
        assert run["articles_new"] == kept < 80
        crawl_ok(config_dir)
        assert db["articles"].count == 80


def test_ctrl_c_stops_within_seconds_sends_nothing_more_and_keeps_what_was_stored(tmp_path):
    """Scrapy's own stop fetched every request it had queued, one per download delay (a
    Ctrl-C took 19 s and fetched 21 more pages): now no request is sent after the key,
    what was stored is kept, the run is interrupted, the crawl exits 130 and its
    extraction workers leave with it. The next crawl fetches the rest."""
    with generated_source(tmp_path, 60) as (server, config_dir, paths):
        settings = config_dir / "settings.toml"
        polite = settings.read_text()
        # One page a second, as [crawl] delay's default: Scrapy queues 16 meanwhile.
        settings.write_text(polite.replace("delay = 0\n", "delay = 1\n"))
        proc = start_crawl(config_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(set(server.paths()) & set(paths)) < 3:
            time.sleep(0.05)
        workers = children(proc.pid)
        assert len(workers) >= 2, "the crawl started no extraction workers"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        took = time.monotonic() - sent
        assert proc.returncode == 130, out + err
        assert took < 10, f"the crawl took {took:.1f} s to stop"
        # The page on its way at the key may still be answered; nothing is asked after.
        asked_after = [t for path in paths for t in server.times(path) if t > sent + 0.5]
        assert not asked_after, f"{len(asked_after)} page(s) asked for after the signal"
        assert "Error: interrupted (Ctrl-C): stopped the crawl of gen;" in err, err
        assert "Traceback" not in err
        assert "crawl_stopping" in {e["event"] for e in log_events(err)}
        db = database(config_dir)
        (run,) = db["crawl_runs"].rows
        assert run["status"] == "interrupted" and run["reason"] == "stopped by a signal", run
        assert 0 < run["articles_new"] == db["articles"].count < 60
        # A page dropped unsent is not recorded (as failed, say): the next crawl fetches it.
        assert db["pages"].count == run["pages_fetched"] and not run["errors"], run
        assert_gone(workers, timeout=30)
        settings.write_text(polite)
        crawl_ok(config_dir)
        assert db["articles"].count == 60


def test_a_second_ctrl_c_stops_at_once_while_pages_are_still_on_their_way(tmp_path):
    """The first Ctrl-C waits for the pages already asked for; a site slow to answer them
    is left by the second, and the run still ends recorded, interrupted, without workers."""
    with generated_source(tmp_path, 60) as (server, config_dir, paths):
        proc = start_crawl(config_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(set(server.paths()) & set(paths)) < 3:
            time.sleep(0.05)
        server.delay = 30  # the pages asked for from now on take 30 s to come
        time.sleep(1)
        workers = children(proc.pid)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        time.sleep(1)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, out + err
        assert time.monotonic() - sent < 15
        assert "crawl_forced_stop" in {e["event"] for e in log_events(err)}
        db = database(config_dir)
        (run,) = db["crawl_runs"].rows
        assert run["status"] == "interrupted", run
        assert run["reason"] == "stopped at once by a second signal" and run["finished"], run
        assert run["articles_new"] == db["articles"].count
        assert_gone(workers, timeout=30)


def test_hostile_pages_are_recorded_with_reasons_not_crashed_on(tmp_path):
    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    (site / "news" / "binary.html").write_bytes(bytes(range(256)) * 200)
    (site / "news" / "empty.html").write_bytes(b"")
    (site / "news" / "huge.html").write_bytes(
        b"<html><body>" + b"<p>word </p>" * 150_000 + b"</body></html>"
    )
    (site / "news" / "nested.html").write_bytes(b"<div>" * 50_000 + b"deep" + b"</div>" * 50_000)
    (site / "not-a-feed.xml").write_text("<html><body>Oops, an HTML error page</body></html>")
    links = "".join(
        f"<item><link>{{{{BASE}}}}/news/{name}</link></item>"
        for name in ("binary", "empty", "huge", "nested", "missing")
    )
    (site / "feed.xml").write_text(
        f'<rss version="2.0"><channel><title>x</title>{links}</channel></rss>'
    )
    with SiteServer(site) as server:
        sources = (
            f'[[source]]\nname = "hostile"\nfeeds = ["{server.base}/feed.xml", '
            f'"{server.base}/not-a-feed.xml"]\n'
        )
        config_dir = write_config(tmp_path / "cfg", sources, 'max_page_size = "1MB"\nretries = 0\n')
        result = run_newswatch("--config", str(config_dir), "crawl")
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr  # the feed itself was read: not a total failure
    db = database(config_dir)
    pages = {r["url"].rsplit("/", 1)[-1]: (r["outcome"], r["reason"]) for r in db["pages"].rows}
    assert db["articles"].count == 0
    assert pages["binary"][0] == "skipped" and pages["empty"][0] == "skipped", pages
    assert pages["nested"][0] == "skipped", pages
    assert pages["huge"][0] == "failed", pages
    assert pages["missing"] == ("failed", "HTTP 404"), pages
    assert pages["not-a-feed.xml"][0] == "failed"
    assert "not an RSS or Atom feed (it is an HTML page" in pages["not-a-feed.xml"][1]
    (run,) = db["crawl_runs"].rows
    errors = json.loads(run["http_errors"])
    assert errors == {"404": 1, "network": 1, "unreadable": 1}, run
    (problem,) = json.loads(run["listing_problems"])
    assert problem["url"].endswith("/not-a-feed.xml") and problem["kind"] == "feed", problem
    # One of its two feeds broken: the source is degraded, and the crawl says so.
    assert "hostile: feed http://" in result.stdout, result.stdout
    assert "hostile is now degraded" in result.stdout, result.stdout


def test_a_thai_article_is_crawled_and_stored_with_its_words_counted(tmp_path):
    """Thai is written without spaces between words: the crawl's min_words rule counts its
    words from its characters, and `history` counts them alike."""
    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    pages = {
        "thai": ("กรุงเทพฯ ปรับปรุงระบบขนส่งสาธารณะ", THAI, "th"),
        "english": ("Budget", ENGLISH, "en"),
    }
    for name, (title, paragraphs, lang) in pages.items():
        (site / "news" / f"{name}.html").write_text(news_page(title, paragraphs, lang=lang))
    (site / "index.html").write_text(
        '<html><body><a href="/news/thai">ข่าว</a> <a href="/news/english">News</a></body></html>'
    )
    with SiteServer(site) as server:
        # Named on a front page, not in a feed: the full minimum applies.
        sources = f'[[source]]\nname = "bangkok"\nstart_urls = ["{server.base}/index.html"]\n'
        config_dir = write_config(tmp_path / "cfg", sources)
        (config_dir / "settings.toml").write_text(
            (config_dir / "settings.toml").read_text() + "[extract]\nmin_words = 100\n"
        )
        crawl_ok(config_dir)
    db = database(config_dir)
    outcomes = {r["url"].rsplit("/", 1)[-1]: (r["outcome"], r["reason"]) for r in db["pages"].rows}
    assert outcomes["thai"] == ("stored", None), outcomes
    (thai,) = db.query("SELECT id, language, word_count, text FROM articles WHERE url LIKE '%thai'")
    assert thai["language"] == "th" and THAI[2] in thai["text"]
    assert 120 <= thai["word_count"] <= 250, thai
    shown = run_newswatch("--config", str(config_dir), "history", str(thai["id"]), "--json")
    assert json.loads(shown.stdout)[-1]["words"] == thai["word_count"]


def test_no_more_requests_in_flight_than_concurrency_per_domain_even_without_a_delay(tmp_path):
    """Scrapy (2.19, on asyncio) starts a slot's downloads as tasks after counting its free
    transfer slots, so with no download delay it would send a domain's whole queue at once."""
    with generated_source(tmp_path, 24, crawl="concurrency_per_domain = 2\n") as (server, cfg, _):
        server.delay = 0.2  # each answer takes a while: the requests that overlap, do
        crawl_ok(cfg)
        assert database(cfg)["articles"].count == 24
        assert server.peak_in_flight == 2, server.peak_in_flight
