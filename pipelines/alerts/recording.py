"""Alerts recorded: new articles matched against the watchlist, one alert per watch and story.

Matching follows a cursor over `articles.id`, kept in the `state` table and moved
in the same transaction as the alerts it produced, so a crash can neither lose
nor repeat an alert; the unique (watch, article_id) index makes repeats
impossible in any case. A watch alerts once per story: not again for another
article of the same near-duplicate cluster. Updated articles follow a second
cursor, over `article_versions.id`: a watched name the update brought in (absent
from the text it replaced) alerts for that update. A watch only alerts on
articles fetched after it first appeared in the watchlist; `backfill` runs it
over older ones on request.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence

import structlog
from sqlite_utils import Database

from config import Config, Watch
from pipelines.alerts.matcher import Hit, Matcher
from pipelines.clock import now_iso
from pipelines.storage.database import open_database
from pipelines.storage.transactions import immediate

log = structlog.get_logger("newswatch.alerts")

CURSOR_KEY = "alerts_matched_through"
UPDATES_CURSOR_KEY = "alerts_updates_matched_through"
ARTICLE_COLUMNS = "id, url, source, title, published, fetched_at, text, cluster_id"


def get_state(db: Database, key: str) -> str | None:
    row = db.execute("SELECT value FROM state WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_state(db: Database, key: str, value: str) -> None:
    db.execute(
        "INSERT INTO state (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


def register_watches(db: Database, watches: Iterable[Watch], now: str) -> None:
    """Remember when each watch was first seen: it alerts on articles fetched from then on."""
    with immediate(db):
        for watch in watches:
            key = f"watch_since:{watch.name.casefold()}"
            if get_state(db, key) is None:
                set_state(db, key, now)


def register(config: Config) -> None:
    """Start the watches' clocks: they alert on articles fetched from now on."""
    if config.watches:
        db = open_database(config.storage.database)
        try:
            register_watches(db, config.watches, now_iso())
        finally:
            db.close()


def match_alerts(config: Config) -> int:
    """Match the articles stored since the last time against the watchlist.

    Best effort: if the database is busy (a daemon matching at the same moment),
    the daemon, or the next crawl, matches them instead.
    """
    if not config.watches:
        return 0
    db = open_database(config.storage.database)
    try:
        now = now_iso()
        register_watches(db, config.watches, now)
        return match_new_articles(db, config.watches, now=now)
    except sqlite3.Error as exc:
        log.warning("alert_matching_deferred", error=str(exc))
        return 0
    finally:
        db.close()


def match_new_articles(
    db: Database,
    watches: Sequence[Watch],
    *,
    now: str,
    matcher: Matcher | None = None,
    batch: int = 500,
) -> int:
    """Match the articles stored or updated since the last call; returns the alerts created."""
    if not watches:
        return 0
    matcher = matcher or Matcher(watches)
    by_name = {w.name: w for w in watches}
    since = {w.name: get_state(db, f"watch_since:{w.name.casefold()}") or now for w in watches}

    def wanted(watch: Watch, article: Mapping, fetched_at: str) -> bool:
        if watch.sources and article["source"] not in watch.sources:
            return False
        return fetched_at >= since[watch.name]

    created = 0
    while rows := _after(db, CURSOR_KEY, f"SELECT {ARTICLE_COLUMNS} FROM articles", batch):
        with immediate(db):
            for article in rows:
                for hit in _article_hits(matcher, article):
                    watch = by_name[hit.watch]
                    if wanted(watch, article, article["fetched_at"]):
                        created += _record(db, watch, article, hit, now, status="pending")
            set_state(db, CURSOR_KEY, str(rows[-1]["id"]))
    # Updates: the text each version was replaced by, against the version itself.
    updates = (
        "SELECT v.id, v.article_id, v.version, v.title AS old_title, v.text AS old_text, "
        "coalesce(n.title, a.title) AS title, coalesce(n.text, a.text) AS text, "
        "coalesce(n.fetched_at, a.updated_at) AS updated_at, "
        "a.url, a.source, a.published, a.cluster_id "
        "FROM article_versions v JOIN articles a ON a.id = v.article_id "
        "LEFT JOIN article_versions n ON n.article_id = v.article_id AND n.version = v.version + 1"
    )
    while rows := _after(db, UPDATES_CURSOR_KEY, updates, batch, table="v"):
        with immediate(db):
            for update in rows:
                before = {
                    h.watch
                    for h in _article_hits(
                        matcher, {"title": update["old_title"], "text": update["old_text"]}
                    )
                }
                article = {**update, "id": update["article_id"]}
                for hit in _article_hits(matcher, article):
                    watch = by_name[hit.watch]
                    if hit.watch not in before and wanted(watch, article, update["updated_at"]):
                        created += _record(
                            db, watch, article, hit, now, "pending", version=update["version"] + 1
                        )
            set_state(db, UPDATES_CURSOR_KEY, str(rows[-1]["id"]))
    return created


