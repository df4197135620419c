"""The web face (`newswatch serve`): Datasette over a real crawl, its Atom feeds and JSON,
read-only, loopback by default, and nothing from a crawled page run as script."""

from __future__ import annotations

import base64
import json
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import feedparser
import pytest
from sqlite_utils import Database

from pipelines.storage.schema import tables_markdown
from pipelines.web import atom
from tests.helpers import newswatch_command, run_newswatch
from tests.receivers import free_port
from tests.sites import write_config
from tests.webface import WATCH, XSS_TEXT, Served


@pytest.mark.e2e
def test_a_watchs_alerts_are_a_valid_atom_feed_with_ids_stable_across_restarts(corpus):
    db = Database(corpus / "data" / "newswatch.db")
    alerts = {row["id"]: row for row in db["alerts"].rows_where("watch = ?", [WATCH])}
    assert len(alerts) == 2
    feeds = []
    for _ in range(2):  # two servers, one after the other: the same feed
        with Served(corpus) as web:
            status, headers, body = web.get("/newswatch/alerts.atom?watch=Ada+Lovelace")
            assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
            feeds.append(body)
    parsed, again = (feedparser.parse(body) for body in feeds)
    assert [(e.id, e.updated, e.title) for e in parsed.entries] == [
        (e.id, e.updated, e.title) for e in again.entries
    ]
    assert parsed.feed.id == again.feed.id and parsed.feed.updated == again.feed.updated
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == f"newswatch: alerts for {WATCH}"
    assert sorted(e.id for e in parsed.entries) == sorted(
        f"urn:newswatch:alert:{n}" for n in alerts
    )
    for entry in parsed.entries:
        alert = alerts[int(entry.id.rsplit(":", 1)[1])]
        assert entry.updated == atom.rfc3339(alert["created_at"])
        assert entry.link.startswith("http://127.0.0.1:")
        assert alert["found"] in entry.summary
    assert parsed.feed.updated == max(e.updated for e in parsed.entries)


@pytest.mark.e2e
def test_every_alert_a_search_and_a_watch_with_none_are_feeds_too(corpus):
    with Served(corpus) as web:
        _, _, every = web.get("/newswatch/alerts.atom")
        _, _, search = web.get("/newswatch/search.atom?q=Lovelace")
        _, _, none = web.get("/newswatch/alerts.atom?watch=Nobody")
        # What people type, though FTS5 refuses it; FTS5 syntax still works; no words: none.
        _, _, typed = web.get("/newswatch/search.json?_shape=array&q=Lovelace%27s")
        _, _, syntax = web.get("/newswatch/search.json?_shape=array&q=title%3ALovelace%2A")
        status, _, wordless = web.get("/newswatch/search.json?_shape=array&q=%2B%2B")
    assert len(feedparser.parse(every).entries) == 2
    found = feedparser.parse(search)
    assert not found.bozo and len(found.entries) == 3
    assert [row["title"] for row in json.loads(typed)] == [
        "Lovelace's engine notes found in archive"
    ]
    titled = {row["title"] for row in json.loads(syntax)}
    assert len(titled) == 3 and all("Lovelace" in title for title in titled), titled
    assert status == 200 and json.loads(wordless) == []
    assert all(e.id.startswith("urn:newswatch:article:") for e in found.entries)
    empty = feedparser.parse(none)
    assert not empty.bozo and empty.entries == [] and empty.feed.updated == atom.NEVER


@pytest.mark.e2e
def test_the_cli_writes_the_same_feed(corpus):
    result = run_newswatch(
        "--config", str(corpus), "alerts", "--watch", "ada lovelace", "--format", "atom"
    )
    assert result.returncode == 0, result.stderr
    parsed = feedparser.parse(result.stdout.encode())
    assert not parsed.bozo
    with Served(corpus) as web:
        _, _, body = web.get("/newswatch/alerts.atom?watch=Ada+Lovelace")
    served = feedparser.parse(body)
    assert parsed.feed.id == served.feed.id == "urn:newswatch:alerts?watch=Ada+Lovelace"
    assert [(e.id, e.updated, e.title) for e in parsed.entries] == [
        (e.id, e.updated, e.title) for e in served.entries
    ]


@pytest.mark.e2e
def test_json_for_tables_and_queries_and_no_arbitrary_sql(corpus):
    with Served(corpus) as web:
        status, _, body = web.get("/newswatch/articles.json?_shape=array&_size=100")
        assert status == 200 and len(json.loads(body)) == 7
        _, _, body = web.get("/newswatch/alerts.json?_shape=array&watch=Ada+Lovelace")
        assert {row["watch"] for row in json.loads(body)} == {WATCH}
        _, _, body = web.get("/newswatch/articles.json?_facet=source&_facet=published_month")
        facets = json.loads(body)["facet_results"]
        assert {"source", "published_month"} <= set(facets)
        status, _, _ = web.get("/newswatch.json?sql=select+1")
        assert status == 403, "arbitrary SQL is off unless [web] allow_sql"
        # Nothing writes: Datasette opens the file read-only, and no route changes it.
        status, _, _ = web.get("/newswatch/alerts", data=b"watch=x")
        assert status >= 400
        status, _, _ = web.get("/newswatch/articles", data=b"title=x")
        assert status >= 400


