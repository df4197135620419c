"""The newswatch database schema, as ordered migrations.

Each migration runs once per database, in order, inside a transaction
(sqlite-utils records it in `_sqlite_migrations`). Never edit a released
migration: add the next one.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("newswatch")


@migrations()
def m001_initial(db: Database) -> None:
    # An explicit integer primary key: VACUUM may renumber implicit rowids,
    # and the external-content FTS index refers to articles by id.
    db["articles"].create(
        {
            "id": int,
            "url": str,
            "source": str,
            "title": str,
            "authors": str,
            "published": str,
            "published_from": str,
            "fetched_at": str,
            "language": str,
            "description": str,
            "site_name": str,
            "text": str,
            "text_hash": str,
            "word_count": int,
        },
        pk="id",
        not_null={"url", "source", "text", "text_hash", "fetched_at"},
    )
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["text_hash"])
    db["articles"].create_index(["published"])
    db["articles"].create_index(["source", "published"])
    db["articles"].enable_fts(
        ["title", "text"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
    )

    db["sightings"].create(
        {
            "id": int,
            "url": str,
            "article_id": int,
            "source": str,
            "first_seen": str,
            "last_seen": str,
        },
        pk="id",
        not_null={"url", "article_id", "first_seen", "last_seen"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["sightings"].create_index(["url"], unique=True)
    db["sightings"].create_index(["article_id"])

    db["crawl_runs"].create(
        {
            "id": int,
            "source": str,
            "started": str,
            "finished": str,
            "status": str,
            "reason": str,
            "pid": int,
            "pages_fetched": int,
            "articles_new": int,
            "duplicates": int,
            "skipped": int,
            "errors": int,
            "not_modified": int,
        },
        pk="id",
        not_null={"source", "started", "status"},
    )
    db["crawl_runs"].create_index(["source", "started"])

    # One row per URL newswatch asked for: what came back and what became of it.
    # `body` keeps the last feed, sitemap or section front (compressed), so a
    # 304 Not Modified can still be read for links a killed run never reached.
    db["pages"].create(
        {
            "url": str,
            "source": str,
            "kind": str,
            "status": int,
            "outcome": str,
            "reason": str,
            "article_id": int,
            "etag": str,
            "last_modified": str,
            "body": bytes,
            "fetched_at": str,
            "run_id": int,
        },
        pk="url",
        not_null={"source", "kind", "outcome", "fetched_at"},
    )
    db["pages"].create_index(["source", "outcome"])
    db["pages"].create_index(["run_id"])


@migrations()
def m002_alerts(db: Database) -> None:
    # One alert per (watch, article), ever: the unique index makes a re-crawl, a
    # restart or another sighting of the story unable to alert twice.
    db["alerts"].create(
        {
            "id": int,
            "watch": str,
            "article_id": int,
            "matched": str,
            "found": str,
            "snippet": str,
            "created_at": str,
            "status": str,
            "attempts": int,
            "last_error": str,
            "next_attempt": str,
            "delivered_at": str,
            "delivered_to": str,
        },
        pk="id",
        not_null={"watch", "article_id", "created_at", "status"},
        defaults={"status": "pending", "attempts": 0, "delivered_to": "[]"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["alerts"].create_index(["watch", "article_id"], unique=True)
    db["alerts"].create_index(["status", "next_attempt"])
    # Small facts the daemon keeps between runs (the last article matched, ...).
    db["state"].create({"key": str, "value": str}, pk="key")


@migrations()
def m003_raw_pages(db: Database) -> None:
    # With [storage] archive_html: each fetched article response, for WARC export.
    db["raw_pages"].create(
        {
            "id": int,
            "url": str,
            "article_id": int,
            "status": int,
            "headers": str,
            "body": bytes,
            "fetched_at": str,
        },
        pk="id",
        not_null={"url", "status", "body", "fetched_at"},
    )
    db["raw_pages"].create_index(["article_id"])


@migrations()
def m004_alerts_by_article(db: Database) -> None:
    # Exports list each article's watches: without this index every article scans alerts.
    db["alerts"].create_index(["article_id"])


@migrations()
def m005_clusters_and_versions(db: Database) -> None:
    from pipelines.neardup import DEFAULT_THRESHOLD, signature
    from pipelines.storage.clusters import find_cluster, index_article

    # Near-duplicate clusters: each article's cluster; the MinHash signatures, in a
    # narrow table of their own (read for every candidate: an article row is mostly
    # text, and columns after the text cost a walk through its overflow pages); and
    # the LSH band index that finds an article's candidates without a scan.
    db["articles"].add_column("cluster_id", int)
    db["articles"].add_column("updated_at", str)
    db["articles"].create_index(["cluster_id"])
    db.execute(
        "CREATE TABLE minhashes (article_id INTEGER PRIMARY KEY REFERENCES articles(id), "
        "cluster_id INTEGER NOT NULL, minhash BLOB NOT NULL)"
    )
    db.execute(
        "CREATE TABLE lsh_bands (key INTEGER NOT NULL, article_id INTEGER NOT NULL, "
        "PRIMARY KEY (key, article_id)) WITHOUT ROWID"
    )
    # Only a new title or text re-indexes an article for full-text search; the
    # stock trigger would do it for any column (a cluster id, a timestamp).
    db.execute("DROP TRIGGER IF EXISTS articles_au")
    db.execute(
        "CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN\n"
        "  INSERT INTO articles_fts (articles_fts, rowid, title, text) "
        "VALUES('delete', old.rowid, old.title, old.text);\n"
        "  INSERT INTO articles_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);\n"
        "END"
    )
    # Earlier texts of updated articles; the current one stays in `articles`.
    db["article_versions"].create(
        {
            "id": int,
            "article_id": int,
            "version": int,
            "fetched_at": str,
            "title": str,
            "text": str,
            "text_hash": str,
        },
        pk="id",
        not_null={"article_id", "version", "fetched_at", "text", "text_hash"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_versions"].create_index(["article_id", "version"], unique=True)
    # An alert fired by an update names the version it was found in.
    db["alerts"].add_column("version", int)
    db["crawl_runs"].add_column("updated", int)
    # Articles stored before clustering existed: signed and clustered in id order,
    # a thousand texts in memory at a time.
    last = 0
    while batch := db.execute(
        "SELECT id, text FROM articles WHERE id > ? ORDER BY id LIMIT 1000", [last]
    ).fetchall():
        for article_id, text in batch:
            sig = signature(text)
            found = find_cluster(db, sig, DEFAULT_THRESHOLD)
            cluster_id = found[0] if found else article_id
            db.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", [cluster_id, article_id])
            index_article(db, article_id, cluster_id, sig)
        last = batch[-1][0]


@migrations()
def m006_monitoring(db: Database) -> None:
    # What each run met, beyond its counts: the health rules and `newswatch status` read them.
    for column, kind in (
        ("listings_read", int),  # feeds, sitemaps and section fronts read
        ("empty_extractions", int),  # article pages with no article text in them
        ("robots_denied", int),
        ("bytes", int),  # response bytes downloaded
        ("duration", float),  # seconds
        ("skipped_reasons", str),  # JSON {reason: pages}
        ("http_errors", str),  # JSON {HTTP status, "network", "unreadable" or "extraction": pages}
        ("listing_problems", str),  # JSON [{kind, url, reason}] of failed or denied listings
    ):
        db["crawl_runs"].add_column(column, kind)
    # The verdict each source was last given, so a change is notified once.
    db["source_health"].create(
        {
            "source": str,
            "verdict": str,
            "reason": str,
            "since": str,
            "previous": str,  # the verdict before this one, for the recovery notice
            "checked_at": str,
            "notify_pending": int,  # 1 until the change is delivered to [monitor] notify
        },
        pk="source",
    )


@migrations()
def m007_page_rules(db: Database) -> None:
    # Which version of the page-type rules judged an article page, where its URL was
    # found (feed, sitemap, front), and, for a page judged again under newer rules,
    # what the older rules had made of it.
    for column, kind in (("rules", int), ("presented_by", str), ("previous", str)):
        db["pages"].add_column(column, kind)


@migrations()
def m008_source_blocks(db: Database) -> None:
    # Each source's blocks of text (lines of its articles), and in how many of its
    # articles each appeared: those in most of them are its boilerplate (pipelines.boilerplate).
    db["source_blocks"].create(
        {
            "source": str,
            "key": str,  # hash of the normalised block
            "block": str,  # the block as first seen
            "articles": int,  # articles of the source that carried it
            "since": int,  # the source's article count when it first appeared
            "first_seen": str,
            "last_seen": str,
        },
        pk=("source", "key"),
    )
    db["source_counters"].create({"source": str, "articles": int}, pk="source")


@migrations()
def m009_alert_claims(db: Database) -> None:
    # When the daemon claimed an alert to send it (status 'sending'): a daemon that dies
    # while sending leaves it there, and the next one sends it again.
    db["alerts"].add_column("claimed_at", str)


@migrations()
def m010_publication_month(db: Database) -> None:
    # The month an article was published (else found), for the web face's facets. Computed
    # by SQLite when read (VIRTUAL): nothing to write, and no second copy to drift.
    db.execute(
        "ALTER TABLE articles ADD COLUMN published_month TEXT GENERATED ALWAYS AS "
        "(substr(coalesce(published, fetched_at), 1, 7)) VIRTUAL"
    )


@migrations()
def m011_run_worker(db: Database) -> None:
    # The machine that crawled a run: a Celery worker's name, or NULL for this machine.
    db.execute("ALTER TABLE crawl_runs ADD COLUMN worker TEXT")


# What each table holds: the README's table of tables and the web face's descriptions are
# both made from this, the one statement of it.
DESCRIPTIONS: dict[tuple[str, ...], str] = {
    ("articles",): (
        "id, url (canonical), source, title, authors (JSON list), published, published_from, "
        "fetched_at, language, description, site_name, text (the current version), text_hash, "
        "word_count, cluster_id, updated_at, published_month (computed)"
    ),
    ("minhashes", "lsh_bands"): (
        "the near-duplicate index: each article's signature, and one row per (band key, article)"
    ),
    ("article_versions",): (
        "earlier texts of updated articles: article_id, version, fetched_at, title, text, text_hash"
    ),
    ("articles_fts",): "FTS5 index over title and text, kept in sync by triggers",
    ("sightings",): (
        "every URL an article's text was seen at: url, article_id, source, first_seen, last_seen"
    ),
    ("pages",): (
        "every URL fetched or skipped: kind, HTTP status, outcome, reason, ETag/Last-Modified; "
        "for article pages, the page-type rules version that judged it, where its URL was found "
        "(`presented_by`: feed, sitemap, front) and what older rules had said (`previous`)"
    ),
    ("crawl_runs",): (
        "one row per crawl of a source: started, finished, status, reason, pages fetched, "
        "listings read, articles new, articles updated, duplicates, skipped (and "
        "`skipped_reasons`, JSON), errors (and `http_errors`, JSON: by HTTP status, or "
        "`network`, `unreadable` for a feed or sitemap that answered but could not be read, "
        "`extraction` for a worker that died), not modified, empty extractions, robots.txt "
        "denials, `listing_problems` (JSON), bytes, duration, and the `worker` that crawled it "
        "(`newswatch worker`; empty for this machine)"
    ),
    ("source_health",): (
        "each source's last verdict, its reason and since when, and whether its notice is "
        "still to be sent"
    ),
    ("alerts",): (
        "one row per (watch, story): the article, what matched, a snippet, the version when an "
        "update brought the name, delivery status and attempts"
    ),
    ("state",): "small facts the daemon keeps between runs (the last article matched, ...)",
    ("raw_pages",): (
        "with `archive_html`: each article response's status, headers and compressed body"
    ),
    ("source_blocks", "source_counters"): (
        "each source's lines of text and in how many of its articles each appeared (its "
        "learned boilerplate), and its count of articles"
    ),
}

# Columns a reader of the web face asks about.
COLUMN_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "articles": {
        "url": "canonical URL of the page the text was first stored from",
        "published": "publication date the page, its feed or its sitemap gave",
        "published_from": "where that date came from (json_ld, meta, feed, news_sitemap, ...)",
        "fetched_at": "when newswatch first stored it (UTC)",
        "cluster_id": "the story: articles with near-identical texts share it",
        "text_hash": "hash of the normalised text: the same text at another URL is a sighting",
        "published_month": "month published (else found), computed",
    },
    "alerts": {
        "watch": "the watch (watchlist.toml) whose name appeared",
        "matched": "the spelling of the watch that matched",
        "found": "the words as they appear in the text",
        "status": "pending, sending, delivered or failed",
    },
    "pages": {
        "outcome": "stored, duplicate, skipped, failed, listed, not_modified, redirected, "
        "updated or unchanged",
        "reason": "why the page was skipped or failed, in words",
    },
}


def describe(table: str) -> str | None:
    """What `table` holds, or None for a table of SQLite's or sqlite-utils's own."""
    return next((text for tables, text in DESCRIPTIONS.items() if table in tables), None)


def tables_markdown() -> str:
    """The README's table of tables."""
    rows = [
        f"| {', '.join(f'`{t}`' for t in tables)} | {text} |"
        for tables, text in DESCRIPTIONS.items()
    ]
    return "\n".join(["| table | holds |", "| --- | --- |", *rows])
