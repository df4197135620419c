"""`newswatch worker`: a Celery worker that crawls sources for the daemon.

Each `newswatch.crawl` task (source S, run R) holds S's lock in Redis while it runs (one
crawl of a source at a time, across workers), reads the run's snapshot, and runs the crawl
as a subprocess, `newswatch crawl S --database SNAPSHOT --to-stream R` (a reactor runs
once per process), which sends every outcome to the daemon's stream. The subprocess dies
with the pool process that started it (PR_SET_PDEATHSIG), which dies with the worker.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import redis
import structlog

from config import Config, ConfigError, Source
from crawler.cluster.app import make_app
from crawler.cluster.broker import WORKERS_KEY, redis_client
from crawler.cluster.entries import end_entry, stream_key
from crawler.cluster.snapshot import snapshot_key, write_snapshot
from crawler.cluster.stream import STREAM_EXIT, WORKER_ENV
from crawler.process import ChildLog

log = structlog.get_logger("newswatch.cluster")

# Live workers: name -> the unix time of its last heartbeat (`newswatch status` reads it).
HEARTBEAT = 5.0  # seconds between a worker's heartbeats
LOCK_TTL = 30.0  # seconds a source's lock outlives a worker that stopped renewing it
BUSY_RETRY = 10.0  # seconds before a task whose source another worker crawls is tried again
FAILED_RETRY = 30.0  # seconds before a task that could not reach Redis is tried again

_PR_SET_PDEATHSIG = 1
# Loaded here: the child between fork and exec only calls it.
_prctl = ctypes.CDLL(None, use_errno=True).prctl


class WorkerError(Exception):
    """The worker cannot start (no broker set, the broker unreachable)."""


def lock_key(source: str) -> str:
    return f"newswatch:lock:{source}"


def default_name() -> str:
    return f"newswatch@{socket.gethostname()}"


def run_worker(config: Config, concurrency: int, queues: list[str], name: str) -> None:
    """Run a Celery worker (prefork pool, `concurrency` crawls at once) on `queues` until it
    is stopped (SIGTERM: it finishes its running crawls first; a second one stops it)."""
    client = redis_client(config.cluster.broker, retries=0)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise WorkerError(f"cannot reach the broker {config.cluster.broker_shown}: {exc}") from None
    finally:
        client.close()
    app = make_app(config)
    from celery.signals import worker_ready

    logging.captureWarnings(True)  # Celery's warnings (running as root…): log records too

    def ready(**_: Any) -> None:
        log.info("worker_ready", worker=name)
        threading.Thread(target=_heartbeat, args=(config, name), daemon=True).start()

    worker_ready.connect(ready, weak=False)
    log.info(
        "worker_started",
        worker=name,
        queues=queues,
        concurrency=concurrency,
        broker=config.cluster.broker_shown,
    )
    app.worker_main(
        [
            "--quiet",  # no banner: our `worker_started` says it
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            f"--queues={','.join(queues)}",
            f"--hostname={name}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ]
    )
    log.info("worker_stopped", worker=name)


def _heartbeat(config: Config, name: str) -> None:
    """ZADD the worker's name with the time, every few seconds, while its main process lives."""
    client = redis_client(config.cluster.broker, retries=0)
    lost = False
    while True:
        try:
            client.zadd(WORKERS_KEY, {name: time.time()})
            if lost:
                log.info("worker_heartbeat_resumed", worker=name)
            lost = False
        except redis.RedisError as exc:
            if not lost:
                log.warning("worker_heartbeat_failed", worker=name, error=str(exc))
            lost = True
        time.sleep(HEARTBEAT)


class SourceLock:
    """`newswatch:lock:{source}`, held by one task at a time across workers: SET NX PX,
    renewed while the crawl runs, let go only by its holder. A lock left unrenewed for
    2.5 renewals is a dead holder's (a worker killed mid-crawl): it is taken over then,
    not after the whole TTL, so the redelivered task crawls without waiting for it.
    """

    _ACQUIRE = (
        "local pttl = redis.call('pttl', KEYS[1]) "
        "if pttl == -2 or (pttl >= 0 and pttl < tonumber(ARGV[3])) then "
        "redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end return 0"
    )

    _RENEW = (
        "if redis.call('get', KEYS[1]) == ARGV[1] then "
        "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
    )
    _RELEASE = (
        "if redis.call('get', KEYS[1]) == ARGV[1] then "
        "return redis.call('del', KEYS[1]) else return 0 end"
    )

    def __init__(self, client: redis.Redis, source: str, token: str) -> None:
        self.client = client
        self.key = lock_key(source)
        self.token = token
        self.ttl = int(LOCK_TTL * 1000)
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def acquire(self) -> bool:
        # Renewed every TTL/6: a holder alive renews it before its time left falls this low.
        stale_below = self.ttl - int(2.5 * self.ttl / 6)
        if not self.client.eval(self._ACQUIRE, 1, self.key, self.token, self.ttl, stale_below):
            return False
        self._renewer = threading.Thread(target=self._renew, name="source-lock", daemon=True)
        self._renewer.start()
        return True

    def _renew(self) -> None:
        while not self._stop.wait(LOCK_TTL / 6):
            try:
                if not self.client.eval(self._RENEW, 1, self.key, self.token, self.ttl):
                    log.warning("crawl_lock_lost", key=self.key)
                    return
            except redis.RedisError as exc:
                log.warning("crawl_lock_renewal_failed", key=self.key, error=str(exc))

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        try:
            self.client.eval(self._RELEASE, 1, self.key, self.token)
        except redis.RedisError as exc:  # it expires by itself
            log.warning("crawl_lock_release_failed", key=self.key, error=str(exc))


