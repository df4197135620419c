"""Prometheus metrics for `newswatch run --metrics-port`, read from the database at each scrape.

The crawls run in subprocesses and write their figures to `crawl_runs`; reading
the totals from there at scrape time keeps the counters right across crawl
processes and daemon restarts, with nothing to keep in step in memory.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlite_utils import Database

from config import Config
from pipelines.monitor.checks import source_health
from pipelines.monitor.health import PENDING, VERDICTS
from pipelines.storage.runs import ended_by_status, totals

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

log = structlog.get_logger("newswatch.metrics")

# Per-source counters: (metric name, help, run figure).
_RUN_TOTALS = (
    ("newswatch_pages_fetched", "Pages fetched (articles and listings).", "pages_fetched"),
    ("newswatch_articles_new", "New articles stored.", "articles_new"),
    ("newswatch_duplicates", "Pages found to be an article already stored.", "duplicates"),
    ("newswatch_pages_skipped", "Pages skipped (not an article, robots.txt).", "skipped"),
    ("newswatch_page_errors", "Pages that failed (HTTP errors, network, extraction).", "errors"),
    ("newswatch_response_bytes", "Response bytes downloaded.", "bytes"),
)


class NewswatchCollector:
    """Collects newswatch's figures from the database at each scrape; `config` gives the
    configuration of the moment (the daemon's changes on SIGHUP)."""

    def __init__(
        self,
        config: Callable[[], Config],
        running: Callable[[], int] = lambda: 0,
        cluster: Callable[[], Any] = lambda: None,
    ) -> None:
        self.config = config
        self.running = running
        self.cluster = cluster  # with [cluster] broker: its ClusterState (crawler.cluster.link)

    def collect(self) -> Iterator[Metric]:
        path = Path(self.config().storage.database)
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2.0)
        except sqlite3.Error as exc:
            log.warning("metrics_unavailable", error=str(exc))
            return
        try:
            yield from self._collect(Database(conn))
        except sqlite3.Error as exc:
            # A scrape that cannot read the database answers with the daemon's own
            # figures only; the next scrape tries again.
            log.warning("metrics_unavailable", error=str(exc))
        finally:
            conn.close()
        running = GaugeMetricFamily("newswatch_crawls_running", "Crawls running now.")
        running.add_metric([], self.running())
        yield running
        state = self.cluster()
        if state is not None and state.error is None:
            for name, text, value in (
                ("newswatch_cluster_queued", "Crawls queued for the workers.", state.queued),
                (
                    "newswatch_cluster_stream_lag",
                    "Pages the workers sent that the daemon has not stored yet.",
                    state.unstored,
                ),
                (
                    "newswatch_cluster_workers",
                    "Workers heard from in the last minute.",
                    len(state.workers),
                ),
            ):
                gauge = GaugeMetricFamily(name, text)
                gauge.add_metric([], value)
                yield gauge

    def _collect(self, db: Database) -> Iterator[Metric]:
        crawls = CounterMetricFamily(
            "newswatch_crawls",
            "Crawl runs ended, by source and status.",
            labels=["source", "status"],
        )
        for source, status, count in ended_by_status(db):
            crawls.add_metric([source, status], count)
        yield crawls

        rows = totals(db, tuple(figure for _, _, figure in _RUN_TOTALS))
        for index, (name, text, _) in enumerate(_RUN_TOTALS, start=1):
            family = CounterMetricFamily(name, text, labels=["source"])
            for row in rows:
                family.add_metric([row[0]], row[index])
            yield family

        sent, failed, pending = db.execute(
            "SELECT coalesce(sum(status = 'delivered'), 0), "
            "coalesce(sum(attempts), 0) - coalesce(sum(status = 'delivered'), 0), "
            "coalesce(sum(status = 'pending'), 0) FROM alerts"
        ).fetchone()
        yield _counter("newswatch_alerts_sent", "Alerts delivered.", sent)
        yield _counter("newswatch_alert_delivery_failures", "Failed alert deliveries.", failed)
        pending_alerts = GaugeMetricFamily("newswatch_alerts_pending", "Alerts waiting to be sent.")
        pending_alerts.add_metric([], pending)
        yield pending_alerts

        now = datetime.now(UTC)
        config = self.config()
        names = [s.name for s in config.sources]
        healths = source_health(db, config, names, now=now)
        success = GaugeMetricFamily(
            "newswatch_source_last_success_timestamp_seconds",
            "When the source's last successful crawl started (Unix time).",
            labels=["source"],
        )
        verdict = GaugeMetricFamily(
            "newswatch_source_verdict",
            "1 for the source's current health verdict (ok, silent, degraded, never_worked, "
            "failing, pending).",
            labels=["source", "verdict"],
        )
        for health in healths:
            if health.last_success is not None:
                success.add_metric([health.source], health.last_success.timestamp())
            for name in (*VERDICTS, PENDING):
                verdict.add_metric([health.source, name], int(health.verdict == name))
        yield success
        yield verdict


def _counter(name: str, text: str, value: float) -> CounterMetricFamily:
    family = CounterMetricFamily(name, text)
    family.add_metric([], value)
    return family


def serve_metrics(
    config: Callable[[], Config],
    host: str,
    port: int,
    running: Callable[[], int] = lambda: 0,
    cluster: Callable[[], Any] = lambda: None,
) -> WSGIServer:
    """Serve /metrics on host:port in a background thread; OSError if the port is taken."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(NewswatchCollector(config, running, cluster))
    server, _thread = start_http_server(port, addr=host, registry=registry)
    log.info("metrics_serving", url=f"http://{host}:{server.server_port}/metrics")
    return server
