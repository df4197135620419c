"""The spider: one source's feeds, sitemaps and section fronts, turned into article requests."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from twisted.python.failure import Failure

from config import Source
from crawler.discovery import MAX_URL, DiscoveryError, Link, feed_links, sitemap_links
from crawler.items import ArticlePage, FailedPage, ListingPage
from crawler.middlewares import AlreadyCollected, PageBudgetSpent
from crawler.urls import canonical_url, same_site
from pipelines.storage import Store

# Feeds and fronts are revalidated every run; article pages are never cached.
_REVALIDATE = {"Cache-Control": "max-age=0"}
_MAX_SITEMAP_DEPTH = 3


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# Pages skipped by older page-type rules are judged again if fetched within this window.
_REEXAMINE_WITHIN = timedelta(days=30)


class SourceSpider(scrapy.Spider):
    """Crawls one configured source once: discovery pages first, then the articles they list."""

    name = "newswatch"

    def __init__(self, source: Source, **kwargs: Any) -> None:
        super().__init__(name=f"source:{source.name}", **kwargs)
        self.source = source
        # Hosts are checked in parse_front: LinkExtractor's allow_domains compares
        # host:port, so it refuses every link of a site served on a port.
        self.links = LinkExtractor(allow=source.follow, deny=source.deny, unique=True)
        self._deny = [re.compile(p) for p in source.deny]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        replay = self.settings.get("NEWSWATCH_REPLAY_SINCE")
        if replay is not None:
            for request in self._replays(replay):
                yield request
            return
        for url in self.source.feeds:
            yield self._listing(url, "feed", self.parse_feed)
        for url in self.source.sitemaps:
            yield self._listing(url, "sitemap", self.parse_sitemap)
        for url in self.source.start_urls:
            yield self._listing(url, "front", self.parse_front)
        now = datetime.now(UTC)
        store = Store.acquire(self.settings["NEWSWATCH_DB_PATH"])
        try:
            rechecks = []
            if self.source.recheck:
                since = now - timedelta(seconds=self.source.recheck)
                rechecks = store.recheck_due(self.source.name, since.isoformat(timespec="seconds"))
            since = now - _REEXAMINE_WITHIN
            outdated = store.reexamine_due(self.source.name, since.isoformat(timespec="seconds"))
        finally:
            store.release()
        for article_id, url in rechecks:
            yield self._recheck(article_id, url)
        # Pages that older page-type rules skipped for their content: judged once more.
        for url, presented_by, reason in outdated:
            request = self._article(Link(url=url), presented_by or self._presented_by)
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
        """Where a page of this source whose origin was not recorded came from, when the
        source has one kind of discovery only."""
        kinds = set()
        if self.source.feeds or self.source.sitemaps:
            kinds.add("feed")
        if self.source.start_urls:
            kinds.add("front")
        return kinds.pop() if len(kinds) == 1 else None

    def _listing(self, url: str, kind: str, callback, depth: int = 0) -> scrapy.Request:
        return scrapy.Request(
            canonical_url(url),
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

    def _listed(self, response: Response, kind: str, links: int) -> ListingPage:
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
        )

    def parse_feed(self, response: Response) -> Iterator[Any]:
        return self._guarded(response, "feed", self._parse_feed(response))

    def _parse_feed(self, response: Response) -> Iterator[Any]:
        try:
            links = feed_links(response.body, response.url)
        except DiscoveryError as exc:
            yield self._failure(response.request, "feed", str(exc), response.status)
            return
        yield self._listed(response, "feed", len(links))
        yield from self._requests(links, "feed")

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
            kind, links = sitemap_links(body, response.url)
        except DiscoveryError as exc:
            yield self._failure(response.request, "sitemap", str(exc), response.status)
            return
        yield self._listed(response, "sitemap", len(links))
        if kind == "index":
            depth = response.meta.get("nw_depth", 0) + 1
            if depth <= _MAX_SITEMAP_DEPTH:
                for link in links:
                    if link.problem is None:
                        yield self._listing(link.url, "sitemap", self.parse_sitemap, depth)
        else:
            yield from self._requests(links, "sitemap")

    def parse_front(self, response: Response) -> Iterator[Any]:
        return self._guarded(response, "front", self._parse_front(response))

    def _parse_front(self, response: Response) -> Iterator[Any]:
        if not hasattr(response, "text"):
            yield self._failure(response.request, "front", "not an HTML page", response.status)
            return
        links = [
            Link(url=link.url)
            for link in self.links.extract_links(response)
            if same_site(link.url, response.url)
        ]
        yield self._listed(response, "front", len(links))
        yield from self._requests(links, "front")

    def _requests(self, links: Iterable[Link], presented_by: str) -> Iterator[Any]:
        """A request per link; a link that names no page (an invalid host, port or
        address) is recorded as skipped, with its reason, and the others are kept."""
        for link in links:
            problem = link.problem
            if problem is None:
                try:
                    request = self._article(link, presented_by)
                except ValueError as exc:
                    problem = f"not a URL: {exc}"
                else:
                    if request is not None:
                        yield request
                    continue
            yield FailedPage(
                url=link.url[:MAX_URL],
                source=self.source.name,
                kind="article",
                reason=f"unusable link in a {presented_by}: {problem}",
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
        yield ArticlePage(
            url=response.request.url,
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
        request = failure.request
        if failure.check(AlreadyCollected, PageBudgetSpent):
            return
        kind = request.meta.get("nw_kind", "article")
        if failure.check(HttpError):
            status = failure.value.response.status
            yield self._failure(request, kind, f"HTTP {status}", status)
        elif "robots.txt" in str(failure.value):
            yield self._failure(request, kind, "forbidden by robots.txt", None, settled=True)
        else:
            reason = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"
            yield self._failure(request, kind, reason, None)

    def _failure(self, request, kind, reason, status, settled=False) -> FailedPage:
        return FailedPage(
            url=request.url,
            source=self.source.name,
            kind=kind,
            reason=reason,
            status=status,
            fetched_at=now_iso(),
            settled=settled,
        )


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
