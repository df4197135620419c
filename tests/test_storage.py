"""The SQLite store: schema and migrations, WAL, FTS kept in sync, batches, and no data loss."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest

from pipelines.storage.database import StorageError, open_database
from pipelines.storage.runs import begin_run, end_run
from pipelines.storage.schema import migrations
from pipelines.storage.writer import Store
from pipelines.textnorm import normalise_text, text_hash

NOW = "2026-11-28T12:00:00+00:00"


def article(url: str, text: str = "Sergei Lavrov met Khaled Meshal in Doha.", **extra) -> dict:
    return {
        "url": url,
        "title": "Lavrov meets Meshal",
        "authors": ["Jack Khoury"],
        "text": text,
        "text_hash": text_hash(text),
        "word_count": len(text.split()),
        **extra,
    }


def test_new_database_has_schema_wal_and_fts(tmp_path):
    db = open_database(tmp_path / "sub" / "nw.db")
    assert {"articles", "sightings", "pages", "crawl_runs", "articles_fts"} <= set(db.table_names())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    applied = [m.name for m in migrations.applied(db)]
    assert applied[:2] == ["m001_initial", "m002_alerts"]
    db.close()
    again = open_database(tmp_path / "sub" / "nw.db")  # migrating twice changes nothing
    assert [m.name for m in migrations.applied(again)] == applied


def test_not_a_database_is_reported_and_left_alone(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"my precious notes, not a database" * 100)
    with pytest.raises(StorageError, match="cannot be used as the newswatch database"):
        open_database(path)
    assert path.read_bytes().startswith(b"my precious notes")


def test_unwritable_location_is_a_named_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot be opened"):
        open_database(blocker / "nw.db")


def test_saved_article_is_searchable_and_sighted(tmp_path):
    store = Store(open_database(tmp_path / "nw.db"))
    article_id, _ = store.save_article(article("http://a.test/1"), source="ledger", now=NOW)
    store.flush()
    db = store.db
    row = db["articles"].get(article_id)
    assert row["authors"] == '["Jack Khoury"]' and row["source"] == "ledger"
    hits = db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'meshal'").fetchall()
    assert hits == [(article_id,)]
    assert store.article_at("http://a.test/1") == article_id
    same = store.article_with_text(text_hash("Sergei Lavrov met Khaled Meshal in Doha."))
    assert same == (article_id, "http://a.test/1", None)
    store.add_sighting(
        article_id, "http://b.test/copy", source="wire", now="2026-11-29T00:00:00+00:00"
    )
    store.add_sighting(
        article_id, "http://b.test/copy", source="wire", now="2026-11-30T00:00:00+00:00"
    )
    sightings = list(db["sightings"].rows_where("article_id = ?", [article_id], order_by="id"))
    assert [s["url"] for s in sightings] == ["http://a.test/1", "http://b.test/copy"]
    assert sightings[1]["first_seen"].startswith("2026-11-29")
    assert sightings[1]["last_seen"].startswith("2026-11-30")
    db.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")


def test_settled_urls(tmp_path):
    store = Store(open_database(tmp_path / "nw.db"))
    for url, outcome in [
        ("http://a.test/s", "skipped"),
        ("http://a.test/f", "failed"),
        ("http://a.test/d", "duplicate"),
    ]:
        store.record_page(
            {"url": url, "source": "x", "kind": "article", "outcome": outcome, "fetched_at": NOW}
        )
    assert store.is_settled("http://a.test/s") and store.is_settled("http://a.test/d")
    assert not store.is_settled("http://a.test/f"), "a failed page is tried again next run"
    assert not store.is_settled("http://a.test/unknown")


def test_listing_body_is_kept_compressed_for_304(tmp_path):
    store = Store(open_database(tmp_path / "nw.db"))
    body = b"<rss>" + b"x" * 10000 + b"</rss>"
    store.record_page(
        {
            "url": "http://a.test/rss",
            "source": "x",
            "kind": "feed",
            "outcome": "listed",
            "fetched_at": NOW,
            "etag": '"v1"',
            "body": body,
        }
    )
    assert store.validators("http://a.test/rss") == ('"v1"', None, body)
    stored = store.db.execute("SELECT length(body) FROM pages").fetchone()[0]
    assert stored < len(body) / 10


def test_batches_commit_by_size(tmp_path):
    path = tmp_path / "nw.db"
    store = Store(open_database(path), batch_size=3)
    reader = sqlite3.connect(path)
    count = lambda: reader.execute("SELECT count(*) FROM articles").fetchone()[0]  # noqa: E731
    for n in range(2):
        store.save_article(article(f"http://a.test/{n}", f"text number {n}"), source="x", now=NOW)
    assert count() == 0, "an open batch is not visible to other connections"
    store.save_article(article("http://a.test/2", "text number 2"), source="x", now=NOW)
    assert count() == 3
    store.save_article(article("http://a.test/3", "text number 3"), source="x", now=NOW)
    store.close()
    assert count() == 4


@pytest.mark.e2e
def test_killed_writer_loses_only_its_open_batch(tmp_path):
    """SIGKILL in the middle of a batch: committed rows stay, the database stays consistent."""
    path = tmp_path / "nw.db"
    script = textwrap.dedent(f"""
        import os, signal
        from pipelines.storage.database import open_database
        from pipelines.storage.writer import Store
        from pipelines.textnorm import text_hash
        store = Store(open_database({str(path)!r}), batch_size=10)
        for n in range(25):
            text = f"article text {{n}}"
            store.save_article({{"url": f"http://a.test/{{n}}", "text": text,
                                "text_hash": text_hash(text)}}, source="x", now="t")
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert proc.returncode == -9, proc.stderr
    db = open_database(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
    assert db["articles"].count == 20
    assert db["sightings"].count == 20


def test_text_normalisation_ignores_spacing_case_and_punctuation():
    a = "Lavrov met Meshal —\n in Doha, on Monday."
    b = "LAVROV  met meshal in Doha on monday"
    assert normalise_text(a) == normalise_text(b) == "lavrov met meshal in doha on monday"
    assert text_hash(a) == text_hash(b) != text_hash("Lavrov met Meshal in Cairo on Monday")


def test_every_crawl_ends_as_its_own_run_row(tmp_path):
    """The daemon makes a crawl's row before starting it and ends it by id: a crawl that
    died at start-up, one killed mid-way (with the figures it committed), one that ended
    its run itself (its word stands, unless the daemon timed it out)."""
    db = open_database(tmp_path / "nw.db")
    store = Store(db)
    t0, t1, t2 = (f"2026-11-28T12:00:0{n}+00:00" for n in range(3))

    def row(run_id):
        return db["crawl_runs"].get(run_id)

    died = begin_run(db, "s", now=t0)  # the process never started its crawl
    assert end_run(db, died, status="failed", reason="exited with code 1: boom", now=t2)
    assert (row(died)["status"], row(died)["reason"], row(died)["duration"]) == (
        "failed",
        "exited with code 1: boom",
        2.0,
    )
    killed = begin_run(db, "s", now=t0)
    assert store.start_run("s", now=t1, pid=102, run_id=killed) == killed  # adopted
    for n, outcome in enumerate(("stored", "stored", "duplicate", "skipped", "failed")):
        page = {"url": f"http://a.test/{n}", "source": "s", "kind": "article"}
        store.record_page({**page, "outcome": outcome, "fetched_at": t1, "run_id": killed})
    store.flush()
    assert end_run(db, killed, status="killed", reason="killed by SIGKILL", now=t2) == "killed"
    figures = {k: row(killed)[k] for k in ("pid", "articles_new", "duplicates", "skipped")}
    assert figures == {"pid": 102, "articles_new": 2, "duplicates": 1, "skipped": 1}
    assert (row(killed)["errors"], row(killed)["pages_fetched"]) == (1, 4)

    done = begin_run(db, "s", now=t0)
    store.start_run("s", now=t1, pid=103, run_id=done)
    store.finish_run(done, {"status": "interrupted", "reason": "stopped by a signal"}, now=t2)
    assert end_run(db, done, status="failed", reason="x", now=t2) == "interrupted"
    timed_out = ("running", "interrupted")
    assert end_run(db, done, status="killed", reason="timeout", now=t2, over=timed_out) == "killed"
    assert db["crawl_runs"].count == 3


def test_a_run_its_crawl_left_running_is_ended_by_the_next_crawl_of_the_source(tmp_path):
    """A `newswatch crawl` killed with SIGKILL leaves its row running: the next crawl of
    the source (holding the source's lock) ends it as killed, at its last page's time."""
    db = open_database(tmp_path / "nw.db")
    store = Store(db)
    left = store.start_run("s", now="2026-11-28T12:00:00+00:00", pid=101)
    page = {"url": "http://a.test/1", "source": "s", "kind": "article", "outcome": "stored"}
    store.record_page({**page, "fetched_at": "2026-11-28T12:00:05+00:00", "run_id": left})
    other = store.start_run("t", now="2026-11-28T12:00:00+00:00", pid=102)
    store.start_run("s", now="2026-11-28T13:00:00+00:00", pid=103)
    ended = db["crawl_runs"].get(left)
    assert (ended["status"], ended["finished"], ended["articles_new"]) == (
        "killed",
        "2026-11-28T12:00:05+00:00",
        1,
    )
    assert db["crawl_runs"].get(other)["status"] == "running", "another source's run"
