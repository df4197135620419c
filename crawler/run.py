"""Run crawls: every given source once, in parallel, in this process.

A Twisted reactor runs once per process, so `crawl_sources` can be called once
per process; the daemon runs each crawl in a subprocess for that reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.settings import Settings

from config import Config, Source
from crawler.settings import BASE_SETTINGS, crawl_settings
from crawler.spiders import SourceSpider
from pipelines.storage import open_database

log = structlog.get_logger("newswatch.crawl")


@dataclass(frozen=True)
class RunResult:
    """A finished crawl of one source, as recorded in `crawl_runs`."""

    source: str
    status: str
    reason: str | None
    pages_fetched: int = 0
    articles_new: int = 0
    duplicates: int = 0
    skipped: int = 0
    errors: int = 0
    not_modified: int = 0
    run_id: int | None = None

    @property
    def failed(self) -> bool:
        return self.status != "finished"


def crawl_sources(
    config: Config, sources: Sequence[Source], *, install_signal_handlers: bool = True
) -> list[RunResult]:
    """Crawl `sources` once each and return what each run recorded."""
    # Open (create, migrate) the database first: a bad path fails here, clearly.
    open_database(config.storage.database).close()
    process = AsyncCrawlerProcess(Settings(BASE_SETTINGS))
    crawlers: list[tuple[Source, Crawler]] = []
    for source in sources:
        settings = Settings(BASE_SETTINGS)
        settings.setdict(crawl_settings(config, source), priority="project")
        crawler = Crawler(SourceSpider, settings, init_reactor=False)
        crawlers.append((source, crawler))
        process.crawl(crawler, source=source)
    log.info("crawl_started", sources=[s.name for s in sources])
    process.start(install_signal_handlers=install_signal_handlers)
    results = _results(config, crawlers)
    for result in results:
        log.info("crawl_finished", **{k: v for k, v in vars(result).items() if v is not None})
    return results


def _results(config: Config, crawlers: list[tuple[Source, Crawler]]) -> list[RunResult]:
    db = open_database(config.storage.database, migrate=False)
    try:
        results = []
        for source, crawler in crawlers:
            run_id = crawler.stats.get_value("newswatch/run_id") if crawler.stats else None
            row = db["crawl_runs"].get(run_id) if run_id else None
            if row is None:
                results.append(RunResult(source.name, "failed", "the crawl did not start"))
                continue
            fields = {
                k: row[k] or 0
                for k in (
                    "pages_fetched",
                    "articles_new",
                    "duplicates",
                    "skipped",
                    "errors",
                    "not_modified",
                )
            }
            results.append(
                RunResult(source.name, row["status"], row["reason"], run_id=run_id, **fields)
            )
        return results
    finally:
        db.close()