def _after(db: Database, key: str, select: str, batch: int, table: str = "") -> list[dict]:
    """The next `batch` rows of `select` past the cursor `key` (over the rows' `id`)."""
    column = f"{table}.id" if table else "id"
    cursor = int(get_state(db, key) or 0)
    return list(db.query(f"{select} WHERE {column} > ? ORDER BY {column} LIMIT ?", [cursor, batch]))


class _Preview(Exception):
    """Ends a backfill preview's transaction: what it would record is rolled back."""


def backfill(
    db: Database, watch: Watch, *, now: str, since: str | None = None, notify: bool = False
) -> list[dict]:
    """Run one watch over the stored corpus: the alerts it raises, one per story the watch
    has not alerted on (id, article title and URL, what matched). With `notify` they are
    recorded as pending, for the daemon to deliver; without it this is a preview, worked
    out by the same code in a transaction that is rolled back: nothing is recorded, so a
    later `--notify` still finds them."""
    matcher = Matcher([watch])
    where, args = "1 = 1", []
    if since:
        where, args = "coalesce(published, fetched_at) >= ?", [since]
    if watch.sources:
        where += f" AND source IN ({', '.join('?' * len(watch.sources))})"
        args += list(watch.sources)
    raised: list[dict] = []
    try:
        with immediate(db):
            (last,) = db.execute("SELECT coalesce(max(id), 0) FROM alerts").fetchone()
            for row in db.query(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE {where}", args):
                for hit in _article_hits(matcher, row):
                    _record(db, watch, row, hit, now, status="pending", quiet=not notify)
            raised = list(
                db.query(
                    "SELECT alerts.id, alerts.found, alerts.matched, alerts.status, "
                    "articles.title, articles.url FROM alerts "
                    "JOIN articles ON articles.id = alerts.article_id "
                    "WHERE alerts.id > ? ORDER BY alerts.id",
                    [last],
                )
            )
            if not notify:
                raise _Preview
    except _Preview:
        pass
    return raised


def _article_hits(matcher: Matcher, article: Mapping) -> list[Hit]:
    # The title and the extracted main text only: never teasers, navigation or captions.
    return matcher.hits(f"{article['title'] or ''}\n\n{article['text']}")


def _record(
    db: Database,
    watch: Watch,
    article: Mapping,
    hit: Hit,
    now: str,
    status: str,
    version: int | None = None,
    quiet: bool = False,
) -> int:
    """Record one alert, unless the watch already alerted on this article's story (`quiet`:
    without logging it, for a preview that is rolled back)."""
    article_id, cluster_id = article["id"], article["cluster_id"]
    if cluster_id is not None:
        earlier = db.execute(
            "SELECT alerts.article_id FROM alerts JOIN articles ON articles.id = alerts.article_id "
            "WHERE alerts.watch = ? AND articles.cluster_id = ? LIMIT 1",
            [watch.name, cluster_id],
        ).fetchone()
        if earlier is not None:
            if earlier[0] != article_id:
                log.info(
                    "alert_same_story",
                    watch=watch.name,
                    article_id=article_id,
                    cluster_id=cluster_id,
                    alerted_article_id=earlier[0],
                )
            return 0
    if status == "pending" and not watch.notify:
        status = "recorded"  # nowhere to send it: kept for `newswatch alerts`
    cursor = db.execute(
        "INSERT OR IGNORE INTO alerts (watch, article_id, matched, found, snippet, created_at, "
        "status, attempts, delivered_to, version) VALUES (?, ?, ?, ?, ?, ?, ?, 0, '[]', ?)",
        [watch.name, article_id, hit.matched, hit.found, hit.snippet, now, status, version],
    )
    if cursor.rowcount and not quiet:
        log.info(
            "alert_created",
            watch=watch.name,
            article_id=article_id,
            cluster_id=cluster_id,
            version=version,
            matched=hit.matched,
            found=hit.found,
            status=status,
        )
    return cursor.rowcount
