"""Run crawls: every given source once, in parallel, in this process.

A Twisted reactor runs once per process, so `crawl_sources` can be called once
per process; the daemon runs each crawl in a subprocess for that reason.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import structlog
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.settings import Settings
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import deferred_from_coro

from config import Config, Source
from config.logs import begin_twisted_logging
from crawler.locks import FileLock, LockBusy, source_lock
from crawler.process import SUPERVISOR_ENV
from crawler.settings import BASE_SETTINGS, crawl_settings
from crawler.spiders import SourceSpider
from crawler.stopping import SignalStop, stop_promptly
from pipelines.clock import now_iso
from pipelines.storage.database import open_database
from pipelines.storage.runs import RunResult, finish_run, read_run, run_figures, stored_in_run
from pipelines.storage.transactions import immediate

if TYPE_CHECKING:
    from rich.console import Console
    from sqlite_utils import Database

    from pipelines.monitor.health import Health

log = structlog.get_logger("newswatch.crawl")

# The reason of a run stopped at once by a second signal, before it could end in order.
FORCED = "stopped at once by a second signal"


class CrawlInterrupted(Exception):
    """A signal (Ctrl-C, SIGTERM) stopped the crawls; `results` are what each run recorded."""

    def __init__(self, results: list[RunResult], signum: int) -> None:
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.results = results
        self.signum = signum


def crawl_sources(
    config: Config,
    sources: Sequence[Source],
    *,
    replay: str | None = None,
    run_id: int | None = None,
    progress: Console | None = None,
) -> list[RunResult]:
    """Crawl `sources` once each and return what each run recorded. With `replay` (an ISO
    date), judge again the article pages archived since then, without fetching them.

    Each crawl holds its source's lock: a source another process is crawling is not
    crawled, and its result says `busy`. `run_id` is the `crawl_runs` row the daemon
    made for a crawl of one source. SIGINT or SIGTERM stops the crawls promptly (a
    second one at once) and raises `CrawlInterrupted`. With `progress` (a terminal), a
    live display of the crawls is drawn there meanwhile.
    """
    # Open (create, migrate) the database first: a bad path fails here, clearly.
    open_database(config.storage.database).close()
    locks: list[FileLock] = []
    busy: dict[str, RunResult] = {}
    for source in sources:
        lock = source_lock(config.storage.database, source.name)
        try:
            lock.acquire()
        except LockBusy as exc:
            reason = f"another crawl of this source is running (pid {exc.pid or 'unknown'})"
            log.warning("crawl_busy", source=source.name, pid=exc.pid)
            busy[source.name] = RunResult(source.name, "busy", reason)
            continue
        locks.append(lock)
    # Held until this process exits (the kernel releases them then): through the alert
    # matching and health check that follow the crawl too, one process per source.
    _held.extend(locks)
    crawled = [s for s in sources if s.name not in busy]
    results, signum = _crawl(config, crawled, replay, run_id, progress) if crawled else ([], None)
    by_name = {r.source: r for r in results} | busy
    results = [by_name[s.name] for s in sources]
    if signum is not None:
        raise CrawlInterrupted(results, signum)
    return results


_held: list[FileLock] = []


def _crawl(
    config: Config,
    sources: Sequence[Source],
    replay: str | None,
    run_id: int | None,
    progress: Console | None,
    stream: dict[str, Any] | None = None,
) -> tuple[list[RunResult], int | None]:
    """The crawls' results, and the signal that stopped them (None: they ended). With
    `stream` (`crawler.cluster.stream.stream_settings`), the outcomes go to the daemon's
    stream instead of the database."""
    process = AsyncCrawlerProcess(Settings(BASE_SETTINGS))
    begin_twisted_logging()
    crawlers: list[tuple[Source, Crawler]] = []
    for source in sources:
        settings = Settings(BASE_SETTINGS)
        options = crawl_settings(config, source, replay=replay, run_id=run_id)
        settings.setdict(options, priority="project")
        # Above the project's: the crawler process applies BASE_SETTINGS to each crawl again.
        settings.setdict(stream or {}, priority="cmdline")
        crawler = Crawler(SourceSpider, settings, init_reactor=False)
        crawlers.append((source, crawler))
        process.crawl(crawler, source=source)
    supervisor = os.environ.get(SUPERVISOR_ENV, "")
    if supervisor.isdigit():
        _stop_when_gone(int(supervisor), [crawler for _, crawler in crawlers])
    log.info("crawl_started", sources=[s.name for s in sources])
    stop = SignalStop([crawler for _, crawler in crawlers])
    stop.install()
    display = None
    if progress is not None:
        from crawler.progress import LiveProgress  # rich's live display: on a terminal only

        display = LiveProgress(progress, [(s.name, c) for s, c in crawlers])
    try:
        if display is not None:
            display.start()
        process.start(install_signal_handlers=False)
    finally:
        if display is not None:
            display.stop()
        stop.restore()
    if stream is not None:
        # What was stored is the daemon's `crawl_finished` to say; this crawl's own line is
        # `stream_end_sent`, with the entries it sent.
        return [_streamed(source, crawler.stats) for source, crawler in crawlers], stop.signum
    results = _results(config, crawlers, forced=stop.forced)
    for result in results:
        log.info("crawl_finished", **{k: v for k, v in vars(result).items() if v is not None})
    return results, stop.signum


def _stop_when_gone(daemon: int, crawlers: list[Crawler]) -> None:
    """Stop the crawls, in good order, once the daemon that started them is gone: a crawl
    nobody supervises would run past its timeout, beside the next daemon's."""

    def close(crawler: Crawler) -> None:
        reason = "the daemon that started it stopped"
        deferred_from_coro(crawler.engine.close_spider_async(reason=reason))

    def stop() -> None:
        log.warning("crawl_orphaned", daemon_pid=daemon)
        for crawler in crawlers:
            stop_promptly(crawler, close)

    def watch() -> None:
        from twisted.internet import reactor  # the one Scrapy installed, running by now

        while os.getppid() == daemon:
            time.sleep(1.0)
        reactor.callFromThread(stop)

    threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()


