"""What the web face's home and article pages show, read from the database: pure over a
sqlite3 connection, so the plugin runs them in Datasette's read-only threads."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from config import Config
from pipelines.monitor.checks import source_health
from pipelines.web.atom import web_link

ALERTS_PER_WATCH = 5
NEWEST = 12


def home(conn: sqlite3.Connection, config: Config) -> dict[str, Any]:
    """The latest alerts by watch, each source's health (the rules of `newswatch status`),
    and the newest articles."""
    db = Database(conn)
    now = datetime.now(UTC)
    watches = [w.name for w in config.watches]
    alerted = [r[0] for r in conn.execute("SELECT DISTINCT watch FROM alerts ORDER BY watch")]
    by_watch = []
    for watch in watches + [w for w in alerted if w not in watches]:
        rows = _rows(
            conn,
            "SELECT alerts.id, alerts.created_at, alerts.found, alerts.article_id, "
            "articles.title, articles.url, articles.source FROM alerts "
            "JOIN articles ON articles.id = alerts.article_id WHERE alerts.watch = ? "
            "ORDER BY alerts.id DESC LIMIT ?",
            [watch, ALERTS_PER_WATCH],
        )
        by_watch.append({"watch": watch, "alerts": rows, "configured": watch in watches})
    sources = [
        {
            "source": health.source,
            "verdict": health.verdict,
            "reason": health.reason,
            "last_run": f"{health.last_run:%Y-%m-%d %H:%M} UTC" if health.last_run else None,
            "new_24h": health.new_24h,
        }
        for health in source_health(db, config, [s.name for s in config.sources], now=now)
    ]
    newest = _rows(
        conn,
        "SELECT id, title, url, source, published, fetched_at FROM articles "
        "ORDER BY id DESC LIMIT ?",
        [NEWEST],
    )
    return {"alerts_by_watch": by_watch, "sources": sources, "newest": newest}


def article(conn: sqlite3.Connection, article_id: int) -> dict[str, Any] | None:
    """One article as a reader wants it: its text in paragraphs, its authors, the other
    outlets of its story, its earlier versions and the alerts its story raised."""
    rows = _rows(conn, "SELECT * FROM articles WHERE id = ?", [article_id])
    if not rows:
        return None
    row = rows[0]
    outlets = _rows(
        conn,
        "SELECT articles.id, articles.source, articles.title, articles.url, articles.published "
        "FROM articles WHERE cluster_id = ? AND id != ? "
        "ORDER BY coalesce(published, fetched_at), id",
        [row["cluster_id"], article_id],
    )
    return {
        "article": row,
        "paragraphs": [p for p in (row["text"] or "").split("\n") if p.strip()],
        "authors": _authors(row["authors"]),
        "link": web_link(row["url"]),
        "sightings": _rows(
            conn,
            "SELECT url, source, first_seen FROM sightings WHERE article_id = ? AND url != ? "
            "ORDER BY first_seen",
            [article_id, row["url"]],
        ),
        "outlets": outlets,
        "versions": _rows(
            conn,
            "SELECT version, fetched_at, title FROM article_versions WHERE article_id = ? "
            "ORDER BY version",
            [article_id],
        ),
        # One alert per (watch, story): the story's, whichever outlet raised it.
        "alerts": _rows(
            conn,
            "SELECT alerts.id, alerts.watch, alerts.matched, alerts.found, alerts.snippet, "
            "alerts.created_at, alerts.status, alerts.article_id FROM alerts "
            "JOIN articles ON articles.id = alerts.article_id WHERE articles.cluster_id = ? "
            "ORDER BY alerts.id",
            [row["cluster_id"]],
        ),
    }


def _authors(value: str | None) -> list[str]:
    try:
        names = json.loads(value) if value else []
    except ValueError:
        return [value] if value else []
    return [str(name) for name in names] if isinstance(names, list) else [str(names)]


def _rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
