"""The spider: one source's feeds, sitemaps and section fronts, turned into article requests."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from twisted.internet.error import ConnectionDone, ConnectionLost
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from config import Source
from crawler.discovery import (
    MAX_LINKS,
    MAX_URL,
    DiscoveryError,
    Link,
    Listing,
    feed_links,
    front_links,
    sitemap_links,
)
from crawler.items import ArticlePage, FailedPage, ListingPage
from crawler.middlewares import PoliteRetryMiddleware, retry_after_seconds
from crawler.stopping import CrawlStopped
from crawler.urls import canonical_url
from pipelines.clock import now_iso
from pipelines.storage.writer import Store

# Feeds and fronts are revalidated every run; article pages are never cached.
_REVALIDATE = {"Cache-Control": "max-age=0"}
_MAX_SITEMAP_DEPTH = 3


# Pages skipped by older page-type rules are judged again if fetched within this window.
_REEXAMINE_WITHIN = timedelta(days=30)


class SourceSpider(scrapy.Spider):
    """Crawls one configured source once: discovery pages first, then the articles they list.

    It decides what is fetched: each URL once per run (a listing that lists itself, or an
    item pointing back at its feed, is not fetched again), an article page only when no
    earlier crawl settled it, and no more of them than the source's page budget. Requests
    past the budget are never queued, so a listing of 100,000 links costs what its first
    `max_pages` cost.
    """

    name = "newswatch"

    def __init__(self, source: Source, **kwargs: Any) -> None:
        super().__init__(name=f"source:{source.name}", **kwargs)
        self.source = source
        self._follow = [re.compile(p) for p in source.follow]
        self._deny = [re.compile(p) for p in source.deny]
        self._asked: set[str] = set()  # every URL this run asked for, listings and articles
        self._budget = 0
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.acquire(self.settings["NEWSWATCH_DB_PATH"])
        return self._store

    def closed(self, reason: str) -> None:
        if self._store is not None:
            self._store.release()
            self._store = None

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self._budget = self.settings.getint("NEWSWATCH_MAX_PAGES", 0) or float("inf")
        replay = self.settings.get("NEWSWATCH_REPLAY_SINCE")
        if replay is not None:
            for request in self._replays(replay):
                yield request
            return
        for urls, kind, callback in (
            (self.source.feeds, "feed", self.parse_feed),
            (self.source.sitemaps, "sitemap", self.parse_sitemap),
            (self.source.start_urls, "front", self.parse_front),
        ):
            for url in urls:
                if (request := self._listing(url, kind, callback)) is not None:
                    yield request
        now = datetime.now(UTC)
        rechecks = []
        if self.source.recheck:
            since = now - timedelta(seconds=self.source.recheck)
            rechecks = self.store.recheck_due(self.source.name, since.isoformat(timespec="seconds"))
        since = now - _REEXAMINE_WITHIN
        outdated = self.store.reexamine_due(self.source.name, since.isoformat(timespec="seconds"))
        for article_id, url in rechecks:
            yield self._recheck(article_id, url)
        # Pages that older page-type rules skipped for their content: judged once more.
        for url, presented_by, reason in outdated:
            request = self._wanted(Link(url=url), presented_by or self._presented_by)
            if request is not None:
                request.meta["nw_hints"]["previous"] = f"skipped ({reason}) by older rules"
                yield request

    def _replays(self, since: str) -> list[scrapy.Request]:
        """`newswatch reextract`: the source's archived article pages, judged again from the
        archive: a stored article as a recheck (a changed text becomes its next version),
        a skipped page as a new article page."""
        store = Store.acquire(self.settings["NEWSWATCH_DB_PATH"])
        try:
            archived = store.archived_pages(self.source.name, since)
        finally:
            store.release()
        requests = []
        for raw_id, url, outcome, article_id, presented_by, reason in archived:
            if outcome in ("stored", "updated", "unchanged", "not_modified") and article_id:
                request = self._recheck(article_id, url)
            elif outcome == "skipped":
                request = self._article(Link(url=url), presented_by or self._presented_by)
                if request is None:
                    continue
                request.meta["nw_hints"]["previous"] = f"skipped ({reason}), judged again"
            else:
                continue  # a duplicate is judged with its article
            request.meta["nw_replay"] = raw_id
            request.meta["nw_hints"]["replayed"] = True  # archived already
            request.meta.pop("nw_conditional", None)
            requests.append(request)
        return requests

    @property
    def _presented_by(self) -> str | None:
        return presented_by_default(self.source)

    def _listing(self, url: str, kind: str, callback, depth: int = 0) -> scrapy.Request | None:
        """The request for a feed, sitemap or front; None when this run asked for it already
        (a sitemap index that lists itself ten times costs one fetch)."""
        url = canonical_url(url)
        if url in self._asked:
            return None
        self._asked.add(url)
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.failed,
            headers=_REVALIDATE,
            priority=10,  # discovery before articles: the page budget goes to fresh links
            meta={
                "nw_kind": kind,
                "nw_conditional": True,
                "nw_depth": depth,
                "handle_httpstatus_list": [304],
            },
            dont_filter=True,
        )

    def _wanted(self, link: Link, presented_by: str | None) -> scrapy.Request | None:
        """The request for a listed article page, when it is one to fetch: not asked for
        already in this run, not settled by an earlier one, and within the page budget."""
        url = canonical_url(link.url)
        if url in self._asked:
            return None  # listed twice, or the listing itself (an item linking to its feed)
        self._asked.add(url)
        if self._budget <= 0:  # first: past the budget, no link costs a database lookup
            self.crawler.stats.inc_value("newswatch/over_page_budget")
            return None
        if self.store.is_settled(url):
            self.crawler.stats.inc_value("newswatch/already_collected")
            return None
        request = self._article(link, presented_by)
        if request is not None:
            self._budget -= 1
        return request

    def _article(self, link: Link, presented_by: str | None) -> scrapy.Request | None:
        url = canonical_url(link.url)
        if not url.startswith(("http://", "https://")) or any(p.search(url) for p in self._deny):
            return None
        # Where the URL was found: a feed or sitemap presents an article; a link on a
        # section front has to show that it is one (pipelines.pagetype).
        hints: dict[str, str | None] = {"presented_by": presented_by}
        if link.published:
            hints |= {"published": link.published, "published_from": link.published_from}
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.failed,
            meta={"nw_kind": "article", "nw_hints": hints, "dont_cache": True},
            # The spider asks for each URL once; Scrapy's filter would also drop a redirect
            # back to a URL already fetched, so a redirect loop would vanish with no row.
            dont_filter=True,
        )

    def _recheck(self, article_id: int, url: str) -> scrapy.Request:
        """A stored article fetched again, conditionally: a 304 costs the site nothing."""
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.failed,
            headers=_REVALIDATE,
            meta={
                "nw_kind": "recheck",
                "nw_recheck": article_id,
                "nw_hints": {"presented_by": "recheck"},
                "nw_conditional": True,
                "handle_httpstatus_list": [304],
                "dont_cache": True,
            },
            dont_filter=True,
        )

    def _listed(
        self, response: Response, kind: str, links: int, problem: str | None = None
    ) -> ListingPage:
        return ListingPage(
            url=response.request.url,
            source=self.source.name,
            kind=kind,
            status=response.status,
            fetched_at=now_iso(),
            links=links,
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            body=response.body,
            problem=problem,
        )

    def parse_feed(self, response: Response) -> Iterator[Any]:
        return self._guarded(response, "feed", self._parse_feed(response))

    def _parse_feed(self, response: Response) -> Iterator[Any]:
        try:
            listing = feed_links(response.body, response.url)
        except DiscoveryError as exc:
            yield self._failure(response.request, "feed", str(exc), response.status)
            return
        yield from self._read(response, listing)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        return self._guarded(response, "sitemap", self._parse_sitemap(response))

    def _parse_sitemap(self, response: Response) -> Iterator[Any]:
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except (OSError, ValueError) as exc:
                yield self._failure(response.request, "sitemap", f"bad gzip: {exc}", 200)
                return
        try:
            listing = sitemap_links(body, response.url)
        except DiscoveryError as exc:
            yield self._failure(response.request, "sitemap", str(exc), response.status)
            return
        yield from self._read(response, listing)

    def parse_front(self, response: Response) -> Iterator[Any]:
        return self._guarded(response, "front", self._parse_front(response))

    def _parse_front(self, response: Response) -> Iterator[Any]:
        try:
            if not hasattr(response, "text"):
                raise DiscoveryError("not an HTML page")
            listing = front_links(
                response.body,
                response.url,
                encoding=response.encoding,
                follow=self._follow,
                deny=self._deny,
            )
        except DiscoveryError as exc:
            yield self._failure(response.request, "front", str(exc), response.status)
            return
        yield from self._read(response, listing)

    def _read(self, response: Response, listing: Listing) -> Iterator[Any]:
        """A listing's record, then a request for each link it names (a child sitemap, or an
        article page to fetch); a listing longer than newswatch reads is a listing problem."""
        kind = response.meta["nw_kind"]
        cut = MAX_LINKS[kind]
        problem = f"lists more than {cut:,} links: the first {cut:,} read" if listing.more else None
        yield self._listed(response, kind, len(listing.links), problem)
        if listing.kind == "index":
            depth = response.meta.get("nw_depth", 0) + 1
            if depth > _MAX_SITEMAP_DEPTH:
                return
            for link in listing.links:
                if link.problem is None:
                    try:
                        request = self._listing(link.url, "sitemap", self.parse_sitemap, depth)
                    except ValueError as exc:
                        yield self._unusable(link, "sitemap", f"not a URL: {exc}")
                        continue
                    if request is not None:
                        yield request
                else:
                    yield self._unusable(link, "sitemap", link.problem)
            return
        yield from self._requests(listing.links, kind)

    def _requests(self, links: Iterable[Link], presented_by: str) -> Iterator[Any]:
        """A request per link to fetch; a link that names no page (an invalid host, port
        or address) is recorded as skipped, with its reason, and the others are kept."""
        for link in links:
            problem = link.problem
            if problem is None:
                try:
                    request = self._wanted(link, presented_by)
                except ValueError as exc:
                    problem = f"not a URL: {exc}"
                else:
                    if request is not None:
                        yield request
                    continue
            yield self._unusable(link, presented_by, problem)

    def _unusable(self, link: Link, found_in: str, problem: str) -> FailedPage:
        return FailedPage(
            url=link.url[:MAX_URL],
            source=self.source.name,
            kind="article",
            reason=f"unusable link in a {found_in}: {problem}",
            status=None,
            fetched_at=now_iso(),
            settled=True,
        )

    def _guarded(self, response: Response, kind: str, items: Iterator[Any]) -> Iterator[Any]:
        """A listing's items; an error reading it (a hostile listing, a bug of ours) fails
        the listing visibly, with its reason, instead of silently ending its links."""
        try:
            yield from items
        except Exception as exc:  # noqa: BLE001 - recorded, with its reason
            self.logger.exception("listing_unreadable: %s", response.url)
            reason = f"could not be read: {type(exc).__name__}: {exc}"
            yield self._failure(response.request, kind, reason[:500], response.status)

    def parse_article(self, response: Response) -> Iterator[ArticlePage]:
        content_type = _header(response, b"Content-Type")
        url = asked = response.request.url
        if redirects := response.meta.get("redirect_urls"):
            # Where the redirects led is the page; the URL listed is recorded as leading there.
            asked = redirects[0]
            with contextlib.suppress(ValueError):
                url = canonical_url(url)
        yield ArticlePage(
            url=url,
            listed=asked if asked != url else None,
            source=self.source.name,
            status=response.status,
            body=response.body,
            content_type=content_type,
            fetched_at=now_iso(),
            hints=response.meta.get("nw_hints") or {},
            # Only the raw-page archive uses them: not copied for every page otherwise.
            headers=[
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, values in response.headers.items()
                for value in values
            ]
            if self.settings.getbool("NEWSWATCH_ARCHIVE_HTML")
            else [],
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            recheck=response.meta.get("nw_recheck"),
        )

    def failed(self, failure: Failure) -> Iterator[FailedPage]:
        if failure.check(CrawlStopped):
            return  # never sent: not recorded, so the next crawl fetches it
        request = failure.request
        kind = request.meta.get("nw_kind", "article")
        if failure.check(HttpError):
            response = failure.value.response
            reason = f"HTTP {response.status}"
            asked = retry_after_seconds(response.headers.get(b"Retry-After"))
            if asked is not None and response.status in PoliteRetryMiddleware.ASKING:
                reason += f", asked to retry after {asked:,.0f} s"
            yield self._failure(request, kind, reason, response.status)
        elif "robots.txt" in str(failure.value):
            yield self._failure(request, kind, "forbidden by robots.txt", None, settled=True)
        else:
            reason = download_problem(failure.value, self.settings)
            yield self._failure(request, kind, reason, None)

    def _failure(self, request, kind, reason, status, settled=False) -> FailedPage:
        # Recorded under the URL asked for (a failure after redirects, under the first).
        return FailedPage(
            url=(request.meta.get("redirect_urls") or [request.url])[0],
            source=self.source.name,
            kind=kind,
            reason=reason,
            status=status,
            fetched_at=now_iso(),
            settled=settled,
        )


def presented_by_default(source: Source) -> str | None:
    """Where a page of `source` whose origin was not recorded came from, when the source
    has one kind of discovery only."""
    kinds = set()
    if source.feeds or source.sitemaps:
        kinds.add("feed")
    if source.start_urls:
        kinds.add("front")
    return kinds.pop() if len(kinds) == 1 else None


def download_problem(exc: BaseException, settings) -> str:
    """Why a page could not be fetched, in words a person understands."""
    match exc:
        case CannotResolveHostError():
            return "DNS lookup failed: no such host"
        case DownloadConnectionRefusedError():
            return "connection refused"
        case DownloadTimeoutError():
            return f"no complete answer within {settings.getfloat('DOWNLOAD_TIMEOUT'):g} s"
        case DownloadCancelledError():
            return f"larger than max_page_size ({settings.getint('DOWNLOAD_MAXSIZE'):,} bytes)"
        case ResponseDataLossError():
            return "the connection closed before the whole page arrived"
        case DownloadFailedError() if isinstance(exc.__cause__, ResponseFailed):
            # Twisted's reasons: a connection closed with no response it could parse (an
            # HTTP/0.9 answer, headers over its 16 KB line limit), or something it names.
            causes = [reason.value for reason in exc.__cause__.reasons]
            if all(isinstance(cause, ConnectionDone | ConnectionLost) for cause in causes):
                return (
                    "the connection closed before a valid HTTP response "
                    "(response headers too large, or not HTTP/1.x)"
                )
            return "the connection failed: " + "; ".join(str(cause) for cause in causes)
        case IgnoreRequest() if "max redirections" in str(exc):
            return f"a redirect loop (more than {settings.getint('REDIRECT_MAX_TIMES')} redirects)"
    message = str(exc).strip()
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
