"""Stopping crawls promptly: Ctrl-C, SIGTERM, or the daemon that started them gone.

Scrapy's own stop lets every request already handed to the downloader run: up to
CONCURRENT_REQUESTS pages, each behind the download delay and any retry wait, so a
Ctrl-C took 19 s and fetched 21 more pages. Here a stop sends no new request: the
engine is paused, the downloader's queued requests are dropped (not recorded, so the
next crawl fetches them) and retry waits end. Pages already on their way, and pages
being extracted, are finished and committed.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Self

import structlog
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

log = structlog.get_logger("newswatch.crawl")

# Sent through a crawler's signals when it is told to stop: components that wait
# (retry backoff) stop waiting.
crawl_stopping = object()


class CrawlStopped(IgnoreRequest):
    """The crawl was stopped before this request was sent; the next crawl sends it."""


def halt(crawler: Crawler) -> bool:
    """Send no more requests for `crawler`; False while it is still starting (its engine
    not running yet: stopping it then could hang it), when the caller should try again."""
    engine = crawler.engine
    if engine is None or not engine.running:
        return False
    engine.pause()  # no request leaves the scheduler from now on
    crawler.signals.send_catch_log(crawl_stopping)
    return True


class StopMiddleware:
    """The last downloader middleware: once the crawl is stopping, the requests queued for
    the network are dropped, and so is any request still on its way through the other
    middlewares (some of them wait: robots.txt, the database)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stopping = False
        crawler.signals.connect(self.crawl_stopping, signal=crawl_stopping)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def crawl_stopping(self) -> None:
        self.stopping = True
        stopped = Failure(CrawlStopped("the crawl was stopped"))
        for slot in self.crawler.engine.downloader.slots.values():
            while slot.queue:
                _, waiting = slot.queue.popleft()
                waiting.errback(stopped)

    def process_request(self, request: Request) -> None:
        if self.stopping:
            raise CrawlStopped("the crawl was stopped")


def stop_promptly(crawler: Crawler, close: Callable[[Crawler], object]) -> None:
    """`halt` the crawler, then `close(crawler)`; a crawler still starting is stopped once
    it runs, and one that ended meanwhile is left alone."""
    from twisted.internet import reactor

    if halt(crawler):
        close(crawler)
    elif crawler.crawling:
        reactor.callLater(0.1, stop_promptly, crawler, close)


class SignalStop:
    """SIGINT (Ctrl-C) and SIGTERM stop the crawls promptly, in good order; a second one
    stops the reactor at once (what was committed stays). `signum` is the first signal."""

    def __init__(self, crawlers: Sequence[Crawler]) -> None:
        self.crawlers = crawlers
        self.signum: int | None = None
        self.forced = False
        self._previous: dict[int, object] = {}

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self._received)

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _received(self, signum: int, _frame: FrameType | None) -> None:
        # Only hand over to the reactor here: logging in a signal handler can deadlock.
        from twisted.internet import reactor

        if self.signum is None:
            self.signum = signum
            reactor.callFromThread(self._stop)
        elif not self.forced:
            self.forced = True
            reactor.callFromThread(self._force)

    def _stop(self) -> None:
        log.info("crawl_stopping", signal=signal.Signals(self.signum).name)
        for crawler in self.crawlers:
            stop_promptly(crawler, lambda c: deferred_from_coro(c.stop_async()))

    def _force(self) -> None:
        from twisted.internet import reactor

        log.warning("crawl_forced_stop", signal=signal.Signals(self.signum).name)
        for crawler in self.crawlers:
            # Scrapy stops its crawlers before the reactor stops, and would wait for the
            # graceful stop under way: a crawler no longer crawling is not waited for.
            crawler.crawling = False
        with contextlib.suppress(RuntimeError):  # already stopping
            reactor.stop()
