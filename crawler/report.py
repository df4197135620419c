"""Readable summaries of crawl runs, for the terminal."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table

from crawler.run import RunResult


def results_table(results: Iterable[RunResult]) -> Table:
    table = Table(
        "source",
        "status",
        "fetched",
        "new",
        "duplicates",
        "skipped",
        "errors",
        "unchanged feeds",
        title="Crawl summary",
        box=None,
    )
    for r in results:
        status = r.status if not r.reason else f"{r.status} ({r.reason})"
        table.add_row(
            r.source,
            status,
            str(r.pages_fetched),
            str(r.articles_new),
            str(r.duplicates),
            str(r.skipped),
            str(r.errors),
            str(r.not_modified),
        )
    return table
