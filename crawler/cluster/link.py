"""The daemon's link to the cluster: it sends each scheduled crawl to the workers, reads
what they crawled back (the intake, in a thread of its own), and says how the cluster is
doing (workers seen, crawls queued, entries not yet stored) for `status` and `/metrics`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import structlog

from crawler.cluster.broker import WORKERS_KEY, redis_client
from crawler.cluster.entries import stream_key
from crawler.cluster.snapshot import make_snapshot, snapshot_key
from pipelines.clock import as_utc, now_iso, now_utc
from pipelines.storage.database import open_database
from pipelines.storage.runs import begin_run, end_run, end_stale

if TYPE_CHECKING:
    import redis

    from config import Config

log = structlog.get_logger("newswatch.cluster")

# A worker not heard from for this long is no longer listed as seen.
WORKER_SEEN_S = 60.0


@dataclass(frozen=True)
class ClusterState:
    workers: dict[str, float] = field(default_factory=dict)  # name -> seconds since heard
    queued: int = 0  # crawls waiting in the queue for a worker
    unstored: int = 0  # entries in the stream not yet stored (read or not)
    error: str | None = None  # why the state could not be read


def cluster_state(config: Config, client: redis.Redis | None = None) -> ClusterState:
    """Workers heard from lately, crawls queued and entries waiting for the writer."""
    import redis

    own = client is None
    client = client or redis_client(config.cluster.broker, retries=2)
    try:
        now = time.time()
        seen = client.zrangebyscore(WORKERS_KEY, now - WORKER_SEEN_S, "+inf", withscores=True)
        stream = stream_key(config.cluster.queue)
        unstored = client.xlen(stream) if client.exists(stream) else 0
        return ClusterState(
            workers={name.decode(errors="replace"): round(now - at, 1) for name, at in seen},
            queued=client.llen(config.cluster.queue),
            unstored=unstored,
        )
    except redis.RedisError as exc:
        return ClusterState(error=f"{config.cluster.broker_shown}: {exc}")
    finally:
        if own:
            client.close()


class ClusterLink:
    """What the daemon holds while `[cluster] broker` is set."""

    def __init__(self, config: Config, on_run_end: Callable[[str, int], None]) -> None:
        from crawler.cluster.app import make_app
        from crawler.cluster.intake import Intake

        self.config = config
        self.client = redis_client(config.cluster.broker, retries=3)
        self.app = make_app(config)
        self.intake = Intake(config, self.client, stream_key(config.cluster.queue), on_run_end)
        self.stopping = threading.Event()
        self.thread = threading.Thread(
            target=self.intake.run, args=(self.stopping,), name="intake", daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        log.info(
            "cluster_joined",
            broker=self.config.cluster.broker_shown,
            queue=self.config.cluster.queue,
            stream=self.intake.stream,
        )

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=30)
        self.client.close()

    def state(self) -> ClusterState:
        return cluster_state(self.config, self.client)

    def send(self, config: Config, source: str) -> int | None:
        """Send a crawl of `source` to the workers: its run, its snapshot, its task. None
        when it was not sent (one is still out, or Redis cannot be reached)."""
        database = config.storage.database
        # A crawl still out for this source (queued or crawling): not sent twice. One out
        # for longer than a crawl may take, whose end never came back, is given up.
        out_for = config.daemon.crawl_timeout + config.daemon.stop_grace
        db = open_database(database, busy_timeout=30.0)
        stale = None
        try:
            row = db.execute(
                "SELECT id, started FROM crawl_runs WHERE source = ? AND status = 'running' "
                "ORDER BY id DESC LIMIT 1",
                [source],
            ).fetchone()
            if row is not None:
                age = (now_utc() - (as_utc(row[1]) or now_utc())).total_seconds()
                if age < out_for:
                    log.info("crawl_still_out", source=source, run_id=row[0], age_s=round(age))
                    return None
                end_stale(
                    db,
                    source,
                    reason=f"sent to the workers; no end came back within {round(out_for)} s",
                )
                db.conn.commit()
                stale = row[0]
            run_id = begin_run(db, source, now=now_iso())
        finally:
            db.close()
        source_config = next(s for s in config.sources if s.name == source)
        try:
            blob = make_snapshot(database, source_config)
            if stale is not None:
                # Its task, if no worker took it yet (none running), is skipped when one
                # does: only the newest crawl of the source runs.
                self.client.delete(snapshot_key(stale))
            self.client.set(snapshot_key(run_id), blob, ex=int(3 * out_for))
            self.app.send_task(
                "newswatch.crawl",
                kwargs={"source": source, "run_id": run_id},
                queue=config.cluster.queue,
            )
        except Exception as exc:  # noqa: BLE001 - redis-py's and kombu's errors alike
            reason = f"not sent to the workers: {config.cluster.broker_shown}: {exc}"
            log.error("crawl_not_sent", source=source, run_id=run_id, error=reason)
            db = open_database(database, busy_timeout=30.0)
            try:
                end_run(db, run_id, status="failed", reason=reason, now=now_iso())
            finally:
                db.close()
            return None
        log.info("crawl_sent", source=source, run_id=run_id, snapshot_bytes=len(blob))
        return run_id
