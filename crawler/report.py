"""Output for people and for pipes: tables that fit the terminal, plain lines elsewhere.

On a terminal (or wherever `COLUMNS` is set) tables are laid out for its width: short
columns stay on one line, text columns wrap at word boundaries, URLs are shortened in
the middle. In a pipe without `COLUMNS` nothing is wrapped and a table is tab-separated
values, one row per line, for other tools (`--json` where a command has it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from datetime import UTC, tzinfo
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.table import Column, Table
from rich.text import Text

from pipelines.clock import as_utc
from pipelines.textnorm import printable

if TYPE_CHECKING:
    from config.toml import Schedule
    from pipelines.storage.runs import RunResult


def output_console(stderr: bool = False) -> Console:
    """The console commands print to: plain (no wrapping, tables as TSV) in a pipe."""
    stream = sys.stderr if stderr else sys.stdout
    columns = os.environ.get("COLUMNS", "")
    if stream.isatty() or columns.isdigit():
        return Console(stderr=stderr, highlight=False)
    return PlainConsole(stderr=stderr, highlight=False, soft_wrap=True, width=1_000_000)


class PlainConsole(Console):
    """A console for pipes: lines are never wrapped and tables are tab-separated."""

    def print(self, *objects, **options) -> None:
        for item in objects:
            if isinstance(item, _Table):
                # Written as they are: rich would expand the tabs into spaces.
                self.file.write("".join(f"{line}\n" for line in item.plain_lines()))
            elif isinstance(item, Group):
                self.print(*item.renderables, **options)
            else:
                super().print(item, **options)
        if not objects:
            super().print(**options)


# Times are stored in UTC and shown in the machine's time zone (`--utc`: in UTC).
_shown_zone: list = [None]


def show_times_in_utc(utc: bool) -> None:
    _shown_zone[0] = UTC if utc else None


def shown_time(stamp: str | None) -> str:
    """A stored ISO time as a reader wants it: "2026-11-30 13:05" in the local zone; a
    date alone ("2026-11-05") as it is; "" for none."""
    if not stamp:
        return ""
    moment = as_utc(stamp)
    if moment is None:
        return printable(stamp)
    if len(stamp) <= 10:
        return moment.date().isoformat()
    return moment.astimezone(_shown_zone[0]).strftime("%Y-%m-%d %H:%M")


def shown_schedule(schedule: Schedule, zone: tzinfo | None) -> str:
    """A source's schedule as `sources` shows it: a cron expression with the zone the
    daemon reads it in (`[daemon] timezone`, or the machine's)."""
    if schedule.cron is None:
        return str(schedule)
    return f"{schedule} ({zone or 'local time'})"


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


def shorten(text: str, width: int) -> str:
    """`text` in at most `width` cells, its middle replaced by "…" when it is longer. A URL
    keeps its scheme and host whole where they leave room for the end of its path."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    scheme = text.find("://")
    if scheme >= 0:
        slash = text.find("/", scheme + 3)
        host = text[: slash if slash >= 0 else len(text)]
        if cell_len(host) + 1 + 8 <= width:
            return host + "…" + _tail(text[len(host) :], width - cell_len(host) - 1)
    tail = _tail(text, (width - 1) // 2)
    return _head(text, width - 1 - cell_len(tail)) + "…" + tail


def _head(text: str, width: int) -> str:
    out = ""
    for char in text:
        if cell_len(out + char) > width:
            break
        out += char
    return out


def _tail(text: str, width: int) -> str:
    return _head(text[::-1], width)[::-1]


class Url:
    """A URL in a table cell: whole when it fits, shortened in the middle when it does not
    (a folded URL is hard to read and to copy). `label` goes before it: "feed https://…"."""

    MIN_WIDTH = 24

    def __init__(self, url: str, label: str = "") -> None:
        self.text = printable(f"{label} {url}" if label else url)

    def __str__(self) -> str:
        return self.text

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = cell_len(self.text)
        return Measurement(min(width, self.MIN_WIDTH), width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(shorten(self.text, options.max_width), no_wrap=True)


def _cell_text(cell: object) -> str:
    if isinstance(cell, Text):
        text = cell.plain
    elif isinstance(cell, Group):
        text = " ".join(_cell_text(part) for part in cell.renderables)
    else:
        text = str(cell)
    return " ".join(text.split())


class _Table(Table):
    """A table whose text cells are plain text (see `plain`); styled cells are `Text`."""

    url_columns: frozenset[int] = frozenset()

    def add_row(self, *renderables, **options) -> None:
        cells = [
            (Url(cell) if i in self.url_columns else plain(cell)) if isinstance(cell, str) else cell
            for i, cell in enumerate(renderables)
        ]
        super().add_row(*cells, **options)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = self._fit(console, options)
        for column, width in zip(self.columns, widths, strict=True):
            column.width = width
        try:
            yield from super().__rich_console__(console, options)
        finally:
            for column in self.columns:
                column.width = None

    def plain_lines(self) -> list[str]:
        """The table for a pipe: its title (for the reader: tools skip the first lines),
        then tab-separated values, a header line and one line a row."""
        lines = [printable(str(self.title))] if self.title else []
        lines.append("\t".join(str(c.header) for c in self.columns))
        for row in zip(*(c.cells for c in self.columns), strict=True):
            lines.append("\t".join(_cell_text(cell) for cell in row))
        return lines

    def _fit(self, console: Console, options: ConsoleOptions) -> list[int | None]:
        """Column widths for `options.max_width`: names and numbers whole, then room for
        each URL's host and each text's longest word, then what is left shared out evenly.
        Where even that does not fit, rich's own squeeze (which may break words) decides."""
        measured = [self._measure_column(console, options, c) for c in self.columns]
        padding = [self._get_padding_width(i) for i in range(len(self.columns))]
        if sum(m.maximum for m in measured) <= options.max_width:
            return [None] * len(self.columns)
        flexible = [i in self.url_columns or not c.no_wrap for i, c in enumerate(self.columns)]
        widths = []
        for i, m in enumerate(measured):
            # A text's longest word may be a URL: past 20 cells it is folded.
            floor = (Url.MIN_WIDTH if i in self.url_columns else min(m.minimum, 20)) + padding[i]
            widths.append(min(floor, m.maximum) if flexible[i] else m.maximum)
        spare = options.max_width - sum(widths)
        if spare < 0:
            return [None] * len(self.columns)
        # Water-filling: each flexible column grows a cell at a time until it is whole
        # or the room is gone, so a short column is never squeezed for a long one.
        growing = [i for i, f in enumerate(flexible) if f and widths[i] < measured[i].maximum]
        while spare > 0 and growing:
            for i in list(growing):
                if spare == 0:
                    break
                widths[i] += 1
                spare -= 1
                if widths[i] >= measured[i].maximum:
                    growing.remove(i)
        return [w - padding[i] for i, w in enumerate(widths)]


def table(
    *headers: str, title: str | None = None, wrap: Iterable[str] = (), urls: Iterable[str] = ()
) -> Table:
    """A borderless table laid out for the console's width. Columns named in `wrap` hold
    text and wrap at word boundaries; those in `urls` hold URLs, shortened in the middle
    when narrow; the others (names, numbers, times) stay on one line. Its text cells are
    never read as markup."""
    wrap, urls = set(wrap), set(urls)
    columns = [
        Column(h, overflow="fold") if h in wrap else Column(h, no_wrap=True, overflow="ellipsis")
        for h in headers
    ]
    listing = _Table(*columns, title=title, box=None, pad_edge=False)
    listing.url_columns = frozenset(i for i, h in enumerate(headers) if h in urls)
    return listing


def results_table(results: Iterable[RunResult]) -> Group:
    """The crawl summary: a row a source, then why a source failed or read less than it
    should (a feed answering 404, a host with no DNS entry), a line each."""
    results = list(results)
    summary = table(
        "source", "status", "fetched", "new", "updated", "duplicates", "skipped", "errors",
        title="Crawl summary",
    )  # fmt: skip
    for r in results:
        summary.add_row(
            r.source,
            r.status,
            *map(str, (r.pages_fetched, r.articles_new, r.updated, r.duplicates)),
            *map(str, (r.skipped, r.errors)),
        )
    reasons = [
        line((r.source, "bold"), ": ", "; ".join(filter(None, (r.reason, r.problems))))
        for r in results
        if r.reason or r.problems
    ]
    return Group(summary, *reasons)
