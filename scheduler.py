"""The newswatch daemon (`newswatch run`): scheduled crawls and alert delivery, with APScheduler.

Each crawl runs in its own subprocess (`newswatch crawl SOURCE`): a Twisted
reactor cannot be restarted, a subprocess bounds memory, and one that hangs
past `crawl_timeout` is stopped without touching the others. The job store is
a SQLite file beside the database, so a restart keeps each source's next run
time; missed runs are coalesced into one. SIGHUP reads the configuration again
and reconciles the jobs with it, as a start does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import undefined

from config import Config, ConfigError, Schedule, load_config
from crawler.locks import LockBusy, daemon_lock, source_lock
from crawler.process import SUPERVISOR_ENV, ChildLog, Outcome, crawl_command, crawl_outcome
from pipelines.alerts.delivery import deliver_digest, deliver_pending, settle_interrupted
from pipelines.alerts.recording import match_new_articles, register
from pipelines.clock import now_utc
from pipelines.monitor.checks import check_after_crawl, jobs_path
from pipelines.storage.database import StorageError, open_database
from pipelines.storage.runs import SUMMARY, begin_run, discard, end_run, end_stale, read_run

if TYPE_CHECKING:
    from sqlite_utils import Database

    from crawler.cluster.link import ClusterLink
    from pipelines.web.site import WebServer

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


class _Scheduler(BackgroundScheduler):
    """APScheduler's background scheduler, quiet as it stops.

    Woken by its own shutdown, APScheduler 3 looks once more for due jobs (any job that
    fell due while the daemon waited for its crawls), after its executors stopped:
    "Error submitting job ... cannot schedule new futures after shutdown", twice per stop.
    A stopped scheduler has nothing to run.
    """

    def _process_jobs(self) -> float | None:
        if self.state == STATE_STOPPED:
            return None
        return super()._process_jobs()


def trigger_for(schedule: Schedule, jitter: float, zone: tzinfo):
    """The trigger of `schedule`: a cron expression is read in `zone`; an interval has none."""
    if schedule.seconds:
        # A short interval gets a proportionally short jitter.
        jitter = min(jitter, schedule.seconds / 10)
        return IntervalTrigger(seconds=schedule.seconds, jitter=int(jitter) or None)
    trigger = CronTrigger.from_crontab(schedule.cron, timezone=zone)
    trigger.jitter = int(jitter) or None  # from_crontab() takes no jitter
    return trigger


def same_schedule(stored: Any, wanted: Any) -> bool:
    """Whether a stored trigger fires as `wanted` does. An interval's start date (when it was
    made) does not count; a cron's zone does: a job stored before `[daemon] timezone` changed
    keeps its old zone until it is rescheduled."""

    def schedule(trigger: Any) -> tuple:
        zone = str(trigger.timezone) if isinstance(trigger, CronTrigger) else None
        return type(trigger), str(trigger), zone, trigger.jitter

    return schedule(stored) == schedule(wanted)


def cron_zone(config: Config) -> tzinfo:
    """The zone cron schedules are read in: `[daemon] timezone`, else the machine's."""
    if config.daemon.timezone is not None:
        return config.daemon.timezone
    from tzlocal import get_localzone  # APScheduler's own dependency

    return get_localzone()


