"""The newswatch database: opening it (WAL, migrated), what it holds in figures, and the
raw-page compression every reader and writer shares."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from pipelines.storage.schema import migrations


class StorageError(Exception):
    """The database cannot be opened, read or written (not a database, locked, disk full)."""


def open_database(path: str | Path, *, busy_timeout: float = 5.0, migrate: bool = True) -> Database:
    """Open (creating if needed) the newswatch database at `path`, in WAL mode, migrated.

    Never deletes or recreates an existing file: a file that is not a newswatch
    database is reported, not replaced.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=busy_timeout)
        db = Database(conn)
        # WAL lets the CLI read while a crawl writes; NORMAL is durable across
        # a process crash (SIGKILL), which is the failure we plan for.
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        # Only when one is pending: applying takes the write lock, which a reader (the web
        # face, the CLI) must never wait for while a crawl writes.
        if migrate and migrations.pending(db):
            migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"{path}: cannot be used as the newswatch database: {exc}") from None
    except OSError as exc:
        raise StorageError(f"{path}: cannot be opened: {exc.strerror or exc}") from None
    return db


def compress(body: bytes) -> bytes:
    return zlib.compress(body, 6)


def decompress(blob: bytes | None) -> bytes | None:
    return zlib.decompress(blob) if blob else None


def corpus_stats(db: Database) -> dict[str, Any]:
    """How many articles, sightings and alerts; articles by source, by language (most
    first) and by month of publication (or of fetching, for an undated article)."""
    counts = {
        "articles": db["articles"].count,
        "sightings": db["sightings"].count,
        "alerts": db["alerts"].count,
    }
    for name, expression, order in (
        ("by_source", "source", "2 DESC, k"),
        ("by_language", "language", "2 DESC, k"),
        ("by_month", "substr(coalesce(published, fetched_at), 1, 7)", "k"),
    ):
        rows = db.execute(
            f"SELECT {expression} AS k, count(*) FROM articles GROUP BY k ORDER BY {order}"
        )
        counts[name] = {key or "unknown": count for key, count in rows}
    return counts
