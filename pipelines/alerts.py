"""Alerts: new articles matched against the watchlist, and pending alerts delivered with apprise.

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

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlite_utils import Database

from config import Config, Watch
from config.watchlist import terms_of
from pipelines.clock import now_iso
from pipelines.clusters import other_outlets
from pipelines.matcher import Hit, Matcher
from pipelines.notify import Notifier, failures, redact, send
from pipelines.storage import open_database
from pipelines.transactions import immediate

log = structlog.get_logger("newswatch.alerts")

CURSOR_KEY = "alerts_matched_through"
UPDATES_CURSOR_KEY = "alerts_updates_matched_through"
ARTICLE_COLUMNS = "id, url, source, title, published, fetched_at, text, cluster_id"


@dataclass(frozen=True)
class Delivery:
    sent: int = 0
    failed: int = 0


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
    matcher = matcher or Matcher(terms_of(w) for w in watches)
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
    matcher = Matcher([terms_of(watch)])
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


def deliver_pending(
    db: Database,
    watches: Sequence[Watch],
    *,
    now: datetime,
    retry: tuple[float, float],
    notifier: Notifier | None = None,
    give_up_after: int = 0,
) -> Delivery:
    """Send every due pending alert of the instant-mode watches, one message per alert;
    one that failed `give_up_after` times (0: never) becomes `failed`."""
    notifier = notifier or send
    by_name = {w.name: w for w in watches if w.mode == "instant"}
    if not by_name:
        return Delivery()
    rows = list(
        db.query(
            "SELECT alerts.*, articles.url, articles.title, articles.source, articles.published "
            "FROM alerts JOIN articles ON articles.id = alerts.article_id "
            "WHERE alerts.status = 'pending' AND (next_attempt IS NULL OR next_attempt <= ?) "
            f"AND alerts.watch IN ({', '.join('?' * len(by_name))}) ORDER BY alerts.id",
            [now.isoformat(timespec="seconds"), *by_name],
        )
    )
    sent = failed = 0
    for row in _with_outlets(db, rows):
        watch = by_name[row["watch"]]
        title, body = instant_message(watch.name, row)
        ok = _deliver(db, [row], watch, title, body, now, retry, notifier, give_up_after)
        sent, failed = sent + ok, failed + (not ok)
    return Delivery(sent, failed)


def deliver_digest(
    db: Database,
    watch: Watch,
    *,
    now: datetime,
    retry: tuple[float, float],
    notifier: Notifier | None = None,
) -> bool:
    """One message listing every pending alert of a digest watch; False if it failed."""
    rows = list(
        db.query(
            "SELECT alerts.*, articles.url, articles.title, articles.source, articles.published "
            "FROM alerts JOIN articles ON articles.id = alerts.article_id "
            "WHERE alerts.status = 'pending' AND alerts.watch = ? ORDER BY alerts.id",
            [watch.name],
        )
    )
    if not rows:
        return True
    title, body = digest_message(watch.name, _with_outlets(db, rows))
    return _deliver(db, rows, watch, title, body, now, retry, notifier or send)


def _deliver(
    db: Database,
    rows: list[dict],
    watch: Watch,
    title: str,
    body: str,
    now: datetime,
    retry: tuple[float, float],
    notifier: Notifier,
    give_up_after: int = 0,
) -> bool:
    """Send one message for `rows`; on failure they stay pending, due again after a backoff.

    `retry` is (first wait, longest wait) in seconds; the wait doubles each attempt.
    After `give_up_after` failed attempts (0: never) an alert is `failed`: `newswatch
    alerts --retry` makes it pending again, `--drop` lets it go.

    The rows are claimed first (`sending`, committed), and the result is recorded as
    soon as the channels have answered: a daemon killed in between leaves them
    `sending`, and the next one sends them again under the same key
    (`settle_interrupted`).
    """
    ids = [row["id"] for row in rows]
    marks = ", ".join("?" * len(ids))
    with immediate(db):
        db.execute(
            f"UPDATE alerts SET status = 'sending', claimed_at = ? WHERE id IN ({marks})",
            [now.isoformat(timespec="seconds"), *ids],
        )
    done = set(json.loads(rows[0]["delivered_to"] or "[]"))
    targets = [url for url in watch.notify if _fingerprint(url) not in done]
    key = f"alert-{ids[0]}" if len(ids) == 1 else f"digest-{_fingerprint(json.dumps(ids))}"
    results = notifier(targets, title, body, key) if targets else {}
    done |= {_fingerprint(url) for url, error in results.items() if error is None}
    errors = failures(results)
    stamp = now.isoformat(timespec="seconds")
    delivered_to = json.dumps(sorted(done))
    with immediate(db):
        for row in rows:
            attempts = row["attempts"] + 1
            if errors and give_up_after and attempts >= give_up_after:
                db.execute(
                    "UPDATE alerts SET status = 'failed', attempts = ?, last_error = ?, "
                    "next_attempt = NULL, delivered_to = ? WHERE id = ?",
                    [attempts, "; ".join(errors)[:1000], delivered_to, row["id"]],
                )
                log.error(
                    "alert_given_up", watch=watch.name, alert_id=row["id"], attempts=attempts,
                    errors=errors,
                )  # fmt: skip
            elif errors:
                wait = min(retry[1], retry[0] * 2 ** (attempts - 1))
                due = (now + timedelta(seconds=wait)).isoformat(timespec="seconds")
                db.execute(
                    "UPDATE alerts SET status = 'pending', attempts = ?, last_error = ?, "
                    "next_attempt = ?, delivered_to = ? WHERE id = ?",
                    [attempts, "; ".join(errors)[:1000], due, delivered_to, row["id"]],
                )
                log.warning(
                    "alert_failed",
                    watch=watch.name,
                    alert_id=row["id"],
                    attempts=attempts,
                    retry_in=wait,
                    errors=errors,
                )
            else:
                db.execute(
                    "UPDATE alerts SET status = 'delivered', attempts = ?, delivered_at = ?, "
                    "delivered_to = ?, last_error = NULL WHERE id = ?",
                    [attempts, stamp, delivered_to, row["id"]],
                )
                log.info(
                    "alert_sent",
                    watch=watch.name,
                    alert_id=row["id"],
                    article_id=row["article_id"],
                    url=row["url"],
                    channels=[redact(u) for u in watch.notify],
                )
    return not errors


def list_alerts(
    db: Database,
    *,
    pending: bool = False,
    watch: str | None = None,
    since: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    """Alerts, newest first, each with its article's title and URL: only those pending,
    of one watch, or created since an ISO time, when asked."""
    where, args = ["1 = 1"], []
    if pending:
        where.append("alerts.status = 'pending'")
    if watch:
        where.append("alerts.watch = ?")
        args.append(watch)
    if since:
        where.append("alerts.created_at >= ?")
        args.append(since)
    return list(
        db.query(
            "SELECT alerts.*, articles.title, articles.url FROM alerts "
            "JOIN articles ON articles.id = alerts.article_id "
            f"WHERE {' AND '.join(where)} ORDER BY alerts.id DESC LIMIT ?",
            [*args, -1 if limit is None else limit],
        )
    )


def settle_failed(db: Database, *, retry: bool, watch: str | None = None) -> int:
    """Alerts given up on (`failed`): pending again, tried afresh (`retry`), or `dropped`.
    Returns how many."""
    where, args = "status = 'failed'", []
    if watch:
        where, args = where + " AND watch = ?", [watch]
    change = (
        "status = 'pending', attempts = 0, next_attempt = NULL" if retry else "status = 'dropped'"
    )
    with immediate(db):
        return db.execute(f"UPDATE alerts SET {change} WHERE {where}", args).rowcount


def settle_interrupted(db: Database, now: str) -> int:
    """Alerts left `sending` by a daemon that died while sending them go back to `pending`:
    they are sent again, with the same key. A message cut off mid-way (a channel down or
    hanging, the common case) then still arrives; one that did arrive before the crash
    (a window of milliseconds between the channel's answer and its record) arrives twice
    under one key, which a receiver can drop. Only the daemon sends, one at a time (its
    lock), so when it starts, an alert still `sending` is one whose sender died."""
    with immediate(db):
        rows = db.execute(
            "SELECT id, watch, article_id FROM alerts WHERE status = 'sending'"
        ).fetchall()
        db.execute(
            "UPDATE alerts SET status = 'pending', attempts = attempts + 1, "
            "last_error = ? WHERE status = 'sending'",
            [f"the daemon stopped while sending it ({now}); sent again with the same key"],
        )
    for alert_id, watch, article_id in rows:
        log.warning("alert_send_interrupted", alert_id=alert_id, watch=watch, article_id=article_id)
    return len(rows)


def _with_outlets(db: Database, rows: list[dict]) -> list[dict]:
    """The rows, each with the other outlets that carried its story (as of now)."""
    return [{**row, "outlets": other_outlets(db, row["article_id"])} for row in rows]


def _updated(row: Mapping) -> str:
    return f" (updated, version {row['version']})" if row.get("version") else ""


def _carried(row: Mapping) -> str:
    outlets = row.get("outlets") or []
    return f"Also carried by: {', '.join(outlets)}\n" if outlets else ""


def instant_message(watch: str, row: Mapping) -> tuple[str, str]:
    title = f"newswatch: {watch} in “{row['title'] or row['url']}”{_updated(row)}"
    body = (
        f"{row['snippet']}\n\n"
        f"Source: {row['source']} · Published: {row['published'] or 'undated'}\n"
        f"{_carried(row)}"
        f"{row['url']}\n\n(matched “{row['found']}” for the watch {watch})"
    )
    return title, body


def digest_message(watch: str, rows: Sequence[Mapping]) -> tuple[str, str]:
    title = f"newswatch digest: {watch}, {len(rows)} new article{'s' if len(rows) > 1 else ''}"
    items = [
        f"• {row['title'] or row['url']}{_updated(row)} "
        f"({row['source']}, {row['published'] or 'undated'})\n"
        f"  {row['url']}\n  {row['snippet']}"
        + (f"\n  {_carried(row).strip()}" if row.get("outlets") else "")
        for row in rows
    ]
    return title, "\n\n".join(items)


def _fingerprint(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