@pytest.mark.e2e
def test_text_from_a_crawled_page_never_runs_as_script(corpus):
    db = Database(corpus / "data" / "newswatch.db")
    (hostile,) = [row for row in db["articles"].rows if "<script>" in (row["title"] or "")]
    assert XSS_TEXT.split("<a")[0] in hostile["text"], "the payload was stored as text"
    with Served(corpus) as web:
        pages = [
            web.get(path)[2].decode("utf-8")
            for path in (
                "/",
                "/newswatch/articles",
                f"/newswatch/articles/{hostile['id']}",
                "/newswatch/alerts",
                "/newswatch/search?q=Lovelace",
            )
        ]
    for page in pages:
        assert "<script>alert(" not in page and "<img src=x" not in page
        assert 'href="javascript:' not in page and "href='javascript:" not in page
    assert any("&lt;script&gt;alert(" in page for page in pages), "shown, as text"


@pytest.mark.e2e
def test_it_listens_on_the_loopback_unless_told_otherwise_and_then_asks_for_a_password(
    corpus, tmp_path
):
    with Served(corpus) as web:
        assert _listening(web.port) == ["127.0.0.1"]
    result = run_newswatch("--config", str(corpus), "serve", "--host", "0.0.0.0", "--port", "1")
    assert result.returncode == 1
    assert "[web.users]" in result.stderr and "Traceback" not in result.stderr

    hashed = run_newswatch("hash-password", "--password", "s3cret words")
    assert hashed.returncode == 0, hashed.stderr
    settings = corpus / "settings.toml"
    original = settings.read_text()
    settings.write_text(original + f'\n[web.users]\nreader = "{hashed.stdout.strip()}"\n')
    try:
        with Served(corpus, "--host", "0.0.0.0") as web:
            assert _listening(web.port) == ["0.0.0.0"]
            status, _, _ = web.get("/newswatch/alerts.atom")
            assert status in (401, 403)
            good = base64.b64encode(b"reader:s3cret words").decode()
            status, _, body = web.get(
                "/newswatch/alerts.atom", headers={"Authorization": f"Basic {good}"}
            )
            assert status == 200 and len(feedparser.parse(body).entries) == 2
            bad = base64.b64encode(b"reader:wrong").decode()
            status, _, _ = web.get(
                "/newswatch/alerts.json", headers={"Authorization": f"Basic {bad}"}
            )
            assert status in (401, 403)
    finally:
        settings.write_text(original)


@pytest.mark.e2e
def test_a_password_in_place_of_its_hash_is_refused(corpus, tmp_path):
    config_dir = write_config(tmp_path / "cfg", (corpus / "sources.toml").read_text())
    (config_dir / "settings.toml").write_text('[web.users]\nreader = "hunter2"\n')
    result = run_newswatch("--config", str(config_dir), "serve")
    assert result.returncode == 1
    assert "newswatch hash-password" in result.stderr and "hunter2" not in result.stderr


def _listening(port: int) -> list[str]:
    """The addresses a TCP port is listening on, from /proc/net/tcp."""
    found = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if int(hex_port, 16) == port and state == "0A":
            found.append(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_the_readmes_table_of_tables_is_the_schemas():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert tables_markdown() in readme


@pytest.mark.e2e
def test_the_daemon_serves_the_web_face_beside_its_jobs(corpus, tmp_path):
    config_dir = tmp_path / "cfg"
    shutil.copytree(corpus, config_dir)  # the daemon writes: not in the shared corpus
    port = free_port()
    daemon = subprocess.Popen(
        [*newswatch_command(), "--config", str(config_dir), "run", "--web-port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        web = Served.on(port, daemon)
        status, _, body = web.get("/")
        assert status == 200 and "Latest alerts" in body.decode()
        _, _, feed = web.get("/newswatch/alerts.atom")
        assert len(feedparser.parse(feed).entries) == 2
        assert _listening(port) == ["127.0.0.1"]
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=90)
    assert daemon.returncode == 0, err[-3000:]
    assert "web_serving" in err and "Traceback" not in err


@pytest.mark.e2e
def test_pages_are_served_while_a_writer_holds_the_database(corpus, tmp_path):
    """The daemon's crawls write while the web face reads: WAL readers never wait on them."""
    config_dir = tmp_path / "cfg"
    shutil.copytree(corpus, config_dir)  # no connection of another test's left open on it
    writer = sqlite3.connect(config_dir / "data" / "newswatch.db", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE articles SET title = title || ' (being written)'")
        with Served(config_dir) as web:
            for path in ("/", "/newswatch/articles.json", "/newswatch/alerts.atom"):
                started = time.monotonic()
                status, _, body = web.get(path)
                assert status == 200, (path, body[:500])
                assert time.monotonic() - started < 10, f"{path} waited on the writer"
                assert b"(being written)" not in body, "an uncommitted write was read"
    finally:
        writer.execute("ROLLBACK")
        writer.close()


@pytest.mark.e2e
def test_show_reads_one_article_with_its_story_and_alerts(corpus):
    db = Database(corpus / "data" / "newswatch.db")
    (article_id,) = [r["id"] for r in db["articles"].rows if r["title"].startswith("Engine notes")]
    result = run_newswatch("--config", str(corpus), "show", str(article_id))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Engine notes by Ada Lovelace found")
    assert "Ada Lovelace wrote the notes." in result.stdout
    assert "Alerts its story raised" in result.stdout and f"{WATCH}: “{WATCH}”" in result.stdout
    assert "Lovelace's engine notes found in archive" in result.stdout, "the other outlet"
    as_json = json.loads(
        run_newswatch("--config", str(corpus), "show", str(article_id), "--json").stdout
    )
    assert as_json["article"]["id"] == article_id and as_json["paragraphs"][0].startswith("Ada")
    missing = run_newswatch("--config", str(corpus), "show", "99999")
    assert missing.returncode == 1 and "no article has the id 99999" in missing.stderr
