"""The newswatch daemon (`newswatch run`): scheduled crawls and alert delivery, with APScheduler.

Each crawl runs in its own subprocess (`newswatch crawl SOURCE`): a Twisted
reactor cannot be restarted, a subprocess bounds memory, and one that hangs
past `crawl_timeout` is stopped without touching the others. The job store is
a SQLite file beside the database, so a restart keeps each source's next run
time; missed runs are coalesced into one.
"""

from __future__ import annotations

import fcntl
import os
import signal
import sqlite3
import subprocess
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import undefined
from sqlite_utils import Database

from config import Config, Schedule
from crawler.process import ChildLog, Outcome, crawl_command, crawl_outcome
from pipelines.alerts import (
    deliver_digest,
    deliver_pending,
    match_new_articles,
    register,
    settle_interrupted,
)
from pipelines.monitor import check_after_crawl
from pipelines.storage import StorageError, open_database, settle_run

log = structlog.get_logger("newswatch.daemon")

# Jobs are stored by reference (module:function), so they are module-level
# functions that find the running daemon here.
_daemon: Daemon | None = None


class DaemonError(Exception):
    """The daemon cannot start: another one holds the database, or the lock cannot be taken."""


def crawl_job(source: str) -> None:
    if _daemon is not None:
        _daemon.crawl(source)


def alerts_job() -> None:
    if _daemon is not None:
        _daemon.alerts()


def digest_job(watch: str) -> None:
    if _daemon is not None:
        _daemon.digest(watch)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def jobs_path(database: Path) -> Path:
    """The daemon's job store: a SQLite file beside the database."""
    return database.with_name(database.name + ".jobs.sqlite")


