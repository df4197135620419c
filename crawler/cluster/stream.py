"""StreamPipeline: a worker's crawl sends every page's outcome to the daemon's stream
instead of storing it (it replaces StorePipeline after ExtractPipeline).

Every item that reaches it becomes a `page` entry, every article page dropped as no article
(or whose extraction failed) a `dropped` entry, and the crawl's close an `end` entry with
its Scrapy stats. Redis unreachable: each XADD retries with back-off for a bounded time,
then the crawl stops with `stream_error` and `newswatch crawl --to-stream` exits with
`STREAM_EXIT`, for the task to be run again: no entry is left out silently.
"""

from __future__ import annotations

import os
import time
from typing import Any, Self

import redis
import structlog
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from crawler.cluster.broker import redis_client, retries_within
from crawler.cluster.entries import dropped_entry, end_entry, page_entry, stream_key
from crawler.items import ArticlePage
from pipelines.extract_pipeline import ExtractionFailed, NotAnArticle

log = structlog.get_logger("newswatch.cluster")

# `newswatch crawl --to-stream` exits with this (EX_UNAVAILABLE) when the stream could not be
# written: the task is run again.
STREAM_EXIT = 69
# The worker's name, as its crawl subprocess is told it.
WORKER_ENV = "NEWSWATCH_WORKER"


def stream_settings(
    broker: str, queue: str, run_id: int, outage_wait: float = 60.0
) -> dict[str, Any]:
    """The settings that make a crawl send its outcomes to `queue`'s stream for run `run_id`."""
    return {
        "ITEM_PIPELINES": {
            "pipelines.extract_pipeline.ExtractPipeline": 300,
            "pipelines.store_pipeline.StorePipeline": None,  # (Scrapy merges this setting)
            "crawler.cluster.stream.StreamPipeline": 500,
        },
        "NEWSWATCH_STREAM_URL": broker,
        "NEWSWATCH_STREAM_KEY": stream_key(queue),
        "NEWSWATCH_RUN_ID": run_id,
        "NEWSWATCH_STREAM_RETRIES": retries_within(outage_wait),
    }


class StreamPipeline:
    def __init__(self, crawler: Crawler, client: redis.Redis, key: str, run_id: int) -> None:
        self.crawler = crawler
        self.client = client
        self.key = key
        self.run_id = run_id
        self.stats = crawler.stats
        self.worker = os.environ.get(WORKER_ENV, "")
        # An article page's body is kept only in the raw-page archive: sent only for it.
        self.bodies = crawler.settings.getbool("NEWSWATCH_ARCHIVE_HTML")
        self.failed = False
        self.sent = 0  # entries sent
        self.started = 0.0
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        client = redis_client(
            settings["NEWSWATCH_STREAM_URL"], retries=settings.getint("NEWSWATCH_STREAM_RETRIES")
        )
        key = settings["NEWSWATCH_STREAM_KEY"]
        return cls(crawler, client, key, settings.getint("NEWSWATCH_RUN_ID"))

    def open_spider(self) -> None:
        self.started = time.monotonic()
        self.stats.set_value("newswatch/run_id", self.run_id)

    def process_item(self, item: Any) -> Any:
        if self.failed:
            raise DropItem("the stream could not be written")
        self._send(page_entry(item, self.run_id, body=self.bodies))
        return item

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if self.failed or not isinstance(item, ArticlePage):
            return
        if isinstance(exception, NotAnArticle | ExtractionFailed):
            self._send(dropped_entry(item, exception, self.run_id, body=self.bodies))

    def spider_closed(self, reason: str) -> None:
        self.stats.set_value("newswatch/duration", round(time.monotonic() - self.started, 3))
        if not self.failed:
            self._send(end_entry(self.run_id, reason, self.stats.get_stats(), self.worker))
        if not self.failed:
            log.info(
                "stream_end_sent",
                run_id=self.run_id,
                entries=self.sent,
                requests=self.stats.get_value("downloader/request_count", 0),
                reason=reason,
            )
        self.client.close()

    def _send(self, fields: dict[str, bytes]) -> None:
        try:
            self.client.xadd(self.key, fields)
            self.sent += 1
        except redis.RedisError as exc:
            # The client's retries are spent: stop; the task runs the crawl again.
            self.failed = True
            error = f"{exc.__class__.__name__}: {exc}"
            log.error("stream_failed", error=error, run_id=self.run_id, key=self.key)
            self.stats.set_value("newswatch/stream_error", error)
            if self.crawler.engine is not None:
                deferred_from_coro(self.crawler.engine.close_spider_async(reason="stream_error"))
