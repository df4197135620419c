"""The writes a crawl makes (`Store`): pages, articles, sightings, raw pages and runs.

A crawl writes in units: a page's outcome (its article, sightings and page row) is one
unit. Units are committed together at the end of the event loop's turn that wrote them
(or every `batch_size` units), so the write lock is held while the crawl writes, never
while it waits on the network: other crawls, the daemon's alert job and the CLI are
kept waiting milliseconds. A crawl killed with SIGKILL loses at most the units of its
last turn; the pages it never recorded are fetched again by the next crawl, because only
recorded pages count as seen.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from sqlite_utils import Database

from pipelines.pagetype import REEXAMINED, RULES_VERSION
from pipelines.storage import runs
from pipelines.storage.database import StorageError, compress, decompress, open_database

if TYPE_CHECKING:
    from pipelines.storage.clusters import Nearest

# The writer's near-duplicate and boilerplate code (numpy) is imported by the methods that
# write: a command that only reads (status, search) does not pay for it.

log = structlog.get_logger("newswatch.storage")

# How long a crawl waits for the write lock. Other writers hold it for milliseconds, so
# a long wait means a stuck process; meanwhile the crawl's reactor waits too.
CRAWL_BUSY_TIMEOUT = 30.0
# Outcomes of a page that mean "handled": its URL is not fetched again.
SETTLED_OUTCOMES = (
    "stored",
    "duplicate",
    "skipped",
    "updated",
    "unchanged",
    "not_modified",
    "redirected",
)
# Blocks seen once are dropped from source_blocks every this many articles of a source.
_PRUNE_EVERY = 500
# A page skipped for its content by older page-type rules: fetched once more.
_OUTDATED_SKIP = (
    f"kind = 'article' AND outcome = 'skipped' AND coalesce(rules, 1) < {RULES_VERSION} AND ("
    + " OR ".join(f"coalesce(reason, '') LIKE '{reason}%'" for reason in REEXAMINED)
    + ")"
)


def _insert(
    db: Database, table: str, row: Mapping[str, Any], update_on_conflict: str | None = None
) -> int:
    """One INSERT (or upsert on the `update_on_conflict` column) and its rowid.

    Plain SQL on the hot path: sqlite-utils' insert() inspects the table and
    opens a savepoint on every call, which costs more than the write itself.
    """
    columns = list(row)
    sql = (
        f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
        f"VALUES ({', '.join('?' * len(columns))})"
    )
    if update_on_conflict:
        updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c != update_on_conflict)
        sql += f" ON CONFLICT([{update_on_conflict}]) DO UPDATE SET {updates}"
    return db.execute(sql, [row[c] for c in columns]).lastrowid


class Store:
    """The writes of one or more crawls in one process, over one connection.

    One connection per process: two connections writing from the reactor thread
    would wait on each other's open batch until the busy timeout.
    """

    _shared: dict[Path, tuple[Store, int]] = {}

    def __init__(self, db: Database, *, batch_size: int = 50) -> None:
        self.db = db
        # A crawl's writes touch the articles, the full-text index and the band index:
        # a 32 MB page cache (SQLite's default is 2 MB) keeps their upper levels in memory.
        db.execute("PRAGMA cache_size = -32768")
        from pipelines.storage.clusters import RecentArticles

        self.recent = RecentArticles()
        self.batch_size = batch_size
        self._pending = 0
        self._depth = 0
        self._commit_due = False
        self._closed = False
        # A commit that failed after its turn (disk full): the next write reports it.
        self.failure: StorageError | None = None

    # One Store per database file per process, shared by every crawler in it.
    @classmethod
    def acquire(cls, path: Path, *, busy_timeout: float = CRAWL_BUSY_TIMEOUT) -> Store:
        path = Path(path).resolve()
        store, users = cls._shared.get(path, (None, 0))
        if store is None:
            store = cls(open_database(path, busy_timeout=busy_timeout))
        cls._shared[path] = (store, users + 1)
        return store

    def release(self) -> None:
        for path, (store, users) in list(self._shared.items()):
            if store is self:
                if users > 1:
                    self._shared[path] = (store, users - 1)
                else:
                    del self._shared[path]
                    self.close()

    @contextmanager
    def write(self) -> Iterator[Database]:
        """A unit of work, committed at the end of this turn of the event loop, or at once
        when `batch_size` units are pending. With no event loop running (a script), units
        are committed by `batch_size` and by `flush()`.

        Units nest: an inner unit is part of the outer one, so a batch is never
        committed half-way through it.
        """
        if self.failure is not None:
            raise self.failure
        try:
            if not self.db.conn.in_transaction:
                # IMMEDIATE: the write lock is taken (or waited for) now. A deferred
                # transaction that reads first fails at once, without waiting, when
                # another process commits before its first write.
                self.db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                if self._depth > 1:  # part of the enclosing unit's savepoint
                    yield self.db
                else:
                    with self.db.atomic():
                        yield self.db
            except BaseException:
                self.recent.clear()  # it may hold articles this rollback took back
                raise
            finally:
                self._depth -= 1
            if self._depth:
                return
            self._pending += 1
            if self._pending >= self.batch_size:
                self.flush()
            else:
                self._commit_at_turn_end()
        except sqlite3.Error as exc:
            raise StorageError(f"writing to the database failed: {exc}") from None

    def _commit_at_turn_end(self) -> None:
        if self._commit_due:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._commit_due = True
        loop.call_soon(self._commit_now)

    def _commit_now(self) -> None:
        self._commit_due = False
        if self._closed or self._depth:
            return
        try:
            self.flush()
        except StorageError as exc:
            self.failure = exc
            log.error("storage_failed", error=str(exc))

    def flush(self) -> None:
        """Commit the open batch, if any; a batch that cannot be committed is rolled back."""
        try:
            self.db.commit()
        except sqlite3.Error as exc:
            self.recent.clear()
            try:
                self.db.rollback()
            except sqlite3.Error:
                pass
            raise StorageError(f"committing to the database failed: {exc}") from None
        self._pending = 0

    def close(self) -> None:
        """Commit what is pending and close; a failed commit is rolled back, never half-kept."""
        self._closed = True
        try:
            self.flush()
            # Fold the WAL back into the database between crawls, so it does not grow.
            self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except (StorageError, sqlite3.Error):
            self.db.rollback()
            raise
        finally:
            self.db.close()

    # Reads used while crawling.
    def is_settled(self, url: str) -> bool:
        """True when `url` was already handled: stored, seen as a duplicate, or skipped
        (but for a content reason under older page-type rules: then it is judged again)."""
        row = self.db.execute(
            "SELECT 1 FROM sightings WHERE url = ? UNION ALL "
            f"SELECT 1 FROM pages WHERE url = ? AND outcome IN {SETTLED_OUTCOMES!r} "
            f"AND NOT ({_OUTDATED_SKIP}) LIMIT 1",
            [url, url],
        ).fetchone()
        return row is not None

    def archived_pages(
        self, source: str, since: str
    ) -> list[tuple[int, str, str, int | None, str | None, str | None]]:
        """The source's archived article responses fetched since `since`, the latest per URL:
        (raw page id, url, outcome, article id, presented_by, reason)."""
        return self.db.execute(
            "SELECT r.id, r.url, p.outcome, p.article_id, p.presented_by, p.reason "
            "FROM raw_pages r JOIN pages p ON p.url = r.url "
            "WHERE p.source = ? AND r.fetched_at >= ? "
            "AND r.id = (SELECT max(id) FROM raw_pages WHERE url = r.url) ORDER BY r.id",
            [source, since],
        ).fetchall()

    def archived_response(self, raw_id: int) -> tuple[str, int, list, bytes] | None:
        """(url, status, headers, body) of an archived response."""
        row = self.db.execute(
            "SELECT url, status, headers, body FROM raw_pages WHERE id = ?", [raw_id]
        ).fetchone()
        if row is None:
            return None
        return row[0], row[1], json.loads(row[2] or "[]"), decompress(row[3]) or b""

    def learn_blocks(self, source: str, text: str, removed: tuple[str, ...], *, now: str) -> None:
        """Count a new article's blocks for its source, the learned ones it no longer
        carries (removed) included, so they stay learned. Within the article's write."""
        db = self.db
        db.execute(
            "INSERT INTO source_counters (source, articles) VALUES (?, 1) "
            "ON CONFLICT(source) DO UPDATE SET articles = articles + 1",
            [source],
        )
        serial = db.execute(
            "SELECT articles FROM source_counters WHERE source = ?", [source]
        ).fetchone()[0]
        from pipelines.boilerplate import block_keys

        blocks = block_keys(text)
        db.conn.executemany(
            "INSERT INTO source_blocks (source, key, block, articles, since, first_seen, "
            "last_seen) VALUES (?, ?, ?, 1, ?, ?, ?) ON CONFLICT(source, key) DO UPDATE SET "
            "articles = articles + 1, last_seen = excluded.last_seen",
            [(source, key, block, serial, now, now) for key, block in blocks.items()]
            + [(source, key, "", serial, now, now) for key in removed if key not in blocks],
        )
        if serial % _PRUNE_EVERY == 0:
            # A block one article carried, long ago, will not become boilerplate.
            db.execute(
                "DELETE FROM source_blocks WHERE source = ? AND articles = 1 AND since < ?",
                [source, serial - _PRUNE_EVERY],
            )

    def reexamine_due(self, source: str, since: str) -> list[tuple[str, str | None, str]]:
        """(url, presented_by, reason) of the source's pages skipped since `since` for a
        content reason under older page-type rules."""
        return self.db.execute(
            "SELECT url, presented_by, reason FROM pages WHERE source = ? AND fetched_at >= ? "
            f"AND {_OUTDATED_SKIP} ORDER BY fetched_at DESC",
            [source, since],
        ).fetchall()

    def validators(self, url: str) -> tuple[str | None, str | None, bytes | None]:
        """ETag, Last-Modified and the saved body of a feed, sitemap or front page."""
        row = self.db.execute(
            "SELECT etag, last_modified, body FROM pages WHERE url = ?", [url]
        ).fetchone()
        if row is None:
            return None, None, None
        return row[0], row[1], decompress(row[2])

    def article_at(self, url: str) -> int | None:
        """The id of the stored article seen at `url`."""
        row = self.db.execute("SELECT article_id FROM sightings WHERE url = ?", [url]).fetchone()
        return row[0] if row else None

    def article_with_text(self, text_hash: str) -> tuple[int, str, str | None] | None:
        """(id, url, published) of the stored article with this text fingerprint."""
        return self.db.execute(
            "SELECT id, url, published FROM articles WHERE text_hash = ? ORDER BY id LIMIT 1",
            [text_hash],
        ).fetchone()

    def article_url(self, article_id: int) -> str:
        row = self.db.execute("SELECT url FROM articles WHERE id = ?", [article_id]).fetchone()
        return row[0] if row else ""

    # Writes.
    def save_article(
        self,
        article: Mapping[str, Any],
        *,
        source: str,
        now: str,
        threshold: float | None = None,
        nearest: Nearest | None = None,
    ) -> tuple[int, int]:
        """Store a new article in the story (cluster) of its nearest stored article, or in
        a new one. Returns (article id, cluster id).

        `nearest` is what an extraction worker found on a snapshot: then only the
        articles stored since are searched here.
        """
        from pipelines.neardup import DEFAULT_THRESHOLD, band_keys, signature
        from pipelines.storage.clusters import better, find_cluster, index_article, next_article_id

        threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        row = {**article, "source": source, "fetched_at": now}
        row["authors"] = json.dumps(list(row.get("authors") or []), ensure_ascii=False)
        sig = row.pop("minhash", None) or signature(row["text"])
        keys = nearest.keys if nearest else band_keys(sig)
        with self.write() as db:
            if nearest is None:
                found = find_cluster(db, sig, threshold, keys)
            else:
                recent = self.recent.find(db, sig, keys, threshold, nearest.seen_through)
                found = better(nearest.match, recent)
            row["id"] = next_article_id(db)
            row["cluster_id"] = found[0] if found else row["id"]
            _insert(db, "articles", row)
            index_article(db, row["id"], row["cluster_id"], sig, keys)
            self.recent.add(row["id"], row["cluster_id"], sig, keys)
            self._sight(db, row["id"], row["url"], source, now)
        return row["id"], row["cluster_id"]

    def replace_article(
        self, article_id: int, article: Mapping[str, Any], *, source: str, now: str
    ) -> str:
        """Make `article` (an earlier publication of the same text) the stored article.

        The id stays, so whatever refers to the article still does; the URL it
        replaces remains a sighting. Returns that URL.
        """
        row = dict(article)
        row.pop("minhash", None)  # the same text: the same signature, already indexed
        row["authors"] = json.dumps(list(row.get("authors") or []), ensure_ascii=False)
        with self.write() as db:
            replaced = self.article_url(article_id)
            db["articles"].update(article_id, {**row, "source": source, "fetched_at": now})
            self._sight(db, article_id, row["url"], source, now)
            db.execute(
                "UPDATE pages SET outcome = 'duplicate', reason = ? "
                "WHERE article_id = ? AND outcome = 'stored'",
                [f"same article as {row['url']}", article_id],
            )
        return replaced

    def recheck_due(self, source: str, since: str) -> list[tuple[int, str]]:
        """(id, url) of the source's articles published (or, undated, fetched) since `since`."""
        return self.db.execute(
            "SELECT id, url FROM articles "
            "WHERE source = ? AND coalesce(published, fetched_at) >= ? ORDER BY id",
            [source, since],
        ).fetchall()

    def update_article(
        self, article_id: int, article: Mapping[str, Any], *, now: str
    ) -> int | None:
        """Make a rechecked page's text the article's current one, if it changed beyond spacing.

        The text it replaces is kept in `article_versions`; the article keeps its id,
        URL, cluster and publication date. Returns the new current version's number
        (2 for the first update), or None when the text is unchanged.
        """
        with self.write() as db:
            current = db.execute(
                "SELECT title, text, text_hash, coalesce(updated_at, fetched_at), cluster_id "
                "FROM articles WHERE id = ?",
                [article_id],
            ).fetchone()
            if current is None or " ".join(current[1].split()) == " ".join(article["text"].split()):
                return None
            version = (
                1
                + db.execute(
                    "SELECT count(*) FROM article_versions WHERE article_id = ?", [article_id]
                ).fetchone()[0]
            )
            _insert(
                db,
                "article_versions",
                {
                    "article_id": article_id,
                    "version": version,
                    "fetched_at": current[3],
                    "title": current[0],
                    "text": current[1],
                    "text_hash": current[2],
                },
            )
            db.execute(
                "UPDATE articles SET title = coalesce(?, title), text = ?, text_hash = ?, "
                "word_count = ?, updated_at = ? WHERE id = ?",
                [
                    article.get("title"),
                    article["text"],
                    article["text_hash"],
                    article.get("word_count"),
                    now,
                    article_id,
                ],
            )
            # Copies of the new text find the story too; the old keys stay for copies of the old.
            from pipelines.neardup import signature
            from pipelines.storage.clusters import index_article

            sig = article.get("minhash") or signature(article["text"])
            index_article(db, article_id, current[4], sig)
        return version + 1

    def add_sighting(self, article_id: int, url: str, *, source: str, now: str) -> None:
        with self.write() as db:
            self._sight(db, article_id, url, source, now)

    @staticmethod
    def _sight(db: Database, article_id: int, url: str, source: str, now: str) -> None:
        db.execute(
            "INSERT INTO sightings (url, article_id, source, first_seen, last_seen) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET last_seen = excluded.last_seen",
            [url, article_id, source, now, now],
        )

    def record_page(self, page: Mapping[str, Any]) -> None:
        """Insert or update what is known of one URL. `body`, when given, is compressed."""
        row = dict(page)
        if row.get("body") is not None:
            row["body"] = compress(row["body"])
        with self.write() as db:
            _insert(db, "pages", row, update_on_conflict="url")

    def archive_response(
        self,
        url: str,
        *,
        article_id: int | None,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        fetched_at: str,
    ) -> None:
        """Keep a raw response, compressed (with [storage] archive_html)."""
        with self.write() as db:
            _insert(
                db,
                "raw_pages",
                {
                    "url": url,
                    "article_id": article_id,
                    "status": status,
                    "headers": json.dumps(headers),
                    "body": compress(body),
                    "fetched_at": fetched_at,
                },
            )

    def start_run(self, source: str, *, now: str, pid: int, run_id: int | None = None) -> int:
        """The run of this crawl (`pipelines.runs.start_run`), committed at once."""
        with self.write() as db:
            run_id = runs.start_run(db, source, now=now, pid=pid, run_id=run_id)
        self.flush()
        return run_id

    def finish_run(self, run_id: int, figures: Mapping[str, Any], *, now: str) -> None:
        with self.write() as db:
            runs.finish_run(db, run_id, figures, now=now)
        self.flush()
