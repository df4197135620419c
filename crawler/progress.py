"""A live display of running crawls, for a terminal: per source, the pages fetched, the
articles stored, the pages skipped, the errors and the current rate.

It reads the crawls' Scrapy stats twice a second from the reactor thread (never once per
page), draws on stderr, and is cleared when the crawls end, for their summary.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console, Group
from rich.live import Live
from rich.table import Column, Table
from rich.text import Text
from scrapy.crawler import Crawler

from crawler.stopping import crawl_stopping
from pipelines.textnorm import printable

# The rate is measured over this many seconds.
_WINDOW = 5.0
_INTERVAL = 0.5


@dataclass(frozen=True)
class SourceProgress:
    """One source's crawl so far. `state`: starting, crawling, stopping or a run status."""

    source: str
    state: str
    fetched: int = 0
    stored: int = 0
    skipped: int = 0
    errors: int = 0
    rate: float | None = None  # pages a second, lately


def progress_view(rows: Sequence[SourceProgress], elapsed: float, stopping: bool) -> Group:
    """The display: a heading, and a row per source that fits in 80 columns (a long source
    name is shortened with "…")."""
    if stopping:
        heading = Text("Stopping: finishing the pages on their way (Ctrl-C again: at once)")
    else:
        sources = f"{len(rows)} source{'s' if len(rows) != 1 else ''}"
        heading = Text(f"Crawling {sources} · {elapsed:.0f} s")
    numbers = {"justify": "right", "no_wrap": True}
    view = Table(
        Column("source", overflow="ellipsis", no_wrap=True, max_width=30),
        Column("fetched", **numbers),
        Column("stored", **numbers),
        Column("skipped", **numbers),
        Column("errors", **numbers),
        Column("rate", min_width=11, **numbers),  # "interrupted" or "1234.5/s": no jumps
        box=None,
        header_style="bold",
        padding=(0, 1),
    )
    for row in rows:
        if row.state == "crawling":
            rate = "…" if row.rate is None else f"{row.rate:.1f}/s"
        else:
            rate = row.state
        view.add_row(
            Text(printable(row.source)),
            str(row.fetched),
            str(row.stored),
            str(row.skipped),
            Text(str(row.errors), style="red" if row.errors else ""),
            rate,
        )
    return Group(heading, view)


class LiveProgress:
    """`progress_view` of `crawlers` (source name, crawler), redrawn on `console` from the
    reactor thread until `stop`."""

    def __init__(self, console: Console, crawlers: Sequence[tuple[str, Crawler]]) -> None:
        self.crawlers = crawlers
        self.started = time.monotonic()
        self.stopping = False
        self._samples: dict[str, deque[tuple[float, int]]] = {n: deque() for n, _ in crawlers}
        # Log lines (warnings) pass above the display: logging writes to sys.stderr, which
        # Live redirects meanwhile.
        self.live = Live(console=console, auto_refresh=False, transient=True)
        self._loop = None
        for _, crawler in crawlers:
            crawler.signals.connect(self.crawl_stopping, signal=crawl_stopping)

    def crawl_stopping(self) -> None:
        self.stopping = True
        self._draw()

    def start(self) -> None:
        from twisted.internet.task import LoopingCall

        self.live.start()
        self._loop = LoopingCall(self._draw)
        self._loop.start(_INTERVAL)

    def stop(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.live.stop()

    def _draw(self) -> None:
        now = time.monotonic()
        rows = [self._progress(name, crawler, now) for name, crawler in self.crawlers]
        self.live.update(progress_view(rows, now - self.started, self.stopping), refresh=True)

    def _progress(self, name: str, crawler: Crawler, now: float) -> SourceProgress:
        try:
            stats = crawler.stats
        except RuntimeError:  # Scrapy sets it as the crawl starts
            return SourceProgress(name, "starting")
        fetched = stats.get_value("newswatch/pages_fetched", 0)
        samples = self._samples[name]
        samples.append((now, fetched))
        while now - samples[0][0] > _WINDOW:
            samples.popleft()
        first_time, first_fetched = samples[0]
        rate = (fetched - first_fetched) / (now - first_time) if now - first_time >= 1 else None
        # The run's status once it ended (finished, interrupted, failed).
        state = stats.get_value("newswatch/status")
        if state is None and self.stopping:
            state = "stopping"
        elif state is None:
            running = crawler.engine is not None and crawler.engine.running
            state = "crawling" if running else "starting"
        return SourceProgress(
            name,
            state,
            fetched,
            stats.get_value("newswatch/articles_new", 0),
            stats.get_value("newswatch/skipped", 0),
            stats.get_value("newswatch/errors", 0),
            rate,
        )
