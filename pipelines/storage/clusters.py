"""Story clusters in the database: the LSH band index, and which cluster an article joins.

An article joins the cluster of its most similar stored article when their
estimated similarity reaches the threshold; otherwise it founds its own cluster,
whose id is its own id. Clusters never merge, so a cluster id, once given, is
never taken back: alerts and exports can rely on it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pipelines.neardup import band_keys, similarities

if TYPE_CHECKING:  # workers import this module: no sqlite-utils there
    from sqlite_utils import Database

# A story carried by hundreds of outlets still costs a bounded number of comparisons.
MAX_CANDIDATES = 500


# (cluster_id, article_id, similarity) of an article's best match.
Match = tuple[int, int, float]


@dataclass(frozen=True)
class Nearest:
    """What an extraction worker found among the committed articles, for the store to finish.

    `match` is the best match among the articles with ids up to `seen_through` (one
    read snapshot); `keys` are the text's band keys, computed once.
    """

    match: Match | None
    seen_through: int
    keys: list[int]


def find_cluster(
    db: Database | sqlite3.Connection, sig: bytes, threshold: float, keys: list[int] | None = None
) -> Match | None:
    """The most similar stored article at or above the threshold, through the band index."""
    keys = keys or band_keys(sig)
    candidates = db.execute(
        f"SELECT DISTINCT article_id FROM lsh_bands WHERE key IN ({', '.join('?' * len(keys))}) "
        f"LIMIT {MAX_CANDIDATES}",
        keys,
    ).fetchall()
    if not candidates:
        return None
    return _best(sig, _signatures(db, [c[0] for c in candidates]), threshold)


class RecentArticles:
    """The band keys and signatures of the last articles this process stored, in memory.

    A worker's snapshot misses what was stored after it (the open batch, the items in
    flight): those are looked up here instead of reading their rows back. Bounded to
    `size` articles; anything older or stored by another process is read from the table.
    """

    def __init__(self, size: int = 2000) -> None:
        self.size = size
        self.entries: dict[int, tuple[int, bytes, list[int]]] = {}  # id -> cluster, sig, keys
        self.bands: dict[int, list[int]] = {}  # key -> ids

    def add(self, article_id: int, cluster_id: int, sig: bytes, keys: list[int]) -> None:
        self.entries[article_id] = (cluster_id, sig, keys)
        for key in keys:
            self.bands.setdefault(key, []).append(article_id)
        if len(self.entries) > self.size:
            oldest = next(iter(self.entries))
            for key in self.entries.pop(oldest)[2]:
                ids = self.bands[key]
                ids.remove(oldest)
                if not ids:
                    del self.bands[key]

    def clear(self) -> None:
        self.entries.clear()
        self.bands.clear()

    def find(
        self, db: Database, sig: bytes, keys: list[int], threshold: float, after: int
    ) -> Match | None:
        """The best match among the articles stored after id `after`."""
        last = db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
        if last <= after:
            return None
        candidates = {i for key in keys for i in self.bands.get(key, ()) if i > after}
        rows = [(i, *self.entries[i][:2]) for i in candidates]
        # Stored by another process (or forgotten): read back, which is rare.
        if any(i not in self.entries for i in range(after + 1, last + 1)):
            unknown = [
                row[0]
                for row in db.execute("SELECT id FROM articles WHERE id > ?", [after])
                if row[0] not in self.entries
            ]
            rows += _signatures(db, unknown) if unknown else []
        return _best(sig, rows, threshold)


def _signatures(db: Database | sqlite3.Connection, ids: list[int]) -> list[tuple]:
    """(article_id, cluster_id, minhash) of the given articles."""
    return db.execute(
        "SELECT article_id, cluster_id, minhash FROM minhashes "
        f"WHERE article_id IN ({', '.join('?' * len(ids))})",
        ids,
    ).fetchall()


def better(a: Match | None, b: Match | None) -> Match | None:
    """The more similar match; on a tie, the earlier article's."""
    if a is None or b is None:
        return a or b
    return a if (a[2], -a[1]) >= (b[2], -b[1]) else b


