"""Alerts delivered: pending alerts sent through apprise (at once or as a digest), listed,
and settled when a delivery failed or was interrupted.

A delivery claims its alerts before sending and records which notify URLs took them: a
daemon killed mid-send sends them again under the same key (`settle_interrupted`), and
never to a URL that already took them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlite_utils import Database

from config import Watch
from pipelines.notify import Notifier, failures, redact, send
from pipelines.storage.clusters import other_outlets
from pipelines.storage.transactions import immediate

log = structlog.get_logger("newswatch.alerts")


@dataclass(frozen=True)
class Delivery:
    sent: int = 0
    failed: int = 0


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
