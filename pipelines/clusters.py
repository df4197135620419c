"""Story clusters in the database: the LSH band index, and which cluster an article joins.

An article joins the cluster of its most similar stored article when their
estimated similarity reaches the threshold; otherwise it founds its own cluster,
whose id is its own id. Clusters never merge, so a cluster id, once given, is
never taken back: alerts and exports can rely on it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlite_utils import Database

from pipelines.neardup import band_keys, similarity

# A story carried by hundreds of outlets still costs a bounded number of comparisons.
MAX_CANDIDATES = 500


def find_cluster(db: Database, sig: bytes, threshold: float) -> tuple[int, int, float] | None:
    """(cluster_id, article_id, similarity) of the most similar stored article, if close enough."""
    keys = band_keys(sig)
    rows = db.execute(
        "SELECT id, cluster_id, minhash FROM articles WHERE id IN "
        f"(SELECT article_id FROM lsh_bands WHERE key IN ({', '.join('?' * len(keys))}) "
        f"LIMIT {MAX_CANDIDATES})",
        keys,
    ).fetchall()
    best = None
    for article_id, cluster_id, minhash in rows:
        if not minhash:
            continue
        score = similarity(sig, minhash)
        if score >= threshold and (best is None or (score, -article_id) > (best[2], -best[1])):
            best = (cluster_id or article_id, article_id, score)
    return best


def index_bands(db: Database, article_id: int, sig: bytes) -> None:
    """Add the article's band keys to the index (an updated text adds its own as well)."""
    db.conn.executemany(
        "INSERT OR IGNORE INTO lsh_bands (key, article_id) VALUES (?, ?)",
        [(key, article_id) for key in band_keys(sig)],
    )


def outlet(url: str, site_name: str | None = None) -> str:
    """Who published a URL: the site's own name when the page gave one, else its host."""
    return site_name or urlsplit(url).hostname or url


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
        "WHERE a.cluster_id = ? ORDER BY coalesce(published, s.first_seen), s.first_seen, s.id",
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
