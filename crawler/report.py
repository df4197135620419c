"""Readable summaries of crawl runs, for the terminal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.table import Column, Table

if TYPE_CHECKING:
    from crawler.run import RunResult


def table(*headers: str, title: str | None = None) -> Table:
    """A borderless table whose cells wrap rather than hide text behind "…" (URLs must
    stay whole, on a terminal or in a pipe)."""
    return Table(*(Column(h, overflow="fold") for h in headers), title=title, box=None)


def results_table(results: Iterable[RunResult]) -> Table:
    summary = table(
        "source",
        "status",
        "fetched",
        "new",
        "updated",
        "duplicates",
        "skipped",
        "errors",
        "not modified",
        title="Crawl summary",
    )
    for r in results:
        status = r.status if not r.reason else f"{r.status} ({r.reason})"
        summary.add_row(
            r.source,
            status,
            str(r.pages_fetched),
            str(r.articles_new),
            str(r.updated),
            str(r.duplicates),
            str(r.skipped),
            str(r.errors),
            str(r.not_modified),
        )
    return summary
