"""Full-text search over stored articles (SQLite FTS5).

A query is FTS5 syntax when it is valid FTS5 syntax (phrases, AND/OR/NOT, NEAR, prefix*);
otherwise it is what people type, searched as words: `Ferreira-Solberg`, `Lavrov's`,
`U.S.`, `$1.4` and `C++` find the articles that say so, where FTS5 refuses them.
"""

from __future__ import annotations

import re
import sqlite3
import threading

from sqlite_utils import Database

# The snippet marks each matched word with these: characters no article text holds,
# unlike brackets (a title may say "[updated]").
MARK_START, MARK_END = "\x02", "\x03"


# What FTS5's unicode61 tokenizer keeps as a token: runs of letters and digits.
_TOKEN = re.compile(r"[^\W_]+")


class SearchError(Exception):
    """The search query has no words, or the database has no articles yet."""


def fts_query(text: str) -> str:
    """`text` as an FTS5 MATCH expression over `articles_fts`: as written when FTS5 accepts
    it, else each word of it as a phrase of its letters and digits ("Ferreira-Solberg" is
    the phrase "Ferreira Solberg", as the index holds it)."""
    try:
        _syntax().execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", [text])
        return text
    except sqlite3.OperationalError:
        pass
    phrases = [" ".join(_TOKEN.findall(word)) for word in text.split()]
    plain = " ".join(f'"{phrase}"' for phrase in phrases if phrase)
    if not plain:
        raise SearchError(f"search query {text!r} has no words to search for")
    return plain


_syntax_checkers = threading.local()


def _syntax() -> sqlite3.Connection:
    """An empty index with the columns of `articles_fts`, per thread: FTS5 checks a
    query's syntax (and its column names) before it reads a row."""
    checker = getattr(_syntax_checkers, "connection", None)
    if checker is None:
        checker = sqlite3.connect(":memory:")
        checker.execute("CREATE VIRTUAL TABLE articles_fts USING fts5(title, text)")
        _syntax_checkers.connection = checker
    return checker


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
    expression = fts_query(query)
    cursor = db.execute(sql, {"query": expression, "source": source, "limit": limit})
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
