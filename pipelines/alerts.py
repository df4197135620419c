"""Alerts: new articles matched against the watchlist, and pending alerts delivered with apprise.

Matching follows a cursor over `articles.id`, kept in the `state` table and moved
in the same transaction as the alerts it produced, so a crash can neither lose
nor repeat an alert; the unique (watch, article_id) index makes repeats
impossible in any case. A watch only alerts on articles fetched after it first
appeared in the watchlist; `backfill` runs it over older ones on request.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlite_utils import Database

from config import Watch, redact
from config.watchlist import terms_of
from pipelines.matcher import Hit, Matcher

log = structlog.get_logger("newswatch.alerts")

CURSOR_KEY = "alerts_matched_through"
ARTICLE_COLUMNS = "id, url, source, title, published, fetched_at, text"

# What a notifier answers: for each URL, None when sent, or the reason it failed.
Notifier = Callable[[Sequence[str], str, str], dict[str, str | None]]


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
    with db.atomic():
        for watch in watches:
            key = f"watch_since:{watch.name.casefold()}"
            if get_state(db, key) is None:
                set_state(db, key, now)


def match_new_articles(
    db: Database,
    watches: Sequence[Watch],
    *,
    now: str,
    matcher: Matcher | None = None,
    batch: int = 500,
) -> int:
    """Match the articles stored since the last call; returns the number of alerts created."""
    if not watches:
        return 0
    matcher = matcher or Matcher(terms_of(w) for w in watches)
    by_name = {w.name: w for w in watches}
    since = {w.name: get_state(db, f"watch_since:{w.name.casefold()}") or now for w in watches}
    created = 0
    while True:
        cursor = int(get_state(db, CURSOR_KEY) or 0)
        rows = db.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id > ? ORDER BY id LIMIT ?",
            [cursor, batch],
        ).fetchall()
        if not rows:
            return created
        with db.atomic():
            for row in rows:
                article = dict(
                    zip(
                        ("id", "url", "source", "title", "published", "fetched_at", "text"),
                        row,
                        strict=True,
                    )
                )
                for hit in _article_hits(matcher, article):
                    watch = by_name[hit.watch]
                    if watch.sources and article["source"] not in watch.sources:
                        continue
                    if article["fetched_at"] < since[watch.name]:
                        continue
                    created += _record(db, watch, article["id"], hit, now, status="pending")
            set_state(db, CURSOR_KEY, str(rows[-1][0]))


def backfill(
    db: Database, watch: Watch, *, now: str, since: str | None = None, notify: bool = False
) -> int:
    """Run one watch over the stored corpus; alerts are only recorded unless `notify`."""
    matcher = Matcher([terms_of(watch)])
    where, args = "1 = 1", []
    if since:
        where, args = "coalesce(published, fetched_at) >= ?", [since]
    if watch.sources:
        where += f" AND source IN ({', '.join('?' * len(watch.sources))})"
        args += list(watch.sources)
    created = 0
    with db.atomic():
        for row in db.query(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE {where}", args):
            for hit in _article_hits(matcher, row):
                created += _record(
                    db, watch, row["id"], hit, now, status="pending" if notify else "recorded"
                )
    return created


def _article_hits(matcher: Matcher, article: Mapping) -> list[Hit]:
    # The title and the extracted main text only: never teasers, navigation or captions.
    return matcher.hits(f"{article['title'] or ''}\n\n{article['text']}")


def _record(db: Database, watch: Watch, article_id: int, hit: Hit, now: str, status: str) -> int:
    if status == "pending" and not watch.notify:
        status = "recorded"  # nowhere to send it: kept for `newswatch alerts`
    cursor = db.execute(
        "INSERT OR IGNORE INTO alerts (watch, article_id, matched, found, snippet, created_at, "
        "status, attempts, delivered_to) VALUES (?, ?, ?, ?, ?, ?, ?, 0, '[]')",
        [watch.name, article_id, hit.matched, hit.found, hit.snippet, now, status],
    )
    if cursor.rowcount:
        log.info(
            "alert_created",
            watch=watch.name,
            article_id=article_id,
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
) -> Delivery:
    """Send every due pending alert of the instant-mode watches, one message per alert."""
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
    for row in rows:
        watch = by_name[row["watch"]]
        title, body = instant_message(watch.name, row)
        ok = _deliver(db, [row], watch, title, body, now, retry, notifier)
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
    title, body = digest_message(watch.name, rows)
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
) -> bool:
    """Send one message for `rows`; on failure they stay pending, due again after a backoff.

    `retry` is (first wait, longest wait) in seconds; the wait doubles each attempt.
    """
    done = set(json.loads(rows[0]["delivered_to"] or "[]"))
    targets = [url for url in watch.notify if _fingerprint(url) not in done]
    results = notifier(targets, title, body) if targets else {}
    done |= {_fingerprint(url) for url, error in results.items() if error is None}
    errors = [f"{redact(url)}: {error}" for url, error in results.items() if error]
    stamp = now.isoformat(timespec="seconds")
    delivered_to = json.dumps(sorted(done))
    # Plain UPDATEs, no read first: a read-then-write transaction cannot wait for a
    # crawl's write lock (SQLite refuses the upgrade at once), a write-only one can.
    with db.atomic():
        for row in rows:
            attempts = row["attempts"] + 1
            if errors:
                wait = min(retry[1], retry[0] * 2 ** (attempts - 1))
                due = (now + timedelta(seconds=wait)).isoformat(timespec="seconds")
                db.execute(
                    "UPDATE alerts SET attempts = ?, last_error = ?, next_attempt = ?, "
                    "delivered_to = ? WHERE id = ?",
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


def instant_message(watch: str, row: Mapping) -> tuple[str, str]:
    title = f"newswatch: {watch} in “{row['title'] or row['url']}”"
    body = (
        f"{row['snippet']}\n\n"
        f"Source: {row['source']} · Published: {row['published'] or 'undated'}\n"
        f"{row['url']}\n\n(matched “{row['found']}” for the watch {watch})"
    )
    return title, body


def digest_message(watch: str, rows: Sequence[Mapping]) -> tuple[str, str]:
    title = f"newswatch digest: {watch}, {len(rows)} new article{'s' if len(rows) > 1 else ''}"
    items = [
        f"• {row['title'] or row['url']} ({row['source']}, {row['published'] or 'undated'})\n"
        f"  {row['url']}\n  {row['snippet']}"
        for row in rows
    ]
    return title, "\n\n".join(items)


def send(urls: Sequence[str], title: str, body: str) -> dict[str, str | None]:
    """Notify each URL separately, so one failing channel does not hide the others."""
    import apprise

    results: dict[str, str | None] = {}
    for url in urls:
        notifier = apprise.Apprise()
        if not notifier.add(url):
            results[url] = "not a notification URL apprise accepts"
            continue
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
            ok = bool(notifier.notify(title=title, body=body))
        reason = captured.getvalue().strip().splitlines()[-1:] if not ok else []
        results[url] = None if ok else _scrub(reason[0] if reason else "delivery failed", url)
    return results


def _scrub(message: str, url: str) -> str:
    """Apprise's error, without the URL's secrets should it quote them."""
    secret_free = message.replace(url, redact(url))
    if "@" in url.split("://", 1)[-1]:
        credentials = url.split("://", 1)[-1].split("@", 1)[0]
        secret_free = secret_free.replace(credentials, "****")
    return secret_free


def _fingerprint(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