def _best(sig: bytes, rows: list[tuple], threshold: float) -> Match | None:
    if not rows:
        return None
    scores = similarities(sig, [row[2] for row in rows])
    best = None
    for (article_id, cluster_id, _), score in zip(rows, scores.tolist(), strict=True):
        if score >= threshold:
            best = better(best, (cluster_id, article_id, score))
    return best


_readers: dict[str, sqlite3.Connection] = {}


def nearest_committed(path: str, sig: bytes, threshold: float) -> Nearest | None:
    """In an extraction worker: the best match among committed articles, read-only.

    None when the database cannot be read now: the store then searches itself.
    """
    keys = band_keys(sig)
    try:
        conn = _readers.get(path)
        if conn is None:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
            _readers[path] = conn
        conn.execute("BEGIN")  # one snapshot for both reads
        try:
            seen = conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
            match = find_cluster(conn, sig, threshold, keys)
        finally:
            conn.execute("COMMIT")
    except sqlite3.Error:
        _readers.pop(path, None)
        return None
    return Nearest(match, seen, keys)


def index_article(
    db: Database, article_id: int, cluster_id: int, sig: bytes, keys: list[int] | None = None
) -> None:
    """Index an article's text: its signature and its band keys. An updated text replaces
    the signature and adds its keys (copies of the old text still find the story)."""
    db.execute(
        "INSERT OR REPLACE INTO minhashes (article_id, cluster_id, minhash) VALUES (?, ?, ?)",
        [article_id, cluster_id, sig],
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO lsh_bands (key, article_id) VALUES (?, ?)",
        [(key, article_id) for key in keys or band_keys(sig)],
    )


def next_article_id(db: Database) -> int:
    """The id SQLite gives the next article (max + 1: the table has no AUTOINCREMENT).

    Known before the insert, so a new story's cluster id goes in with the row.
    """
    return db.execute("SELECT coalesce(max(id), 0) + 1 FROM articles").fetchone()[0]


def outlet(url: str, site_name: str | None = None) -> str:
    """Who published a URL: the site's own name when the page gave one, else its host."""
    return site_name or urlsplit(url).hostname or url


def story_of(db: Database, article_id: int) -> int | None:
    """The story (cluster) an article belongs to; None for no such article."""
    row = db.execute("SELECT cluster_id FROM articles WHERE id = ?", [article_id]).fetchone()
    return None if row is None else row[0]


def cluster_members(db: Database, cluster_id: int) -> list[dict]:
    """Every URL the story was seen at: its articles and their syndicated copies, earliest first.

    Each row: article_id, url, outlet, source, title, published, seen (first
    fetched), copy (True for a sighting of an article at another URL).
    """
    rows = db.query(
        "SELECT a.id AS article_id, s.url, s.source, a.site_name, a.title, "
        "CASE WHEN s.url = a.url THEN a.published END AS published, "
        "s.first_seen AS seen, s.url != a.url AS copy "
        "FROM articles a JOIN sightings s ON s.article_id = a.id "
        "WHERE a.cluster_id = ? "
        "ORDER BY coalesce(datetime(published), datetime(s.first_seen)), s.first_seen, s.id",
        [cluster_id],
    )
    members = []
    for row in rows:
        copy = bool(row.pop("copy"))
        site_name = row.pop("site_name")
        name = outlet(row["url"], None if copy else site_name)
        members.append({**row, "outlet": name, "copy": copy})
    return members


def other_outlets(db: Database, article_id: int) -> list[str]:
    """The outlets, other than the article's own, that carried the article's story."""
    row = db.execute(
        "SELECT cluster_id, site_name, url FROM articles WHERE id = ?", [article_id]
    ).fetchone()
    if row is None or row[0] is None:
        return []
    own = outlet(row[2], row[1])
    outlets = dict.fromkeys(m["outlet"] for m in cluster_members(db, row[0]))
    return [name for name in outlets if name != own]
