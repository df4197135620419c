"""The SQLite store: schema and migrations, WAL, FTS kept in sync, batches, and no data loss."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest

from pipelines.schema import migrations
from pipelines.storage import StorageError, Store, open_database, settle_run
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


def test_killed_writer_loses_only_its_open_batch(tmp_path):
    """SIGKILL in the middle of a batch: committed rows stay, the database stays consistent."""
    path = tmp_path / "nw.db"
    script = textwrap.dedent(f"""
        import os, signal
        from pipelines.storage import Store, open_database
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


def test_every_crawl_process_ends_as_one_run_row(tmp_path):
    """settle_run: a crawl that died before writing its row gets one; a row it left running
    is ended; a row it finished itself is kept, unless the caller overrides that status."""
    db = open_database(tmp_path / "nw.db")
    store = Store(db)
    started = "2026-11-28T12:00:00+00:00"
    end = "2026-11-28T12:00:02+00:00"

    def settle(pid, status="failed", reason="exited with code 1: boom", **over):
        return settle_run(
            db, "s", pid, started=started, status=status, reason=reason, now=end, **over
        )

    def row(pid):
        return next(db.query("SELECT * FROM crawl_runs WHERE pid = ?", [pid]))

    assert settle(101) == "failed"  # died at start-up: no row of its own
    first = row(101)
    assert (first["status"], first["reason"], first["duration"]) == (
        "failed",
        "exited with code 1: boom",
        2.0,
    )
    left = store.start_run("s", now="2026-11-28T12:00:01+00:00", pid=102)
    db["crawl_runs"].update(left, {"pages_fetched": 7})
    db.conn.commit()
    assert settle(102, "killed", "killed by SIGKILL") == "killed"
    assert (row(102)["id"], row(102)["pages_fetched"], row(102)["finished"]) == (left, 7, end)
    done = store.start_run("s", now="2026-11-28T12:00:01+00:00", pid=103)
    store.finish_run(done, {"status": "interrupted", "reason": "stopped by a signal"}, now=end)
    assert settle(103) == "interrupted"  # the crawl's own word stands
    timed_out = ("running", "interrupted")
    assert settle(103, "killed", "stopped after crawl_timeout", over=timed_out) == "killed"
    # A later process that happens to have an earlier one's pid gets a row of its own.
    later = "2026-11-28T13:00:00+00:00"
    assert (
        settle_run(db, "s", 101, started=later, status="killed", reason="x", now=later) == "killed"
    )
    assert db["crawl_runs"].count == 4