def crawl_to_stream(config: Config, source: Source, run_id: int) -> RunResult:
    """A worker's crawl of `source` for the daemon's run `run_id` (`newswatch worker`),
    against the snapshot that `config.storage.database` names: its outcomes are sent to
    the daemon's stream, nothing is stored, no alert matched, no health judged. The result
    says `stream_error` when the stream could not be written."""
    from crawler.cluster.stream import stream_settings  # redis-py: on a worker only

    cluster = config.cluster
    stream = stream_settings(cluster.broker, cluster.queue, run_id, cluster.outage_wait)
    results, signum = _crawl(config, [source], None, run_id, None, stream)
    if signum is not None:
        raise CrawlInterrupted(results, signum)
    return results[0]


def _streamed(source: Source, stats: StatsCollector) -> RunResult:
    """What a crawl sent to the stream counted (the daemon records its run)."""
    values = stats.get_stats()
    error = stats.get_value("newswatch/stream_error")
    figures = run_figures(values, values.get("finish_reason", "finished"))
    if error:
        figures |= {"status": "failed", "reason": f"the stream could not be written: {error}"}
    known = RunResult.__dataclass_fields__
    return RunResult(
        source.name,
        run_id=stats.get_value("newswatch/run_id"),
        **{k: v for k, v in figures.items() if k in known and k != "run_id"},
    )


def _results(
    config: Config, crawlers: list[tuple[Source, Crawler]], *, forced: bool
) -> list[RunResult]:
    db = open_database(config.storage.database, migrate=False)
    try:
        return [_result(db, source, crawler.stats, forced) for source, crawler in crawlers]
    finally:
        db.close()


def _result(db: Database, source: Source, stats: StatsCollector, forced: bool) -> RunResult:
    """What the run recorded; when it could not record its end (disk full, or stopped at
    once by a second signal), what it counted."""
    run_id = stats.get_value("newswatch/run_id")
    row = read_run(db, run_id) if run_id else None
    if row is None or row["status"] == "running":
        figures = run_figures(stats.get_stats(), FORCED if forced else "storage_error")
        if not forced:
            figures["reason"] = (
                stats.get_value("newswatch/storage_error") or "the crawl could not record its end"
            )
        if run_id:
            # Only what was committed counts: the last batch may have been lost.
            with contextlib.suppress(sqlite3.Error):
                figures["articles_new"] = stored_in_run(db, run_id)
        if row is not None:
            with contextlib.suppress(sqlite3.Error):  # the disk may still be full
                with immediate(db):
                    finish_run(db, run_id, figures, now=now_iso())
        known = RunResult.__dataclass_fields__
        return RunResult(
            source.name, run_id=run_id, **{k: v for k, v in figures.items() if k in known}
        )
    return RunResult.from_row(source.name, row)


@dataclass(frozen=True)
class CrawlOutcome:
    """What `crawl_once` did: each source's run, the alerts it raised, and the sources
    whose health verdict changed."""

    results: list[RunResult]
    alerts: int
    changed: list[Health]


def crawl_once(
    config: Config,
    sources: Sequence[Source],
    *,
    run_id: int | None = None,
    progress: Console | None = None,
) -> CrawlOutcome:
    """One crawl as `newswatch crawl` and the demo run it: the watches' clocks started,
    the sources crawled, the new articles matched against the watchlist, each source's
    health judged. A signal stopping the crawl raises `CrawlInterrupted` (alerts and
    health are then left to the next crawl or the daemon)."""
    from pipelines.alerts.recording import match_alerts, register
    from pipelines.monitor.checks import check_after_crawl

    register(config)  # watches alert on articles fetched from their first crawl on
    results = crawl_sources(config, sources, run_id=run_id, progress=progress)
    alerts = match_alerts(config)
    changed = check_after_crawl(config, [s.name for s in sources], now=datetime.now(UTC))
    return CrawlOutcome(results, alerts, changed)
