"""The `pages` table as people ask about it: what became of each URL newswatch asked for and
why (`newswatch pages`), and releasing skipped pages so the next crawl fetches them again
(`newswatch forget`).

A page is settled, never fetched again, while its row says it was handled (an outcome in
`SETTLED_OUTCOMES`: a skip among them) or a sighting holds its URL (a stored article).
Releasing a page deletes its row, and the rows of the URLs that redirected to it: the
next crawl that finds it listed takes it for a page never seen. Sightings, and with them
stored articles, are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from pipelines.storage.transactions import immediate

# Every outcome a page row can have (pipelines.store_pipeline).
OUTCOMES = (
    "stored",
    "duplicate",
    "skipped",
    "failed",
    "listed",
    "not_modified",
    "redirected",
    "updated",
    "unchanged",
)
# What `forget` releases: article pages that were skipped, or failed (those are fetched
# again whenever a listing names them; forgetting one clears its record).
RELEASABLE = ("skipped", "failed")
# What a page row tells, in this order (its saved body and validators are the crawl's).
COLUMNS = (
    "url",
    "source",
    "kind",
    "status",
    "outcome",
    "reason",
    "fetched_at",
    "run_id",
    "article_id",
    "presented_by",
    "previous",
    "rules",
)
# The reason of a `redirected` row: "redirected to " and the page it led to.
_REDIRECTED_TO = "redirected to "


@dataclass(frozen=True)
class PageFilter:
    """Which pages: of a source, with an outcome, whose reason contains some words,
    fetched since a moment (ISO, UTC), at some URLs (or redirected to them)."""

    source: str | None = None
    outcome: str | None = None
    reason: str | None = None
    since: str | None = None
    urls: tuple[str, ...] = ()


def _where(filters: PageFilter) -> tuple[str, list]:
    clauses, args = ["1 = 1"], []
    if filters.source:
        clauses.append("source = ?")
        args.append(filters.source)
    if filters.outcome:
        clauses.append("outcome = ?")
        args.append(filters.outcome)
    if filters.reason:
        # Words anywhere in the reason, any case: "too_short", "404", "robots".
        clauses.append("reason LIKE ? ESCAPE '\\'")
        escaped = filters.reason.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        args.append(f"%{escaped}%")
    if filters.since:
        clauses.append("fetched_at >= ?")
        args.append(filters.since)
    if filters.urls:
        # The URL itself, the page a listed URL redirected to, and the URLs that
        # redirected to it: one page's whole record.
        marks = ", ".join("?" * len(filters.urls))
        clauses.append(
            f"(url IN ({marks}) OR url IN (SELECT substr(reason, {len(_REDIRECTED_TO) + 1}) "
            f"FROM pages WHERE outcome = 'redirected' AND url IN ({marks})) "
            f"OR (outcome = 'redirected' AND reason IN ({marks})))"
        )
        args += [*filters.urls, *filters.urls, *(_REDIRECTED_TO + u for u in filters.urls)]
    return " AND ".join(clauses), args


def list_pages(db: Database, filters: PageFilter, *, limit: int | None = None) -> list[dict]:
    """The recorded pages that match, newest first, as dicts of `COLUMNS`."""
    where, args = _where(filters)
    sql = f"SELECT {', '.join(COLUMNS)} FROM pages WHERE {where} ORDER BY fetched_at DESC, url"
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    return [dict(zip(COLUMNS, row, strict=True)) for row in db.execute(sql, args).fetchall()]


@dataclass(frozen=True)
class Released:
    """What `forget_pages` released: the pages, and the URLs that had redirected to them."""

    pages: list[str]
    redirects: list[str]


def forget_pages(db: Database, filters: PageFilter, *, dry_run: bool = False) -> Released:
    """Release the article pages that match and were skipped or failed (only those, even
    for another `filters.outcome`), in one transaction: their rows, and the rows of the
    URLs that redirected to them, are deleted. A URL a stored article was seen at stays.
    With `dry_run`, say what it would release and change nothing."""
    where, args = _where(filters)
    releasable = ", ".join(f"'{o}'" for o in RELEASABLE)
    with immediate(db):
        pages = _urls(
            db,
            f"SELECT url FROM pages WHERE {where} AND kind = 'article' "
            f"AND outcome IN ({releasable}) AND url NOT IN (SELECT url FROM sightings) "
            "ORDER BY fetched_at DESC, url",
            args,
        )
        redirects = []
        for chunk in _chunks(pages, 400):
            redirects += _urls(
                db,
                "SELECT url FROM pages WHERE outcome = 'redirected' AND article_id IS NULL "
                f"AND reason IN ({', '.join('?' * len(chunk))})",
                [_REDIRECTED_TO + url for url in chunk],
            )
        if not dry_run:
            for chunk in _chunks(pages + redirects, 400):
                db.execute(f"DELETE FROM pages WHERE url IN ({', '.join('?' * len(chunk))})", chunk)
    return Released(pages, redirects)


def _urls(db: Database, sql: str, args: list) -> list[str]:
    return [url for (url,) in db.execute(sql, args).fetchall()]


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    """At most `size` at a time: SQLite bounds the parameters of one statement."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
