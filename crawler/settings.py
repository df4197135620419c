"""Scrapy settings for a newswatch crawl, built from the validated configuration."""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any

from config import Config, Source

# What every newswatch crawl uses, whatever the configuration.
BASE_SETTINGS: dict[str, Any] = {
    "BOT_NAME": "newswatch",
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    # uvloop where it is installed (everywhere but Windows): the same loop, in C.
    "ASYNCIO_EVENT_LOOP": "uvloop.Loop" if find_spec("uvloop") else None,
    # Scrapy 2.19 opens a local endpoint per crawl that can run Python code.
    "REMOTE_CONTROL_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    # Our structlog setup owns the root logger; Scrapy's records go through it.
    "LOG_INSTALL_ROOT_HANDLER": False,
    "LOG_ENABLED": True,
    "LOG_LEVEL": "DEBUG",
    "LOG_FORMATTER": "crawler.logformatter.QuietLogFormatter",
    "LOGSTATS_INTERVAL": 0,
    "PERIODIC_LOG_STATS": None,
    "DEFAULT_DROPITEM_LOG_LEVEL": "DEBUG",
    "COOKIES_ENABLED": False,
    "RETRY_HTTP_CODES": [429, 500, 502, 503, 504, 522, 524, 408],
    "NEWSWATCH_RETRY_BACKOFF": 1.0,
    "CONCURRENT_REQUESTS": 16,
    # Scrapy starts this many tasks for every response's output; an article page
    # yields one item, so the default (100) is pure overhead.
    "CONCURRENT_ITEMS": 16,
    "DOWNLOADER_MIDDLEWARES": {
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "crawler.middlewares.PoliteRetryMiddleware": 550,
        "crawler.middlewares.ConditionalGetMiddleware": 560,
        # `newswatch reextract`: a request marked nw_replay is answered from the archive,
        # before anything else looks at it.
        "crawler.middlewares.ReplayMiddleware": 50,
        # Last, right before the network: a stopped crawl sends nothing more.
        "crawler.stopping.StopMiddleware": 1000,
    },
    "ITEM_PIPELINES": {
        "pipelines.extract_pipeline.ExtractPipeline": 300,
        "pipelines.store_pipeline.StorePipeline": 500,
    },
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
}


# Scrapy (2.19, on asyncio) starts a domain's downloads as tasks after it has counted the
# free places of the domain's slot: with no download delay it hands out the slot's whole
# queue in one go, and CONCURRENT_REQUESTS_PER_DOMAIN does not hold. With any delay it
# hands out one request a turn and counts again. A millisecond caps nothing else.
MIN_DELAY = 0.001


def crawl_settings(
    config: Config, source: Source, *, replay: str | None = None, run_id: int | None = None
) -> dict[str, Any]:
    """The settings of one source's crawl; with `replay` (an ISO date), of a crawl that
    judges again the pages archived since then, from the archive (`newswatch reextract`);
    with `run_id`, of a crawl whose `crawl_runs` row the daemon made for it."""
    crawl = config.crawl
    settings = {
        "USER_AGENT": crawl.user_agent,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_domain,
        "DOWNLOAD_DELAY": max(crawl.delay, MIN_DELAY),
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(crawl.delay, 0.1),
        "DOWNLOAD_TIMEOUT": crawl.timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_page_size,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_TIMES": crawl.retries,
        "NEWSWATCH_MAX_RETRY_AFTER": crawl.max_retry_after,
        "NEWSWATCH_DB_PATH": str(config.storage.database),
        "NEWSWATCH_SOURCE": source.name,
        "NEWSWATCH_ARCHIVE_HTML": config.storage.archive_html,
        "NEWSWATCH_MAX_PAGES": source.max_pages,
        "NEWSWATCH_MIN_WORDS": config.extract.min_words,
        "NEWSWATCH_EXTRACT_WORKERS": config.extract.workers,
        "NEWSWATCH_CLUSTER_THRESHOLD": config.dedupe.threshold,
        "NEWSWATCH_RECHECK": source.recheck,
        "NEWSWATCH_RUN_ID": run_id,
    }
    if replay is not None:
        # Not in BASE_SETTINGS: the crawler process applies those to every crawl again.
        settings |= {
            "NEWSWATCH_REPLAY_SINCE": replay,
            "ROBOTSTXT_OBEY": False,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
        }
    return settings
