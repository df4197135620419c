"""Full-text search over stored articles (SQLite FTS5)."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

# The snippet marks each matched word with these: characters no article text holds,
# unlike brackets (a title may say "[updated]").
MARK_START, MARK_END = "\x02", "\x03"


class SearchError(Exception):
    """The search query is not valid FTS5 syntax, or the database has no articles yet."""


def search_articles(
    db: Database, query: str, *, limit: int = 20, source: str | None = None
) -> list[dict]:
    """Articles matching `query`, best first, each with a snippet around the match
    (matched words between `MARK_START` and `MARK_END`)."""
    if not db["articles"].exists():
        raise SearchError("the database has no articles table yet; run a crawl first")
    where = "articles_fts MATCH :query"
    if source:
        where += " AND articles.source = :source"
    sql = f"""
        SELECT articles.id, articles.url, articles.source, articles.title, articles.published,
               snippet(articles_fts, 1, char(2), char(3), ' … ', 24) AS snippet
        FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid
        WHERE {where}
        ORDER BY bm25(articles_fts, 5.0, 1.0)
        LIMIT :limit
    """
    try:
        cursor = db.execute(sql, {"query": query, "source": source, "limit": limit})
    except sqlite3.OperationalError as exc:
        raise SearchError(
            f"search query {query!r} is not valid: {exc}. Put phrases in double quotes; "
            "operators are AND, OR, NOT and NEAR(a b, 10)"
        ) from None
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
