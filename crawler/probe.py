"""`newswatch extract`: one page fetched and judged as the crawl would, with nothing stored.

A URL is fetched by the crawl's own article request, through its downloader middlewares
and under its settings (user agent, robots.txt, max_page_size, timeout, retries,
redirects); a saved file is read instead. Either way the page is judged by the crawl's
extraction pipeline (`pipelines.extract_pipeline.judge`) with the configured minimum of
words, as found where the crawl found it (a feed presents an article; a link on a section
front has to show it is one), and without the source's learned boilerplate. The database
is only read, never created or written.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from config import Config, Source
from crawler.discovery import Link
from crawler.items import ArticlePage, FailedPage
from crawler.spiders import SourceSpider, presented_by_default
from crawler.urls import DEFAULT_PORTS, canonical_url, site_of
from pipelines.clock import now_iso
from pipelines.corpus.pages import PageFilter, list_pages
from pipelines.extract import Article, Skipped
from pipelines.extract_pipeline import judge
from pipelines.storage.writer import Store

if TYPE_CHECKING:
    from sqlite_utils import Database


class ProbeError(Exception):
    """The page could not be fetched or read; the reason in the crawl's words."""


@dataclass(frozen=True)
class Probe:
    """What the crawl would make of one page."""

    asked: str  # the URL or file asked for
    url: str  # the page's URL (where redirects led; a file's --url or file: URI)
    source: str | None  # the source whose settings applied
    presented_by: str | None  # where the crawl finds it: feed, sitemap, front, None
    result: Article | Skipped
    status: int | None = None
    content_type: str | None = None
    boilerplate: int = 0  # lines of the source's learned boilerplate taken out
    stored_as: int | None = None  # the stored article it is (its URL or its text)

    @property
    def skipped(self) -> bool:
        return isinstance(self.result, Skipped)

    @property
    def reason(self) -> str | None:
        """Why it would be skipped, as the crawl records it in `pages.reason`."""
        if not isinstance(self.result, Skipped):
            return None
        detail = self.result.detail
        return f"{self.result.reason}: {detail}" if detail else self.result.reason

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "asked": self.asked,
            "url": self.url,
            "source": self.source,
            "presented_by": self.presented_by,
            "status": self.status,
            "content_type": self.content_type,
            "outcome": "skipped" if self.skipped else "article",
            "reason": self.reason,
        }
        if isinstance(self.result, Article):
            row = self.result.as_row()
            for name in ("url", "minhash", "text_hash", "text"):
                row.pop(name)
            found |= row | {
                "boilerplate_removed": self.boilerplate,
                "stored_as": self.stored_as,
                "text_hash": self.result.text_hash,
                "text": self.result.text,
            }
        return found


def probe(
    config: Config, target: str, *, source_name: str | None = None, url: str | None = None
) -> Probe:
    """Fetch (an http(s) URL) or read (a file, at `url` if given) one page and judge it as
    the crawl of `source_name` would (by default: the source that recorded the page, or
    the one whose feeds, sitemaps or fronts are on its host). ConfigError: no such source."""
    fetching = target.lower().startswith(("http://", "https://"))
    address = target if fetching else url
    try:
        address = canonical_url(address) if address else Path(target).resolve().as_uri()
    except ValueError as exc:
        raise ProbeError(f"{address}: not a URL: {exc}") from None
    db_path = config.storage.database if Path(config.storage.database).is_file() else None
    with _reader(db_path) as db:
        recorded = _recorded(db, address)
        source = _source(config, address, source_name, recorded)
        presented_by = _presented_by(recorded, source)
        if fetching:
            page = _fetch(config, source, address, presented_by)
        else:
            page = _read(config, Path(target), address, source, presented_by)
        result = judge(
            page,
            min_words=config.extract.min_words,
            db_path=str(db_path) if db is not None else None,
            threshold=config.dedupe.threshold,
        )
        stored_as = _stored_as(db, page, result) if db is not None else None
    return Probe(
        asked=target,
        url=page.url if isinstance(result, Skipped) else result.url,
        source=source.name if source else None,
        presented_by=presented_by,
        result=result,
        status=page.status if fetching else None,
        content_type=page.content_type,
        boilerplate=len(page.boilerplate),
        stored_as=stored_as,
    )


@contextmanager
def _reader(path: Path | None) -> Iterator[Database | None]:
    """The database, read-only (None when there is none yet, or it cannot be read)."""
    from sqlite_utils import Database  # after pipelines/__init__.py: without pandas

    conn = None
    if path is not None:
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            conn.execute("SELECT 1 FROM pages LIMIT 1")
        except sqlite3.Error:
            conn = None
    try:
        yield Database(conn) if conn is not None else None
    finally:
        if conn is not None:
            conn.close()


def _recorded(db: Database | None, url: str) -> dict | None:
    """The page's own row, if a crawl recorded it."""
    if db is None:
        return None
    rows = list_pages(db, PageFilter(urls=(url,)))
    return next((r for r in rows if r["url"] == url and r["kind"] == "article"), None)


