"""StorePipeline: one article per canonical URL and per text, every outcome recorded.

Whether a page is a duplicate is decided in the same write unit that stores it, under the
database's write lock: another crawl storing the same page at the same moment is seen.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Self

import structlog
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from crawler.items import ArticlePage, FailedPage, ListingPage
from pipelines.clock import now_iso
from pipelines.dates import earlier
from pipelines.extract_pipeline import ExtractionFailed, NotAnArticle
from pipelines.neardup import DEFAULT_THRESHOLD
from pipelines.pagetype import RULES_VERSION
from pipelines.storage.database import StorageError
from pipelines.storage.runs import run_figures, stored_in_run
from pipelines.storage.writer import SETTLED_OUTCOMES, Store

log = structlog.get_logger("newswatch.pipelines")


@dataclass(frozen=True)
class Duplicate:
    """The page's article is already stored (same canonical URL or same text): the page's
    URLs become sightings of article `article_id` (at `url`)."""

    article_id: int
    url: str
    sightings: tuple[str, ...]


def duplicate_of(store: Store, item: ArticlePage) -> Duplicate | None:
    """The stored article the page duplicates, if any. An earlier publication of a stored
    text is none: it takes that article's place (`item.article_id` is set to it), so
    whichever copy a crawl fetches first, the original is the article and the
    syndicated copies are its sightings."""
    article = item.article
    existing = store.article_at(article.url)
    if existing is None and item.url != article.url:
        existing = store.article_at(item.url)
    if existing is None:
        same_text = store.article_with_text(article.text_hash)
        if same_text is None:
            return None
        existing, _, stored_published = same_text
        if earlier(article.published, stored_published):
            item.article_id = existing  # StorePipeline puts it in the article's place
            return None
    sightings = tuple(dict.fromkeys((article.url, item.url)))
    return Duplicate(existing, store.article_url(existing), sightings)


class StorePipeline:
    """Saves articles, and records every page (stored, duplicate, skipped, failed) with its
    run, through the process's shared `Store`."""

    def __init__(self, crawler: Crawler, db_path: str, source: str) -> None:
        self.crawler = crawler  # for its stats and, on a storage failure, its engine
        self.db_path = db_path
        self.source = source
        self.store: Store | None = None
        self.archive = crawler.settings.getbool("NEWSWATCH_ARCHIVE_HTML")
        self.threshold = crawler.settings.getfloat("NEWSWATCH_CLUSTER_THRESHOLD", DEFAULT_THRESHOLD)
        # A `newswatch reextract` run judges archived pages again: no crawl of the source.
        self.replay = crawler.settings.get("NEWSWATCH_REPLAY_SINCE") is not None
        self.stats = crawler.stats
        self.log = log.bind(source=source)
        self.run_id: int | None = None
        self.started = 0.0  # monotonic time the spider opened
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        return cls(crawler, settings["NEWSWATCH_DB_PATH"], settings["NEWSWATCH_SOURCE"])

    def open_spider(self) -> None:
        self.store = Store.acquire(self.db_path)
        self.started = time.monotonic()
        self.run_id = self.store.start_run(
            self.source,
            now=now_iso(),
            pid=os.getpid(),
            run_id=self.crawler.settings.get("NEWSWATCH_RUN_ID"),
        )
        self.stats.set_value("newswatch/run_id", self.run_id)

    def close_spider(self) -> None:
        """The run is finished in `spider_closed`, the first moment its close reason is known."""

    def storage_failed(self, exc: StorageError) -> None:
        """Stop this crawl: what is committed stays, the rest is fetched next time."""
        log.error("storage_failed", error=str(exc), source=self.source)
        self.stats.set_value("newswatch/storage_error", str(exc))
        if self.crawler.engine is not None:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="storage_error"))

    def spider_closed(self, reason: str) -> None:
        try:
            if self.store is not None and self.run_id is not None:
                duration = round(time.monotonic() - self.started, 3)
                self.stats.set_value("newswatch/duration", duration)
                figures = run_figures(self.stats.get_stats(), reason)
                if self.replay and figures["status"] == "finished":
                    figures["status"] = "reextract"
                if reason == "storage_error":
                    # Only what was committed counts: the failed batch was rolled back.
                    figures["articles_new"] = stored_in_run(self.store.db, self.run_id)
                self.store.finish_run(self.run_id, figures, now=now_iso())
                self.stats.set_value("newswatch/status", figures["status"])
        except StorageError as exc:
            log.error("storage_failed", error=str(exc))
        finally:
            if self.store is not None:
                self.store.release()
                self.store = None

    def process_item(self, item: Any) -> Any:
        if self.store is None:
            # Extracted after the crawl was stopped and its run ended: not recorded, so
            # the page is fetched again by the next crawl.
            raise DropItem("the crawl had ended")
        try:
            if isinstance(item, ArticlePage) and item.recheck is not None:
                self._store_recheck(item)
            elif isinstance(item, ArticlePage):
                self._store_article(item)
            elif isinstance(item, ListingPage):
                self._record_listing(item)
            elif isinstance(item, FailedPage):
                self._record_failure(item)
        except StorageError as exc:
            self.storage_failed(exc)
            raise DropItem(str(exc)) from None
        return item

    def _store_article(self, item: ArticlePage) -> None:
        # The article, its sightings and its page: one unit, committed together.
        with self.store.write():
            duplicate = duplicate_of(self.store, item)
            if duplicate is not None:
                self._record_duplicate(item, duplicate)
                self.stats.inc_value("newswatch/pages_fetched")
                return
            article = item.article
            row = article.as_row()
            now = item.fetched_at
            if item.article_id is None:
                item.article_id, cluster_id = self.store.save_article(
                    row,
                    source=item.source,
                    now=now,
                    threshold=self.threshold,
                    nearest=item.nearest,
                )
                self.stats.inc_value("newswatch/articles_new")
                self.store.learn_blocks(item.source, article.text, item.boilerplate, now=now)
                self.log.info(
                    "article_stored",
                    url=article.url,
                    article_id=item.article_id,
                    cluster_id=cluster_id,
                    title=article.title,
                    words=article.word_count,
                    published=article.published,
                )
            else:
                replaced = self.store.replace_article(
                    item.article_id, row, source=item.source, now=now
                )
                # The copy stored first is now the duplicate.
                self.stats.inc_value("newswatch/duplicates")
                self.log.info(
                    "article_replaced",
                    url=article.url,
                    article_id=item.article_id,
                    replaced=replaced,
                    reason="earlier publication of the same text",
                )
            if item.url != article.url:
                self.store.add_sighting(item.article_id, item.url, source=item.source, now=now)
            self._article_page(
                item,
                "stored",
                None,
                article_id=item.article_id,
                etag=item.etag,
                last_modified=item.last_modified,
            )
            self._archive(item)
            self.stats.inc_value("newswatch/pages_fetched")

    def _store_recheck(self, item: ArticlePage) -> None:
        """A stored article fetched again: a changed text becomes its next version."""
        self.stats.inc_value("newswatch/pages_fetched")
        self.stats.inc_value("newswatch/rechecked")
        item.article_id = item.recheck
        with self.store.write():
            version = None
            if item.status == 304:
                self.stats.inc_value("newswatch/not_modified")
                outcome = "not_modified"
            else:
                version = self.store.update_article(
                    item.recheck, item.article.as_row(), now=item.fetched_at
                )
                outcome = "updated" if version else "unchanged"
            self._article_page(
                item,
                outcome,
                f"version {version}" if version else None,
                article_id=item.recheck,
                etag=item.etag,
                last_modified=item.last_modified,
            )
            if version:
                self.stats.inc_value("newswatch/updated")
                self._archive(item)
        self.log.info(
            "article_updated" if version else "article_rechecked",
            url=item.url,
            article_id=item.recheck,
            version=version,
            outcome=outcome,
        )

    def _record_listing(self, item: ListingPage) -> None:
        self.stats.inc_value("newswatch/pages_fetched")
        self.stats.inc_value("newswatch/listings_read")
        if item.status == 304:
            # Keep the saved validators and body: a 304 may omit Last-Modified.
            self._page(item.url, item.source, item.kind, 304, "not_modified", None, item.fetched_at)
            self.log.info("listing_not_modified", url=item.url, kind=item.kind, links=item.links)
            return
        self._page(
            item.url,
            item.source,
            item.kind,
            item.status,
            "listed",
            item.problem,
            item.fetched_at,
            etag=item.etag,
            last_modified=item.last_modified,
            body=item.body,
        )
        if item.problem:
            self._listing_problem(item.kind, item.url, item.problem)
            self.log.warning("listing_cut", url=item.url, kind=item.kind, reason=item.problem)
        self.log.info("listing_read", url=item.url, kind=item.kind, links=item.links)

    def _listing_problem(self, kind: str, url: str, reason: str) -> None:
        """A feed, sitemap or front that failed, was denied or was cut: the health rules
        name it."""
        problems = self.stats.get_value("newswatch/listing_problems") or []
        problem = {"kind": kind, "url": url, "reason": reason}
        self.stats.set_value("newswatch/listing_problems", [*problems, problem][:20])

    def _record_failure(self, item: FailedPage) -> None:
        outcome = "skipped" if item.settled else "failed"
        robots = item.settled and "robots.txt" in item.reason
        if item.settled:
            self.stats.inc_value("newswatch/skipped")
            self.stats.inc_value(f"newswatch/skipped/{'robots_txt' if robots else 'other'}")
        else:
            self.stats.inc_value("newswatch/errors")
            self.stats.inc_value(f"newswatch/http_errors/{_error_kind(item.status)}")
        if robots:
            self.stats.inc_value("newswatch/robots_denied")
        if item.kind != "article":
            self._listing_problem(item.kind, item.url, item.reason)
        self._page(
            item.url, item.source, item.kind, item.status, outcome, item.reason, item.fetched_at
        )
        if item.settled:
            self.log.info("page_skipped", url=item.url, kind=item.kind, reason=item.reason)
        else:
            self.log.warning("page_failed", url=item.url, kind=item.kind, reason=item.reason)

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        """Every drop is recorded with its reason: nothing disappears silently."""
        if not isinstance(item, ArticlePage) or self.store is None:
            return
        self.stats.inc_value("newswatch/pages_fetched")
        try:
            if isinstance(exception, NotAnArticle):
                self.stats.inc_value("newswatch/skipped")
                self.stats.inc_value(f"newswatch/skipped/{exception.reason}")
                # A page fetched as an article that held none (empty, too short, a
                # listing): the share of these jumps when a site changes its layout.
                self.stats.inc_value("newswatch/empty_extractions")
                self._archive(item)  # `reextract` can judge it again without fetching it
                self._article_page(
                    item,
                    "skipped",
                    str(exception),
                )
                self.log.info(
                    "page_skipped", url=item.url, reason=exception.reason, detail=exception.detail
                )
            elif isinstance(exception, ExtractionFailed):
                self.stats.inc_value("newswatch/errors")
                self.stats.inc_value("newswatch/http_errors/extraction")
                self._article_page(
                    item,
                    "failed",
                    str(exception),
                )
                self.log.warning("page_failed", url=item.url, reason=str(exception))
        except StorageError as exc:
            self.storage_failed(exc)

    def _record_duplicate(self, item: ArticlePage, duplicate: Duplicate) -> None:
        item.article_id = duplicate.article_id
        # Its sightings and its page: one unit (a sighting alone would make the URL
        # count as seen, never fetched or recorded again).
        with self.store.write():
            for url in duplicate.sightings:
                self.store.add_sighting(
                    item.article_id, url, source=item.source, now=item.fetched_at
                )
            self._archive(item)
            self._article_page(
                item,
                "duplicate",
                f"same article as {duplicate.url}",
                article_id=duplicate.article_id,
            )
        self.stats.inc_value("newswatch/duplicates")
        self.log.info(
            "article_duplicate",
            url=item.url,
            article_id=duplicate.article_id,
            original=duplicate.url,
        )

    def _archive(self, item: ArticlePage) -> None:
        if self.archive and not item.hints.get("replayed"):
            self.store.archive_response(
                item.url,
                article_id=item.article_id,
                status=item.status,
                headers=item.headers,
                body=item.body,
                fetched_at=item.fetched_at,
            )

    def _article_page(self, item: ArticlePage, outcome: str, reason: str | None, **extra) -> None:
        """An article page's row, with what judged it: the page-type rules' version, where
        its URL was found, and what older rules had made of it (a page judged again). The
        URL listed, when redirects led elsewhere, gets a row saying where: it is settled
        with the page, and not fetched again on every run."""
        if item.listed is not None and outcome in SETTLED_OUTCOMES:
            self._page(
                item.listed,
                item.source,
                "article",
                item.status,
                "redirected",
                f"redirected to {item.url}",
                item.fetched_at,
                presented_by=item.hints.get("presented_by"),
                article_id=extra.get("article_id"),
            )
        self._page(
            item.url,
            item.source,
            "article",
            item.status,
            outcome,
            reason,
            item.fetched_at,
            rules=RULES_VERSION,
            presented_by=item.hints.get("presented_by"),
            previous=item.hints.get("previous"),
            **extra,
        )

    def _page(self, url, source, kind, status, outcome, reason, fetched_at, **extra) -> None:
        self.store.record_page(
            {
                "url": url,
                "source": source,
                "kind": kind,
                "status": status,
                "outcome": outcome,
                "reason": reason,
                "fetched_at": fetched_at,
                "run_id": self.run_id,
                **extra,
            }
        )


def _error_kind(status: int | None) -> str:
    """How a failed page is counted in `crawl_runs.http_errors`: its HTTP error status,
    "network" (no answer), or "unreadable" (answered, but not a feed, sitemap or page)."""
    if status is None:
        return "network"
    return str(status) if status >= 400 else "unreadable"
