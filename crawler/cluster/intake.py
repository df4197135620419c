"""The daemon's side of the stream: the one writer stores what the workers crawled.

Each entry goes through the same `StorePipeline` as a page of a local crawl (dedupe,
store, cluster, page rows, run figures), is committed, and only then acknowledged and
deleted from the stream: an entry is stored at least once, and storing it again changes
nothing, because a page already settled is not stored again (`Intake.apply`). A daemon
killed before acknowledging reads its own pending entries first when it starts again;
a worker killed mid-crawl has its task redelivered, and the pages it had already sent
are settled by then. When a run's `end` entry is committed, `on_run_end` is called
(the daemon then matches alerts and judges the source's health).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from scrapy.exceptions import DropItem
from scrapy.settings import Settings
from scrapy.signalmanager import SignalManager
from scrapy.statscollectors import MemoryStatsCollector

from crawler.cluster.entries import GROUP, BadEntry, Entry, decode
from crawler.items import ArticlePage
from pipelines.clock import now_iso
from pipelines.storage.database import StorageError
from pipelines.storage.runs import finish_run, read_run, run_figures, stored_in_run
from pipelines.storage.writer import Store
from pipelines.store_pipeline import StorePipeline

if TYPE_CHECKING:
    import redis

    from config import Config

log = structlog.get_logger("newswatch.intake")

CONSUMER = "daemon"  # one writer: its pending entries are its own after a restart
BATCH = 100
# Seconds an entry waits for others before its batch is committed: a commit of one
# article writes every page it touched (a few dozen, for its band keys), of 50 little more.
LINGER = 0.5


class _Crawl:
    """What StorePipeline needs of a Scrapy crawler, for a crawl that ran elsewhere."""

    engine = None  # nothing to stop here: a storage failure stops the intake instead

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = Settings(settings)
        self.signals = SignalManager(self)
        self.stats = MemoryStatsCollector(self)


class Intake:
    """Reads `stream`, as the consumer group's one writer, into the database of `config`."""

    def __init__(
        self,
        config: Config,
        client: redis.Redis,
        stream: str,
        on_run_end: Callable[[str, int], None] = lambda source, run_id: None,
    ) -> None:
        self.config = config
        self.client = client
        self.stream = stream
        self.on_run_end = on_run_end
        self.database = Path(config.storage.database)
        self.runs: dict[int, tuple[StorePipeline, str]] = {}
        self.store: Store | None = None  # the reading thread's own (a connection per thread)
        self.taken: list[bytes] = []  # entries stored but not yet committed
        self.ended: list[tuple[str, int]] = []  # (source, run id) of the runs they ended

    def ensure_group(self) -> None:
        import redis

        try:
            self.client.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def run(self, stopping: threading.Event, block_ms: int = 1000) -> None:
        """Read and store until `stopping` is set; Redis going away is waited out, and so
        is a database that cannot be written (what was not committed is read again)."""
        while not stopping.is_set():
            self.store = Store.acquire(self.database)
            try:
                self._read(stopping, block_ms)
            except StorageError as exc:
                log.error("intake_storage_failed", error=str(exc))
                stopping.wait(5.0)
            except Exception:  # noqa: BLE001 - a bug of ours: said, and read again, never fatal
                log.exception("intake_failed")
                stopping.wait(5.0)
            finally:
                self.runs.clear()  # their figures so far were not committed, or are stored
                self.taken, self.ended = [], []  # not committed: read again
                self.store.release()
                self.store = None

    def _read(self, stopping: threading.Event, block_ms: int) -> None:
        import redis

        down_since: float | None = None
        pending = True  # first the entries this consumer read but never acknowledged
        due: float | None = None  # when the entries taken so far are committed at the latest
        while not stopping.is_set():
            try:
                if down_since is not None or pending:
                    self.ensure_group()
                wait = block_ms if due is None else max(1, int(1000 * (due - time.monotonic())))
                batch = self.client.xreadgroup(
                    GROUP,
                    CONSUMER,
                    {self.stream: "0" if pending else ">"},
                    count=BATCH - len(self.taken),
                    block=None if pending else wait,
                )
                if down_since is not None:
                    log.info("stream_reconnected", down_s=round(time.monotonic() - down_since, 1))
                    down_since = None
                entries = batch[0][1] if batch else []
                if pending and not entries:
                    pending = False
                    continue
                self.take(entries)
                if self.taken and due is None:
                    due = time.monotonic() + LINGER
                # A pending entry is read again until it is acknowledged, and a run's end
                # has alerts waiting on it: committed at once.
                if due is not None and (
                    pending or self.ended or len(self.taken) >= BATCH or time.monotonic() >= due
                ):
                    due = None
                    self.commit()
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                if down_since is None:
                    down_since = time.monotonic()
                    log.warning("stream_disconnected", error=str(exc), stream=self.stream)
                # What was taken is committed; it is read again, unacknowledged, and skipped.
                due = None
                self.commit(acknowledge=False)
                pending = True
                stopping.wait(1.0)
        try:
            self.commit()
        except (redis.ConnectionError, redis.TimeoutError):
            pass  # committed: read again when the daemon starts, and skipped

    def take(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        """Store `entries` in the open batch; `commit` commits and acknowledges them."""
        for entry_id, fields in entries:
            self.taken.append(entry_id)
            try:
                entry = decode(fields)
            except BadEntry as exc:
                log.error("stream_entry_refused", entry=entry_id.decode(), error=str(exc))
                continue
            if (done := self.apply(entry)) is not None:
                self.ended.append(done)

    def commit(self, acknowledge: bool = True) -> None:
        """Commit the entries taken so far, then acknowledge and delete them, and report
        the runs they ended."""
        ids, ended = self.taken, self.ended
        self.taken, self.ended = [], []
        self.store.flush()
        try:
            if ids and acknowledge:
                pipe = self.client.pipeline(transaction=False)
                pipe.xack(self.stream, GROUP, *ids)
                pipe.xdel(self.stream, *ids)
                pipe.execute()
        finally:
            for source, run_id in ended:
                self.on_run_end(source, run_id)

    def apply(self, entry: Entry) -> tuple[str, int] | None:
        """Store one entry; for a run's end, (source, run id)."""
        run = self._run(entry.run_id)
        if run is None:
            log.error("stream_entry_refused", run_id=entry.run_id, error="no such run")
            return None
        pipeline, source = run
        if entry.kind == "end":
            return self._end(entry, pipeline, source)
        item = entry.item
        if item.source != source:
            log.error(
                "stream_entry_refused",
                run_id=entry.run_id,
                error=f"a page of source {item.source!r} in a run of {source!r}",
            )
            return None
        if isinstance(item, ArticlePage) and item.recheck is None:
            if self.store.is_settled(item.listed or item.url):
                # Sent again (a redelivered entry or task), or settled by another run since
                # the worker's snapshot: stored once already.
                log.debug("stream_entry_repeated", url=item.url, run_id=entry.run_id)
                return None
        try:
            if entry.dropped is not None:
                pipeline.item_dropped(item, entry.dropped)
            else:
                pipeline.process_item(item)
        except DropItem as exc:  # what the store pipeline could not store (a full disk)
            raise StorageError(str(exc)) from None
        if error := pipeline.stats.get_value("newswatch/storage_error"):
            raise StorageError(error)  # a dropped page's row, which the pipeline logs only
        return None

    def _run(self, run_id: int) -> tuple[StorePipeline, str] | None:
        if run_id in self.runs:
            return self.runs[run_id]
        row = read_run(self.store.db, run_id)
        if row is None:
            return None
        config = self.config
        crawl = _Crawl(
            {
                "NEWSWATCH_DB_PATH": str(self.database),
                "NEWSWATCH_SOURCE": row["source"],
                "NEWSWATCH_RUN_ID": run_id,
                "NEWSWATCH_ARCHIVE_HTML": config.storage.archive_html,
                "NEWSWATCH_CLUSTER_THRESHOLD": config.dedupe.threshold,
            }
        )
        pipeline = StorePipeline(crawl, str(self.database), row["source"])
        # The run exists (the daemon began it when it sent the crawl): adopted, not started.
        pipeline.store = self.store
        pipeline.run_id = run_id
        pipeline.started = time.monotonic()
        self.runs[run_id] = (pipeline, row["source"])
        return self.runs[run_id]

    def _end(self, entry: Entry, pipeline: StorePipeline, source: str) -> tuple[str, int]:
        """The run's figures: what the worker's crawl counted (requests, bytes, listings
        problems it met) under what was stored here, which is counted again from the pages
        when the daemon restarted mid-run."""
        stats = pipeline.stats
        mine = stats.get_stats()
        stats.set_stats({**entry.stats, **mine})
        stats.set_value("newswatch/articles_new", stored_in_run(self.store.db, entry.run_id))
        pipeline.store = None  # finish below, without releasing the shared store

        figures = run_figures(stats.get_stats(), entry.reason)
        figures["worker"] = entry.worker[:200]
        with self.store.write() as db:
            finish_run(db, entry.run_id, figures, now=now_iso())
        del self.runs[entry.run_id]
        log.info(
            "crawl_finished",
            source=source,
            run_id=entry.run_id,
            worker=entry.worker[:200],
            status=figures["status"],
            articles_new=figures["articles_new"],
            pages_fetched=figures["pages_fetched"],
            pid=os.getpid(),
        )
        return source, entry.run_id
