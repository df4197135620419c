"""Readable summaries of crawl runs, for the terminal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.table import Column, Table
from rich.text import Text

from pipelines.textnorm import printable

if TYPE_CHECKING:
    from crawler.run import RunResult


def plain(value: object) -> Text:
    """`value` shown as it is: never read as rich markup (a title like "vote [/b]" or a
    search hit "[tram]"), never highlighted, and without terminal control characters."""
    return Text("" if value is None else printable(str(value)))


def line(*parts: str | tuple[str, str] | Text) -> Text:
    """One line of untrusted text with styled parts: `line(("#12", "dim"), " ", title)`."""
    return Text.assemble(*map(_part, parts))


def _part(part: str | tuple[str, str] | Text) -> str | tuple[str, str] | Text:
    if isinstance(part, Text):
        return part
    if isinstance(part, tuple):
        return printable(part[0]), part[1]
    return printable(part)


class _PlainTable(Table):
    """A table whose text cells are plain text (see `plain`); styled cells are `Text`."""

    def add_row(self, *renderables, **options) -> None:
        cells = [plain(c) if isinstance(c, str) else c for c in renderables]
        super().add_row(*cells, **options)


def table(*headers: str, title: str | None = None) -> Table:
    """A borderless table whose cells wrap rather than hide text behind "…" (URLs must
    stay whole, on a terminal or in a pipe). Its text cells are never read as markup."""
    return _PlainTable(*(Column(h, overflow="fold") for h in headers), title=title, box=None)


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
