"""What a worker needs to crawl a source incrementally, without the database: a snapshot.

The daemon copies, for one source, the rows a crawl reads while it crawls into a fresh,
migrated SQLite file: its pages (what is settled, the feeds' and sitemaps' validators and
saved bodies), its sightings, its learned boilerplate, and (when it rechecks articles)
the ids and URLs of its recent articles, without their text. The worker crawls against
that file exactly as a local crawl does against the database, and sends what it found
back through the stream; the snapshot is thrown away with the crawl.
"""

from __future__ import annotations

import sqlite3
import tempfile
import zlib
from datetime import timedelta
from pathlib import Path

from config import Source
from pipelines.clock import now_utc
from pipelines.storage.database import open_database

# Per table: the rows of the source a crawl reads.
_COPIED = {
    "pages": "SELECT * FROM src.pages WHERE source = :source",
    "sightings": "SELECT * FROM src.sightings WHERE source = :source",
    "source_blocks": "SELECT * FROM src.source_blocks WHERE source = :source",
    "source_counters": "SELECT * FROM src.source_counters WHERE source = :source",
}
# Articles only as far as `recheck_due` reads them: ids and URLs, no text.
_ARTICLES = (
    "INSERT INTO articles (id, url, source, title, published, fetched_at, text, text_hash) "
    "SELECT id, url, source, NULL, published, fetched_at, '', text_hash FROM src.articles "
    "WHERE source = :source AND coalesce(published, fetched_at) >= :since"
)


def snapshot_key(run_id: int) -> str:
    """Where the daemon leaves the snapshot for the crawl of run `run_id`."""
    return f"newswatch:snapshot:{run_id}"


def make_snapshot(database: Path, source: Source) -> bytes:
    """The snapshot of `source` from `database`, compressed."""
    with tempfile.TemporaryDirectory(prefix="newswatch-snapshot-") as tmp:
        path = Path(tmp) / "snapshot.db"
        db = open_database(path)
        try:
            # Pages reference articles and runs the snapshot does not hold.
            db.execute("PRAGMA foreign_keys=OFF")
            db.execute("ATTACH DATABASE ? AS src", [str(database)])
            params = {"source": source.name}
            with db.conn:
                for table, select in _COPIED.items():
                    db.execute(f"INSERT INTO [{table}] {select}", params)
                if source.recheck:
                    since = now_utc() - timedelta(seconds=source.recheck)
                    db.execute(_ARTICLES, {**params, "since": since.isoformat()})
            db.execute("DETACH DATABASE src")
            db.execute("PRAGMA journal_mode=DELETE")  # one file, no WAL beside it
        finally:
            db.close()
        return zlib.compress(path.read_bytes(), 6)


def write_snapshot(blob: bytes, path: Path) -> Path:
    """The snapshot `blob` as the database file `path` for a worker's crawl."""
    try:
        path.write_bytes(zlib.decompress(blob))
        conn = sqlite3.connect(path)
        try:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise ValueError("the snapshot is not a sound SQLite file")
        finally:
            conn.close()
    except (zlib.error, sqlite3.DatabaseError) as exc:
        raise ValueError(f"the snapshot cannot be read: {exc}") from None
    return path
