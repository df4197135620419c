"""ExtractPipeline: runs `examine_page` on each fetched page, off the reactor thread.

trafilatura holds the GIL, so threads do not help: a process pool does, and it
keeps the reactor free to download while pages are extracted.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from config import ExtractSettings
from crawler.items import ArticlePage
from pipelines.extract import Article, Skipped, not_in_future
from pipelines.neardup import DEFAULT_THRESHOLD
from pipelines.workers import examine, init_worker, warm_up


class NotAnArticle(DropItem):
    """The page is not an article: a listing, a login page, too little text."""

    def __init__(self, skipped: Skipped) -> None:
        super().__init__(
            f"{skipped.reason}: {skipped.detail}" if skipped.detail else skipped.reason
        )
        self.reason = skipped.reason
        self.detail = skipped.detail


class ExtractionFailed(DropItem):
    """The extraction worker died; the page is fetched again by the next crawl."""


class _Pool:
    """One process pool per crawl process, shared by its crawlers."""

    executor: ProcessPoolExecutor | None = None
    users = 0

    @classmethod
    def acquire(cls, workers: int) -> ProcessPoolExecutor:
        if cls.executor is None:
            cls.executor = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=init_worker,
                initargs=(os.getpid(),),
                # No max_tasks_per_child: on Python 3.11 replacing a retired worker can
                # deadlock the pool (seen here). The pool lives as long as one crawl.
            )
            # Start the workers now: they load trafilatura while Scrapy sets up. (The
            # pool starts a worker at a submit that finds none idle: all start here.)
            with _main_module_hidden(), _signals_blocked():
                for _ in range(workers):
                    cls.executor.submit(warm_up)
        cls.users += 1
        return cls.executor

    @classmethod
    def release(cls) -> None:
        cls.users -= 1
        if cls.users <= 0 and cls.executor is not None:
            cls.executor.shutdown(wait=True, cancel_futures=True)
            cls.executor, cls.users = None, 0

    @classmethod
    def replace_broken(cls, workers: int) -> None:
        users = cls.users
        if cls.executor is not None:
            cls.executor.shutdown(wait=False, cancel_futures=True)
        cls.executor, cls.users = None, 0
        cls.acquire(workers)
        cls.users = users


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """Start processes with SIGINT and SIGTERM blocked.

    A stop sent to the crawl's process group (the daemon's SIGTERM, Ctrl-C) would kill a
    worker still importing its modules, before it ignores them itself: the pool breaks and
    the crawl logs errors instead of stopping in good order. A spawned process inherits
    the signal mask of the thread that started it; here, a signal that comes meanwhile
    waits, and is delivered when the mask is restored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stops = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start processes that do not import the main module.

    A spawned process imports its parent's main module first: here the CLI, and with it
    Scrapy and every command's imports, 1.1 s of CPU a worker for modules it never
    uses. multiprocessing finds that module by its `__spec__` or `__file__`.
    """
    main = sys.modules.get("__main__")
    saved = {name: vars(main)[name] for name in ("__spec__", "__file__") if name in vars(main)}
    main.__spec__ = None
    vars(main).pop("__file__", None)
    try:
        yield
    finally:
        vars(main).update(saved)


class ExtractPipeline:
    def __init__(
        self,
        *,
        workers: int = 2,
        min_words: int = ExtractSettings.min_words,
        timeout: float = 120.0,
        db_path: str | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self.workers = workers
        self.min_words = min_words
        self.timeout = timeout
        self.db_path = db_path
        self.threshold = threshold
        self.pooled = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        return cls(
            workers=settings.getint("NEWSWATCH_EXTRACT_WORKERS", 2),
            min_words=settings.getint("NEWSWATCH_MIN_WORDS", ExtractSettings.min_words),
            db_path=settings.get("NEWSWATCH_DB_PATH"),
            threshold=settings.getfloat("NEWSWATCH_CLUSTER_THRESHOLD", DEFAULT_THRESHOLD),
        )

    def open_spider(self) -> None:
        if self.workers > 0:
            _Pool.acquire(self.workers)
            self.pooled = True

    def close_spider(self) -> None:
        if self.pooled:
            _Pool.release()
            self.pooled = False

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePage) or item.status == 304:
            return item  # a 304 is a recheck answered "not modified": nothing to extract
        # A recheck keeps its article's story: no lookup.
        db_path = self.db_path if item.recheck is None else None
        presented_by = item.hints.get("presented_by")
        args = (
            item.body,
            item.url,
            item.content_type,
            self.min_words,
            db_path,
            self.threshold,
            presented_by,
            item.source,
        )
        if not self.pooled:
            result = examine(*args)
        else:
            future = _Pool.executor.submit(examine, *args)
            try:
                result = await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
            except TimeoutError:
                future.cancel()
                raise ExtractionFailed(f"extraction took longer than {self.timeout:g} s") from None
            except BrokenProcessPool:
                _Pool.replace_broken(self.workers)
                raise ExtractionFailed("the extraction worker died") from None
        result, item.nearest, item.boilerplate = result
        if isinstance(result, Skipped):
            raise NotAnArticle(result)
        item.article = with_hints(result, item.hints)
        return item


def judge(
    item: ArticlePage, *, min_words: int, db_path: str | None, threshold: float
) -> Article | Skipped:
    """What the crawl's extraction makes of one fetched page, in this process (`newswatch
    extract`): the article it would store (`item.boilerplate` says which of the source's
    learned lines it took out), or why it would skip the page."""
    pipeline = ExtractPipeline(workers=0, min_words=min_words, db_path=db_path, threshold=threshold)
    try:
        asyncio.run(pipeline.process_item(item))
    except NotAnArticle as skipped:
        return Skipped(skipped.reason, skipped.detail, item.url)
    return item.article


def with_hints(article: Article, hints: dict[str, Any]) -> Article:
    """Fill the date from the feed or sitemap when the page itself gave none."""
    if article.published or not hints.get("published"):
        return article
    published = not_in_future(hints["published"], None)
    if published is None:
        return article
    return replace(article, published=published, published_from=hints.get("published_from"))