def run_crawl_task(config: Config, task: Any, source: str, run_id: int) -> None:
    """The `newswatch.crawl` task's body (in a pool process)."""
    worker = task.request.hostname or default_name()
    bound = log.bind(source=source, run_id=run_id, worker=worker)
    client = redis_client(config.cluster.broker)
    try:
        try:
            chosen = config.source(source)
        except ConfigError as exc:
            bound.error("crawl_task_failed", reason=str(exc))
            _end(client, config, run_id, f"not crawled by {worker}: {exc}", worker)
            return
        lock = SourceLock(client, source, task.request.id or str(run_id))
        if not lock.acquire():
            bound.info("crawl_task_busy", retry_in=BUSY_RETRY)
            raise task.retry(countdown=BUSY_RETRY)
        try:
            redelivered = bool((task.request.delivery_info or {}).get("redelivered"))
            _crawl_with_lock(
                config, client, chosen, run_id, worker, bound.bind(redelivered=redelivered)
            )
        finally:
            lock.release()
    except redis.RedisError as exc:
        bound.error("crawl_task_failed", reason=f"Redis: {exc}", retry_in=FAILED_RETRY)
        raise task.retry(countdown=FAILED_RETRY) from None
    except _StreamFailed as exc:
        bound.error("crawl_task_failed", reason=str(exc), retry_in=FAILED_RETRY)
        raise task.retry(countdown=FAILED_RETRY) from None
    finally:
        client.close()


class _StreamFailed(Exception):
    """The crawl could not write to the stream: the task runs again."""


def _crawl_with_lock(
    config: Config, client: redis.Redis, source: Source, run_id: int, worker: str, bound: Any
) -> None:
    blob = client.get(snapshot_key(run_id))
    if blob is None:
        bound.warning(
            "crawl_task_skipped", reason="no snapshot: the run is over, given up or expired"
        )
        return
    started = time.monotonic()
    bound.info("crawl_task_started")
    with tempfile.TemporaryDirectory(prefix="newswatch-worker-") as tmp:
        try:
            path = write_snapshot(blob, Path(tmp) / "snapshot.db")
        except ValueError as exc:
            bound.error("crawl_task_failed", reason=str(exc))
            _end(client, config, run_id, f"not crawled by {worker}: {exc}", worker)
            return
        code, error = _run_crawl(config, source, path, run_id, worker)
    duration = round(time.monotonic() - started, 3)
    if code == STREAM_EXIT:
        raise _StreamFailed(error or "the stream could not be written")
    if code != 0:
        # The crawl died before it could send its end: say so, for the run to end.
        reason = error or f"the crawl ended with exit status {code}"
        bound.error("crawl_task_failed", reason=reason, exit_status=code, duration=duration)
        _end(client, config, run_id, reason, worker)
    else:
        bound.info("crawl_task_finished", duration=duration)
    client.delete(snapshot_key(run_id))  # the run is told: a second delivery crawls nothing


def _end(client: redis.Redis, config: Config, run_id: int, reason: str, worker: str) -> None:
    client.xadd(stream_key(config.cluster.queue), end_entry(run_id, reason, {}, worker))


def _die_with_parent() -> None:
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _run_crawl(
    config: Config, source: Source, database: Path, run_id: int, worker: str
) -> tuple[int, str | None]:
    """Run the crawl subprocess to its end, or until crawl_timeout (then SIGTERM, and
    SIGKILL after stop_grace): its exit status and the last error it logged."""
    command = [
        sys.executable,
        "-P",
        "-m",
        "cli",
        "--config",
        str(config.directory),
        "--log-format",
        "json",
        "crawl",
        "--database",
        str(database),
        "--to-stream",
        str(run_id),
        source.name,
    ]
    env = {**os.environ, WORKER_ENV: worker}
    proc = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=_die_with_parent,
    )
    child_log = ChildLog(proc.stderr, source.name, proc.pid)
    try:
        proc.wait(timeout=config.daemon.crawl_timeout)
    except subprocess.TimeoutExpired:
        log.warning("crawl_timed_out", source=source.name, run_id=run_id)
        proc.terminate()
        try:
            proc.wait(timeout=config.daemon.stop_grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    child_log.close()
    return proc.returncode, child_log.last_error
