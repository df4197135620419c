"""Downloader middlewares: replay from the archive, conditional GET, and polite retries.

What is fetched at all (each URL once a run, nothing settled, the page budget) is the
spider's decision (`crawler.spiders`)."""

from __future__ import annotations

import asyncio
import contextlib
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from crawler.stopping import CrawlStopped, crawl_stopping
from pipelines.storage.writer import Store


class StoreMiddleware:
    """Base for middlewares that read the newswatch database while crawling."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self._store: Store | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.get("NEWSWATCH_DB_PATH"):
            raise NotConfigured("NEWSWATCH_DB_PATH is not set")
        return cls(crawler)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.acquire(self.crawler.settings["NEWSWATCH_DB_PATH"])
        return self._store

    def spider_closed(self) -> None:
        if self._store is not None:
            self._store.release()
            self._store = None


class ReplayMiddleware(StoreMiddleware):
    """`newswatch reextract`: answers a request from the raw-page archive, never the network.

    It runs before every other downloader middleware, so an archived page costs no
    robots.txt lookup, and is judged again by the same pipelines.
    """

    def process_request(self, request: Request) -> Response | None:
        raw_id = request.meta.get("nw_replay")
        if raw_id is None:
            return None
        archived = self.store.archived_response(raw_id)
        if archived is None:
            raise IgnoreRequest(f"no archived response {raw_id}")
        url, status, headers, body = archived
        headers = Headers([(name, value) for name, value in headers])
        cls = responsetypes.from_args(headers=headers, url=url, body=body)
        return cls(url=url, status=status, headers=headers, body=body, request=request)


class ConditionalGetMiddleware(StoreMiddleware):
    """Sends the saved ETag and Last-Modified with feeds, sitemaps, fronts and rechecks.

    On 304 Not Modified a listing's saved body is put back on the response, so
    the spider still reads its links: a run killed before fetching them all
    catches up next time even though the feed has not changed. A recheck's 304
    reaches the spider as it is: the stored article is current.
    """

    def process_request(self, request: Request) -> None:
        if not request.meta.get("nw_conditional"):
            return
        etag, last_modified, body = self.store.validators(request.url)
        if body is None and request.meta.get("nw_kind") != "recheck":
            return
        if etag:
            request.headers[b"If-None-Match"] = etag
        if last_modified:
            request.headers[b"If-Modified-Since"] = last_modified
        if body is not None:
            request.meta["nw_saved_body"] = body

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status == 304 and "nw_saved_body" in request.meta:
            self.stats.inc_value("newswatch/not_modified")
            return response.replace(body=request.meta["nw_saved_body"], flags=["not_modified"])
        return response


class PoliteRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, spaced out: exponential backoff with jitter, and Retry-After honoured.

    Scrapy retries at once and ignores Retry-After; a site that asks us to wait (429, 503)
    should be answered by waiting. The waits for one URL add up to `max_retry_after` at
    most: a site asking for more (`Retry-After: 999999`) is not asked again in this run,
    and its page is recorded as failed, to be fetched next time. Other server errors
    (500, 502, 504) back off for seconds, whatever they ask.
    """

    ASKING = (429, 503)

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.backoff = settings.getfloat("NEWSWATCH_RETRY_BACKOFF", 1.0)
        self.max_wait = settings.getfloat("NEWSWATCH_MAX_RETRY_AFTER", 120.0)
        self._stopped = asyncio.Event()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = super().from_crawler(crawler)
        crawler.signals.connect(middleware.crawl_stopping, signal=crawl_stopping)
        return middleware

    def crawl_stopping(self) -> None:
        self._stopped.set()

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        delay = self._delay(request)
        if response.status in self.ASKING:
            asked = retry_after_seconds(response.headers.get(b"Retry-After"))
            if asked is not None:
                self.crawler.stats.inc_value("newswatch/retry_after_honoured")
                delay = max(delay, asked)
        waited = request.meta.get("nw_waited", 0.0)
        if waited + delay > self.max_wait:
            self.crawler.stats.inc_value("newswatch/retry_wait_refused")
            return response
        retry = self._retry_request(request, f"HTTP {response.status}")
        if retry is None:
            return response
        retry.meta["nw_waited"] = waited + delay
        await self._wait(delay)
        return retry

    async def process_exception(self, request: Request, exception: Exception):
        if request.meta.get("dont_retry") or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry_request(request, exception)
        if retry is not None:
            await self._wait(self._delay(request))
        return retry

    async def _wait(self, seconds: float) -> None:
        """Wait before a retry; a crawl stopped meanwhile (up to `max_retry_after` can be
        asked) makes no retry, and the page is fetched next time."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), seconds)
            raise CrawlStopped("the crawl was stopped before a retry")

    def _retry_request(self, request: Request, reason) -> Request | None:
        return get_retry_request(
            request,
            reason=reason,
            spider=self.crawler.spider,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
        )

    def _delay(self, request: Request) -> float:
        attempt = request.meta.get("retry_times", 0)
        return self.backoff * (2**attempt) * (0.5 + random.random())


def retry_after_seconds(value: bytes | None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())