class Daemon:
    def __init__(
        self,
        config: Config,
        *,
        metrics: tuple[str, int] | None = None,
        web_port: int | None = None,
        stopping: threading.Event | None = None,
    ) -> None:
        self.config = config
        self.metrics = metrics
        self.web_port = web_port
        self.database = config.storage.database
        self.stopping = stopping or threading.Event()
        self.reload_requested = False  # set by SIGHUP, acted on by the main loop
        self.web: WebServer | None = None  # the web face beside the daemon (--web-port)
        self.cluster: ClusterLink | None = None  # with [cluster] broker: crawls go to workers
        self.running: dict[str, subprocess.Popen] = {}
        self._running_lock = threading.Lock()
        self._alerts_lock = threading.Lock()
        self.jobs_path.parent.mkdir(parents=True, exist_ok=True)
        self.scheduler = _Scheduler(
            jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{self.jobs_path}")},
            executors={"default": ThreadPoolExecutor(max_workers=4)},
            job_defaults={
                # A source never runs twice at once, and after downtime each missed
                # source runs once (not once per missed slot) if within the grace.
                "coalesce": True,
                "max_instances": 1,
            },
            # Only a default: each trigger carries its zone (cron: `[daemon] timezone`).
            timezone=UTC,
        )

    @property
    def jobs_path(self) -> Path:
        return jobs_path(self.database)

    def desired_jobs(self) -> dict[str, tuple[Any, list[str], Any]]:
        daemon = self.config.daemon
        zone = cron_zone(self.config)
        jobs: dict[str, tuple[Any, list[str], Any]] = {
            f"crawl:{s.name}": (crawl_job, [s.name], trigger_for(s.schedule, daemon.jitter, zone))
            for s in self.config.enabled_sources
        }
        jobs["alerts"] = (alerts_job, [], IntervalTrigger(seconds=daemon.alert_interval))
        for watch in self.config.watches:
            if watch.mode == "digest" and watch.digest is not None:
                jobs[f"digest:{watch.name}"] = (
                    digest_job,
                    [watch.name],
                    trigger_for(watch.digest, 0, zone),
                )
        return jobs

    def reconcile(self) -> dict[str, list[str]]:
        """Make the stored jobs match the configuration, keeping unchanged jobs' next run times;
        returns the ids of the jobs added, removed and rescheduled.

        Replacing every job on start would reset the next run times, and runs
        missed while the daemon was down would never be caught up.
        """
        desired = self.desired_jobs()
        grace = int(self.config.daemon.misfire_grace) or None
        existing = {job.id: job for job in self.scheduler.get_jobs()}
        changes: dict[str, list[str]] = {"added": [], "removed": [], "rescheduled": []}
        for job_id in sorted(existing.keys() - desired.keys()):
            self.scheduler.remove_job(job_id)
            changes["removed"].append(job_id)
            log.info("job_removed", job=job_id)
        for job_id, (func, args, trigger) in desired.items():
            job = existing.get(job_id)
            if job is None:
                # A new interval source is crawled at once, not an interval from now.
                first = now_utc() if isinstance(trigger, IntervalTrigger) else undefined
                self.scheduler.add_job(
                    func,
                    trigger,
                    args=args,
                    id=job_id,
                    name=job_id,
                    next_run_time=first,
                    misfire_grace_time=grace,
                )
                changes["added"].append(job_id)
                log.info("job_added", job=job_id, trigger=str(trigger))
                continue
            if job.misfire_grace_time != grace or list(job.args) != args:
                job.modify(args=args, misfire_grace_time=grace)
            if not same_schedule(job.trigger, trigger):
                self.scheduler.reschedule_job(job_id, trigger=trigger)
                changes["rescheduled"].append(job_id)
                log.info("job_rescheduled", job=job_id, trigger=str(trigger))
        return changes

    def request_reload(self, signum: int, _frame: Any = None) -> None:
        # Only set a flag here: the main loop reloads (logging from a signal handler can
        # deadlock, and a reload reads files and writes the job store).
        self.reload_requested = True

    def reload(self) -> None:
        """Read the configuration folder again and reconcile the jobs with it. A configuration
        that does not load leaves the running one in place; running jobs finish as they are,
        the next ones use the new configuration."""
        try:
            config = load_config(self.config.directory)
            if config.cluster != self.config.cluster:
                raise ConfigError(
                    "settings.toml: [cluster]: changed, but a running daemon keeps its "
                    "broker and queue: restart it to switch"
                )
            if config.storage.database != self.database:
                raise ConfigError(
                    f"settings.toml: [storage] database: changed to {config.storage.database}, "
                    f"but a running daemon keeps {self.database}: restart it to switch"
                )
            register(config)  # new watches alert on articles fetched from now on
        except (ConfigError, StorageError, sqlite3.Error) as exc:
            log.warning("config_reload_failed", error=str(exc), kept="the running configuration")
            return
        self.config = config
        if self.web is not None:  # its pages' sources and watches; [web] itself takes a restart
            self.web.datasette.newswatch_config = config
        log.info(
            "config_reloaded",
            **self.reconcile(),
            sources=[s.name for s in config.enabled_sources],
            watches=len(config.watches),
            timezone=str(cron_zone(config)),
        )

    def run(self) -> None:
        global _daemon
        lock = daemon_lock(self.database)
        try:
            lock.acquire()
        except LockBusy as busy:
            raise DaemonError(
                f"another newswatch daemon (pid {busy.pid or 'unknown'}) is running on this "
                f"database; lock file: {busy.path}"
            ) from None
        _daemon = self
        metrics_server = None
        try:
            open_database(self.database).close()  # create or migrate before anything runs
            # Before any job runs: an alert still `sending` now is one a dead daemon sent.
            self._settle_interrupted_sends()
            if self.metrics:
                metrics_server = self._serve_metrics(*self.metrics)
            if self.web_port:
                self.web = self._serve_web(self.config.web.host, self.web_port)
            if self.config.cluster.enabled:
                from crawler.cluster.link import ClusterLink

                self.cluster = ClusterLink(self.config, self._remote_crawl_ended)
                self.cluster.start()
            register(self.config)
            if self.stopping.is_set():  # stopped while starting: nothing to run or wait for
                log.info("daemon_stopped")
                return
            self.scheduler.start(paused=True)
            self.reconcile()
            self.scheduler.resume()
            log.info(
                "daemon_started",
                pid=os.getpid(),
                database=str(self.database),
                sources=[s.name for s in self.config.enabled_sources],
                watches=len(self.config.watches),
                timezone=str(cron_zone(self.config)),
            )
            self.alerts()  # deliver what a previous run left pending, now
            while not self.stopping.wait(1.0):
                if self.reload_requested:
                    self.reload_requested = False
                    self.reload()
            self.shutdown()
        finally:
            if metrics_server is not None:
                metrics_server.shutdown()
                metrics_server.server_close()
            if self.web is not None:
                self.web.stop()
            if self.cluster is not None:
                self.cluster.stop()
            _daemon = None
            lock.release()

    def _serve_metrics(self, host: str, port: int):
        from pipelines.monitor.metrics import serve_metrics

        try:
            return serve_metrics(
                lambda: self.config,
                host,
                port,
                running=lambda: len(self.running),
                cluster=lambda: self.cluster.state() if self.cluster is not None else None,
            )
        except OSError as exc:
            raise DaemonError(
                f"cannot serve metrics on {host}:{port}: {exc.strerror or exc}"
            ) from None

    def _serve_web(self, host: str, port: int):
        from pipelines.web.site import WebError, WebServer

        try:
            server = WebServer(self.config, host, port).start()
        except WebError as exc:
            raise DaemonError(str(exc)) from None
        except OSError as exc:
            raise DaemonError(
                f"cannot serve the web face on {host}:{port}: {exc.strerror or exc}"
            ) from None
        log.info("web_serving", url=f"http://{host}:{port}/")
        return server

    def request_stop(self, signum: int, _frame: Any = None) -> None:
        # Only set a flag here: logging from a signal handler can deadlock.
        self.stopping.set()

    def shutdown(self) -> None:
        log.info("daemon_stopping", running=sorted(self.running))
        self.scheduler.pause()
        with self._running_lock:
            procs = list(self.running.items())
        for _, proc in procs:
            _signal_group(proc.pid, signal.SIGTERM)
        deadline = now_utc().timestamp() + self.config.daemon.stop_grace
        for source, proc in procs:
            try:
                proc.wait(timeout=max(0.0, deadline - now_utc().timestamp()))
            except subprocess.TimeoutExpired:
                log.warning("crawl_killed", source=source, reason="still running after stop_grace")
                _signal_group(proc.pid, signal.SIGKILL)
                proc.wait()
        self.scheduler.shutdown(wait=True)
        log.info("daemon_stopped")

    def crawl(self, source: str) -> None:
        if source not in {s.name for s in self.config.enabled_sources}:
            return  # removed or disabled by a reload while its run was due
        if self.cluster is not None:
            if not self.stopping.is_set():
                self.cluster.send(self.config, source)
            return
        if self.stopping.is_set() or not self._wait_for_leftover(source):
            return
        run_id = self._begin_run(source)
        # Its own session: a Ctrl-C on the daemon's terminal is for the daemon, which
        # then stops its crawls itself, with their grace period. A crawl whose daemon
        # dies another way stops by itself (SUPERVISOR_ENV).
        proc = subprocess.Popen(
            crawl_command(str(self.config.directory), source, run_id),
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, SUPERVISOR_ENV: str(os.getpid())},
        )
        child_log = ChildLog(proc.stderr, source, proc.pid)
        with self._running_lock:
            self.running[source] = proc
        log.info("crawl_started", source=source, pid=proc.pid, run_id=run_id)
        timed_out = False
        try:
            code = proc.wait(timeout=self.config.daemon.crawl_timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            log.error("crawl_timeout", source=source, timeout=self.config.daemon.crawl_timeout)
            _signal_group(proc.pid, signal.SIGTERM)
            try:
                code = proc.wait(timeout=self.config.daemon.stop_grace)
            except subprocess.TimeoutExpired:
                _signal_group(proc.pid, signal.SIGKILL)
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
        self._settle(source, run_id, proc.pid, code, outcome)
        # The crawl judged its source's health as it ended; a crawl that was killed or
        # crashed could not, so it is judged here (a second look changes nothing).
        check_after_crawl(self.config, [source], now=now_utc())
        if not self.stopping.is_set():
            self.alerts()

    def _remote_crawl_ended(self, source: str, run_id: int) -> None:
        """A worker's crawl is stored (the intake's thread): judge the source, then alert,
        as after a local crawl."""
        check_after_crawl(self.config, [source], now=now_utc())
        if not self.stopping.is_set():
            self.alerts()

    def _wait_for_leftover(self, source: str) -> bool:
        """A crawl of `source` still running from a daemon that died (it stops by itself
        once it sees that): wait for it, stopping it at its `crawl_timeout`, and settle
        its run. False when the daemon stopped meanwhile."""
        lock = source_lock(self.database, source)
        pid = lock.holder()
        if pid is None:
            return True
        log.warning("crawl_leftover", source=source, pid=pid)
        # Past its crawl_timeout, SIGTERM; past stop_grace after that, SIGKILL.
        deadline = time.monotonic() + self.config.daemon.crawl_timeout
        signals = [signal.SIGTERM, signal.SIGKILL]
        while lock.holder() is not None:
            if self.stopping.wait(0.5):
                return False
            if pid and signals and time.monotonic() > deadline:
                signum = signals.pop(0)
                log.error("crawl_timeout", source=source, pid=pid, signal=signum.name)
                _signal_group(pid, signum)
                deadline = time.monotonic() + self.config.daemon.stop_grace
        # Its crawl process may have been killed before it could end its run.
        with self._database(30.0) as db:
            end_stale(db, source, reason="a crawl left by a daemon that died; it did not finish")
        return True

    def _begin_run(self, source: str) -> int | None:
        try:
            with self._database(30.0) as db:
                return begin_run(db, source, now=now_utc().isoformat())
        except (StorageError, sqlite3.Error) as exc:
            # The crawl then makes its own row.
            log.error("run_not_recorded", source=source, error=str(exc))
            return None

    @contextlib.contextmanager
    def _database(self, busy_timeout: float) -> Iterator[Database]:
        db = open_database(self.database, busy_timeout=busy_timeout)
        try:
            yield db
        finally:
            db.close()

    def _settle(
        self, source: str, run_id: int | None, pid: int, code: int | None, outcome: Outcome
    ) -> None:
        """Make sure the crawl ended its run (a crawl that died at start-up, or left its row
        running, has it ended here), and log `crawl_finished` with the run's figures. A
        crawl that found its source busy leaves no run."""
        figures: dict[str, Any] = {"status": outcome.status, "reason": outcome.reason}
        try:
            # Not the crawls' short busy timeout: this thread may wait for the write lock.
            with self._database(30.0) as db:
                if run_id is not None and outcome.status == "busy":
                    discard(db, run_id)
                elif run_id is not None:
                    end_run(
                        db,
                        run_id,
                        status=outcome.status,
                        reason=outcome.reason,
                        now=now_utc().isoformat(),
                        over=outcome.over,
                        pid=pid,
                    )
                    row = read_run(db, run_id)
                    if row is not None:
                        figures = {k: row[k] for k in ("status", "reason", *SUMMARY)}
        except (StorageError, sqlite3.Error) as exc:
            log.error("run_not_recorded", source=source, status=outcome.status, error=str(exc))
        event = log.info if code == 0 else log.warning
        event("crawl_finished", source=source, run_id=run_id, exit_code=code, **figures)

    def _settle_interrupted_sends(self) -> None:
        with self._database(30.0) as db:
            settle_interrupted(db, now_utc().isoformat())

    def alerts(self) -> None:
        """Match new articles, then deliver what is due (one delivery at a time)."""

        def work(db: Database, now: datetime, config: Config) -> None:
            deliver_pending(
                db,
                config.watches,
                now=now,
                retry=(config.daemon.retry_min, config.daemon.retry_max),
                give_up_after=config.daemon.max_attempts,
            )

        self._alert_job("alerts", work)

    def digest(self, name: str) -> None:
        def work(db: Database, now: datetime, config: Config) -> None:
            try:
                watch = config.watch(name)
            except ConfigError:
                return  # removed by a reload while its digest was due
            retry = (config.daemon.retry_min, config.daemon.retry_max)
            deliver_digest(db, watch, now=now, retry=retry)

        self._alert_job(f"digest:{name}", work)

    def _alert_job(self, job: str, deliver: Callable[[Database, datetime, Config], None]) -> None:
        """Match, then deliver; a busy or failing database defers the job to its next turn."""
        with self._alerts_lock:
            config = self.config  # one configuration for the whole job, whatever a reload does
            try:
                db = open_database(self.database)
            except StorageError as exc:
                log.warning("job_deferred", job=job, error=str(exc))
                return
            try:
                now = now_utc()
                match_new_articles(db, config.watches, now=now.isoformat())
                deliver(db, now, config)
            except sqlite3.Error as exc:
                # Nothing is lost: what was not committed is matched or sent next time.
                log.warning("job_deferred", job=job, error=f"database: {exc}")
            finally:
                db.close()


def _signal_group(pid: int, signum: int) -> None:
    """Signal the crawl process `pid` and its workers (it leads its own process group)."""
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        pass


def run_daemon(
    config: Config,
    *,
    metrics: tuple[str, int] | None = None,
    web_port: int | None = None,
    stopping: threading.Event | None = None,
    reloading: threading.Event | None = None,
) -> None:
    """Run until SIGTERM or SIGINT; running crawls get `stop_grace` to finish. SIGHUP
    reloads the configuration.

    With `metrics` (host, port), Prometheus metrics are served there meanwhile; with
    `web_port`, the web face on `[web] host`.
    `stopping` and `reloading` are events the caller's own signal handlers set while the
    daemon started.
    """
    daemon = Daemon(config, metrics=metrics, web_port=web_port, stopping=stopping)
    signal.signal(signal.SIGTERM, daemon.request_stop)
    signal.signal(signal.SIGINT, daemon.request_stop)
    signal.signal(signal.SIGHUP, daemon.request_reload)
    daemon.reload_requested = reloading is not None and reloading.is_set()
    daemon.run()