def _source(config: Config, url: str, name: str | None, recorded: dict | None) -> Source | None:
    if name:
        return config.source(name)
    if recorded is not None:
        known = {s.name: s for s in config.sources}
        if recorded["source"] in known:
            return known[recorded["source"]]
    site = _site(url)
    matches = [
        s
        for s in config.sources
        if any(_site(u) == site for u in (*s.feeds, *s.sitemaps, *s.start_urls))
    ]
    if len(matches) > 1:
        names = ", ".join(s.name for s in matches)
        raise ProbeError(f"several sources crawl {site[0]} ({names}): name one with --source")
    return matches[0] if matches else None


def _presented_by(recorded: dict | None, source: Source | None) -> str | None:
    """Where the crawl finds the page: where it found it last, else where the source's
    pages come from (when it has one kind of discovery)."""
    if (
        recorded
        and recorded["presented_by"]
        and (source is None or recorded["source"] == source.name)
    ):
        return recorded["presented_by"]
    return presented_by_default(source) if source is not None else None


def _site(url: str) -> tuple[str, int | None]:
    """A URL's site and port: www.x.com, m.x.com and x.com are one site."""
    parts = urlsplit(url)
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        port = None
    return site_of(url), port


class OnePageSpider(SourceSpider):
    """The crawl's spider, asking for one article page only, settled or not."""

    def __init__(self, source: Source, page_url: str, presented_by: str | None, **kwargs) -> None:
        super().__init__(source, **kwargs)
        self.page_url = page_url
        self.presented_by = presented_by

    async def start(self):
        yield self._article(Link(url=self.page_url), self.presented_by)


# The crawl's settings, less what records or reads the database: nothing is stored. (A
# component set to None is off: Scrapy merges these dicts into the crawl's.)
_ONE_PAGE = {
    "ITEM_PIPELINES": {
        "pipelines.extract_pipeline.ExtractPipeline": None,
        "pipelines.store_pipeline.StorePipeline": None,
    },
    "DOWNLOADER_MIDDLEWARES": {
        "crawler.middlewares.ConditionalGetMiddleware": None,
        "crawler.middlewares.ReplayMiddleware": None,
    },
}


def _fetch(
    config: Config, source: Source | None, url: str, presented_by: str | None
) -> ArticlePage:
    from scrapy import signals
    from scrapy.crawler import AsyncCrawlerProcess, Crawler
    from scrapy.settings import Settings

    from config.logs import begin_twisted_logging
    from crawler.settings import BASE_SETTINGS, crawl_settings

    source = source or Source(name="")
    denied = next((p for p in source.deny if re.search(p, url)), None)
    if denied is not None:
        raise ProbeError(
            f"{url}: source {source.name!r} denies it (deny {denied!r}): the crawl never fetches it"
        )
    settings = Settings(BASE_SETTINGS)
    settings.setdict(crawl_settings(config, source), priority="project")
    # Above the process's own settings, which it applies to each crawl again.
    settings.setdict(_ONE_PAGE, priority="cmdline")
    process = AsyncCrawlerProcess(Settings(BASE_SETTINGS))
    begin_twisted_logging()
    crawler = Crawler(OnePageSpider, settings, init_reactor=False)
    pages: list[ArticlePage | FailedPage] = []

    def collect(item: Any) -> None:
        pages.append(item)

    crawler.signals.connect(collect, signal=signals.item_scraped)
    process.crawl(crawler, source=source, page_url=url, presented_by=presented_by)
    process.start()
    if not pages:
        reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
        raise ProbeError(f"{url}: no answer ({reason or 'the fetch did not finish'})")
    page = pages[0]
    if isinstance(page, FailedPage):
        raise ProbeError(f"{page.url}: {page.reason}")
    return page


def _read(
    config: Config, path: Path, url: str, source: Source | None, presented_by: str | None
) -> ArticlePage:
    """A saved page, bounded as a fetched one is (max_page_size)."""
    limit = config.crawl.max_page_size
    try:
        with path.open("rb") as file:
            body = file.read(limit + 1)
    except OSError as exc:
        raise ProbeError(f"{path}: {exc.strerror or exc}") from None
    if len(body) > limit:
        raise ProbeError(f"{path}: larger than max_page_size ({limit:,} bytes)")
    return ArticlePage(
        url=url,
        source=source.name if source else "",
        status=200,
        body=body,
        content_type=None,
        fetched_at=now_iso(),
        hints={"presented_by": presented_by},
    )


def _stored_as(db: Database, page: ArticlePage, result: Article | Skipped) -> int | None:
    """The stored article the crawl would take the page for: the one seen at its URL,
    or the one with its text."""
    if not isinstance(result, Article):
        return None
    store = Store(db)
    found = store.article_at(result.url) or store.article_at(page.url)
    if found is None:
        same_text = store.article_with_text(result.text_hash)
        found = same_text[0] if same_text else None
    return found