def next_run_times(database: Path) -> dict[str, datetime]:
    """Each source's next scheduled crawl, read from the daemon's job store (read-only, so
    it works while the daemon runs); empty when no daemon has run on this database."""
    path = jobs_path(database)
    if not path.exists():
        return {}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2.0)
        try:
            rows = conn.execute(
                "SELECT id, next_run_time FROM apscheduler_jobs WHERE id LIKE 'crawl:%'"
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        log.warning("job_store_unreadable", path=str(path), error=str(exc))
        return {}
    return {
        job[len("crawl:") :]: datetime.fromtimestamp(when, UTC).replace(microsecond=0)
        for job, when in rows
        if when is not None  # a paused job has no next run
    }


class DaemonLock:
    """One daemon per database: an exclusive lock on a file beside it, naming the holder."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".daemon.lock")
        self.handle: Any = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - held for the daemon's lifetime
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise DaemonError(
                f"another newswatch daemon (pid {holder}) is running on this database; "
                f"lock file: {self.path}"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def trigger_for(schedule: Schedule, jitter: float):
    if schedule.seconds:
        # A short interval gets a proportionally short jitter.
        jitter = min(jitter, schedule.seconds / 10)
        return IntervalTrigger(seconds=schedule.seconds, jitter=int(jitter) or None)
    trigger = CronTrigger.from_crontab(schedule.cron, timezone=UTC)
    trigger.jitter = int(jitter) or None  # from_crontab() takes no jitter
    return trigger


class Daemon:
    def __init__(self, config: Config, *, metrics: tuple[str, int] | None = None) -> None:
        self.config = config
        self.metrics = metrics
        self.database = config.storage.database
        self.stopping = threading.Event()
        self.running: dict[str, subprocess.Popen] = {}
        self._running_lock = threading.Lock()
        self._alerts_lock = threading.Lock()
        self.jobs_path.parent.mkdir(parents=True, exist_ok=True)
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{self.jobs_path}")},
            executors={"default": ThreadPoolExecutor(max_workers=4)},
            job_defaults={
                # A source never runs twice at once, and after downtime each missed
                # source runs once (not once per missed slot) if within the grace.
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(config.daemon.misfire_grace) or None,
            },
            timezone=UTC,
        )

    @property
    def retry(self) -> tuple[float, float]:
        return self.config.daemon.retry_min, self.config.daemon.retry_max

    @property
    def jobs_path(self) -> Path:
        return jobs_path(self.database)

    def desired_jobs(self) -> dict[str, tuple[Any, list[str], Any]]:
        daemon = self.config.daemon
        jobs: dict[str, tuple[Any, list[str], Any]] = {
            f"crawl:{s.name}": (crawl_job, [s.name], trigger_for(s.schedule, daemon.jitter))
            for s in self.config.enabled_sources
        }
        jobs["alerts"] = (alerts_job, [], IntervalTrigger(seconds=daemon.alert_interval))
        for watch in self.config.watches:
            if watch.mode == "digest" and watch.digest is not None:
                jobs[f"digest:{watch.name}"] = (
                    digest_job,
                    [watch.name],
                    trigger_for(watch.digest, 0),
                )
        return jobs

    def reconcile(self) -> None:
        """Make the stored jobs match the configuration, keeping unchanged jobs' next run times.

        Replacing every job on start would reset the next run times, and runs
        missed while the daemon was down would never be caught up.
        """
        desired = self.desired_jobs()
        existing = {job.id: job for job in self.scheduler.get_jobs()}
        for job_id in existing.keys() - desired.keys():
            self.scheduler.remove_job(job_id)
            log.info("job_removed", job=job_id)
        for job_id, (func, args, trigger) in desired.items():
            job = existing.get(job_id)
            if job is None:
                # A new interval source is crawled at once, not an interval from now.
                first = now_utc() if isinstance(trigger, IntervalTrigger) else undefined
                self.scheduler.add_job(
                    func, trigger, args=args, id=job_id, name=job_id, next_run_time=first
                )
                log.info("job_added", job=job_id, trigger=str(trigger))
            elif str(job.trigger) != str(trigger) or list(job.args) != args:
                job.modify(args=args)
                self.scheduler.reschedule_job(job_id, trigger=trigger)
                log.info("job_rescheduled", job=job_id, trigger=str(trigger))

    def run(self) -> None:
        global _daemon
        lock = DaemonLock(self.database)
        lock.acquire()
        _daemon = self
        metrics_server = None
        try:
            open_database(self.database).close()  # create or migrate before anything runs
            # Before any job runs: an alert still `sending` now is one a dead daemon sent.
            self._settle_interrupted_sends()
            if self.metrics:
                metrics_server = self._serve_metrics(*self.metrics)
            register(self.config)
            self.scheduler.start(paused=True)
            self.reconcile()
            self.scheduler.resume()
            log.info(
                "daemon_started",
                pid=os.getpid(),
                database=str(self.database),
                sources=[s.name for s in self.config.enabled_sources],
                watches=len(self.config.watches),
            )
            self.alerts()  # deliver what a previous run left pending, now
            while not self.stopping.wait(1.0):
                pass
            self.shutdown()
        finally:
            if metrics_server is not None:
                metrics_server.shutdown()
                metrics_server.server_close()
            _daemon = None
            lock.release()

    def _serve_metrics(self, host: str, port: int):
        from pipelines.metrics import serve_metrics

        try:
            return serve_metrics(self.config, host, port, running=lambda: len(self.running))
        except OSError as exc:
            raise DaemonError(
                f"cannot serve metrics on {host}:{port}: {exc.strerror or exc}"
            ) from None

    def request_stop(self, signum: int, _frame: Any = None) -> None:
        # Only set a flag here: logging from a signal handler can deadlock.
        self.stopping.set()

    def shutdown(self) -> None:
        log.info("daemon_stopping", running=sorted(self.running))
        self.scheduler.pause()
        with self._running_lock:
            procs = list(self.running.items())
        for _, proc in procs:
            _signal_group(proc, signal.SIGTERM)
        deadline = now_utc().timestamp() + self.config.daemon.stop_grace
        for source, proc in procs:
            try:
                proc.wait(timeout=max(0.0, deadline - now_utc().timestamp()))
            except subprocess.TimeoutExpired:
                log.warning("crawl_killed", source=source, reason="still running after stop_grace")
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
        self.scheduler.shutdown(wait=True)
        log.info("daemon_stopped")

    def crawl(self, source: str) -> None:
        if self.stopping.is_set():
            return
        started = now_utc()
        # Its own session: a Ctrl-C on the daemon's terminal is for the daemon, which
        # then stops its crawls itself, with their grace period.
        proc = subprocess.Popen(
            crawl_command(str(self.config.directory), source),
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        child_log = ChildLog(proc.stderr)
        with self._running_lock:
            self.running[source] = proc
        log.info("crawl_started", source=source, pid=proc.pid)
        timed_out = False
        try:
            code = proc.wait(timeout=self.config.daemon.crawl_timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            log.error("crawl_timeout", source=source, timeout=self.config.daemon.crawl_timeout)
            _signal_group(proc, signal.SIGTERM)
            try:
                code = proc.wait(timeout=self.config.daemon.stop_grace)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                code = proc.wait()
        finally:
            with self._running_lock:
                self.running.pop(source, None)
        child_log.close()
        outcome = crawl_outcome(
            code,
            timed_out=timed_out,
            stopping=self.stopping.is_set(),
            last_error=child_log.last_error,
        )
        self._settle(source, proc.pid, started, code, outcome)
        # The crawl judged its source's health as it ended; a crawl that was killed or
        # crashed could not, so it is judged here (a second look changes nothing).
        check_after_crawl(self.config, [source], now=now_utc())
        if not self.stopping.is_set():
            self.alerts()

    def _settle(
        self,
        source: str,
        pid: int,
        started: datetime,
        code: int,
        outcome: Outcome,
    ) -> None:
        """Make sure the crawl ended as a `crawl_runs` row (a crawl that died before it
        wrote one, or left it running, gets it here), and log `crawl_finished`."""
        columns = (
            "status",
            "reason",
            "pages_fetched",
            "articles_new",
            "updated",
            "duplicates",
            "skipped",
            "errors",
        )
        figures: dict[str, Any] = {}
        try:
            # Not the crawls' short busy timeout: this thread may wait for the write lock.
            db = open_database(self.database, busy_timeout=30.0)
            try:
                settle_run(
                    db,
                    source,
                    pid,
                    started=started.isoformat(),
                    status=outcome.status,
                    reason=outcome.reason,
                    now=now_utc().isoformat(),
                    over=outcome.over,
                )
                row = db.execute(
                    f"SELECT {', '.join(columns)} FROM crawl_runs WHERE source = ? AND pid = ? "
                    "AND started >= ? ORDER BY id DESC LIMIT 1",
                    [source, pid, started.isoformat()],
                ).fetchone()
            finally:
                db.close()
            figures = dict(zip(columns, row, strict=True)) if row else {}
        except (StorageError, sqlite3.Error) as exc:
            log.error("run_not_recorded", source=source, status=outcome.status, error=str(exc))
            figures = {"status": outcome.status, "reason": outcome.reason}
        event = log.info if code == 0 else log.warning
        event("crawl_finished", source=source, exit_code=code, **figures)

    def _settle_interrupted_sends(self) -> None:
        db = open_database(self.database, busy_timeout=30.0)
        try:
            settle_interrupted(db, now_utc().isoformat())
        finally:
            db.close()

    def alerts(self) -> None:
        """Match new articles, then deliver what is due (one delivery at a time)."""

        def work(db: Database, now: datetime) -> None:
            deliver_pending(db, self.config.watches, now=now, retry=self.retry)

        self._alert_job("alerts", work)

    def digest(self, name: str) -> None:
        def work(db: Database, now: datetime) -> None:
            deliver_digest(db, self.config.watch(name), now=now, retry=self.retry)

        self._alert_job(f"digest:{name}", work)

    def _alert_job(self, job: str, deliver: Callable[[Database, datetime], None]) -> None:
        """Match, then deliver; a busy or failing database defers the job to its next turn."""
        with self._alerts_lock:
            try:
                db = open_database(self.database)
            except StorageError as exc:
                log.warning("job_deferred", job=job, error=str(exc))
                return
            try:
                now = now_utc()
                match_new_articles(db, self.config.watches, now=now.isoformat())
                deliver(db, now)
            except sqlite3.Error as exc:
                # Nothing is lost: what was not committed is matched or sent next time.
                log.warning("job_deferred", job=job, error=f"database: {exc}")
            finally:
                db.close()


def _signal_group(proc: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(proc.pid, signum)
    except ProcessLookupError:
        pass


def run_daemon(config: Config, *, metrics: tuple[str, int] | None = None) -> None:
    """Run until SIGTERM or SIGINT; running crawls get `stop_grace` to finish.

    With `metrics` (host, port), Prometheus metrics are served there meanwhile.
    """
    daemon = Daemon(config, metrics=metrics)
    signal.signal(signal.SIGTERM, daemon.request_stop)
    signal.signal(signal.SIGINT, daemon.request_stop)
    daemon.run()
