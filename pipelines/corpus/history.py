"""An article's versions: the texts a recheck replaced, and the current one."""

from __future__ import annotations

import difflib

from sqlite_utils import Database

from pipelines.textnorm import word_count


class UnknownArticle(Exception):
    """No stored article has this id."""


def article_versions(db: Database, article_id: int) -> list[dict]:
    """Every version of the article, oldest first; the last one is its current text.

    Each: version, fetched_at, title, text, words, current.
    """
    current = db.execute(
        "SELECT title, text, coalesce(updated_at, fetched_at) FROM articles WHERE id = ?",
        [article_id],
    ).fetchone()
    if current is None:
        raise UnknownArticle(f"no article has the id {article_id}")
    rows = db.execute(
        "SELECT version, fetched_at, title, text FROM article_versions "
        "WHERE article_id = ? ORDER BY version",
        [article_id],
    ).fetchall()
    versions = [
        {"version": v, "fetched_at": at, "title": title, "text": text, "current": False}
        for v, at, title, text in rows
    ]
    versions.append(
        {
            "version": len(versions) + 1,
            "fetched_at": current[2],
            "title": current[0],
            "text": current[1],
            "current": True,
        }
    )
    for version in versions:
        version["words"] = word_count(version["text"])
    return versions


def diff(old: dict, new: dict, context: int = 1) -> list[str]:
    """A unified diff of two versions, paragraph by paragraph (the title first)."""

    def lines(version: dict) -> list[str]:
        paragraphs = [p.strip() for p in version["text"].split("\n") if p.strip()]
        return [f"# {version['title'] or ''}", *paragraphs]

    return list(
        difflib.unified_diff(
            lines(old),
            lines(new),
            fromfile=f"version {old['version']} ({old['fetched_at']})",
            tofile=f"version {new['version']} ({new['fetched_at']})",
            n=context,
            lineterm="",
        )
    )
