"""Source health over the database: the verdicts `newswatch status` shows, and one notice
through `[monitor] notify` each time a source's verdict changes.

The rules themselves are pure (`pipelines.monitor.health`); this module reads the runs they
judge and remembers the last verdict per source in `source_health`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from config import Config, MonitorSettings
from pipelines.monitor.health import PENDING, Health, Run, assess
from pipelines.notify import failures, redact, send
from pipelines.storage.database import StorageError, open_database
from pipelines.storage.runs import judged_runs, last_new_article
from pipelines.storage.transactions import immediate

if TYPE_CHECKING:
    from sqlite_utils import Database

log = structlog.get_logger("newswatch.monitor")

# Runs older than this are not read: the rules look back `baseline_days` + 1 at most,
# and the usual gap between new articles is measured over this window.
_HISTORY = timedelta(days=35)


def source_runs(db: Database, source: str, *, now: datetime, days: int = 0) -> list[Run]:
    """The source's finished runs of the last weeks (the one in progress left out), oldest first."""
    since = now - max(_HISTORY, timedelta(days=days + 2))
    rows = judged_runs(db, source, since=since.isoformat())
    return [Run.from_row(row, first=row["first"]) for row in rows]


def source_health(
    db: Database, config: Config, names: Iterable[str], *, now: datetime
) -> list[Health]:
    rules = config.monitor
    return [
        assess(
            name,
            source_runs(db, name, now=now, days=rules.baseline_days),
            rules,
            now=now,
            last_new=last_new_article(db, name),
        )
        for name in names
    ]


def check_health(
    db: Database, config: Config, names: Iterable[str], *, now: datetime
) -> list[Health]:
    """Judge the sources `names` after their runs; record and notify changed verdicts.

    Returns the sources whose verdict changed. A notice that cannot be delivered
    stays pending and is tried again at the source's next check.
    """
    stamp = now.isoformat(timespec="seconds")
    changed = []
    for health in source_health(db, config, names, now=now):
        if health.verdict == PENDING:
            continue
        row = _stored(db, health.source)
        previous = row["verdict"] if row else "ok"
        with immediate(db):
            if health.verdict != previous:
                db["source_health"].upsert(
                    {
                        "source": health.source,
                        "verdict": health.verdict,
                        "reason": health.reason,
                        "since": stamp,
                        "previous": previous,
                        "checked_at": stamp,
                        "notify_pending": 1 if config.monitor.notify else 0,
                    },
                    pk="source",
                )
                event = log.info if health.verdict == "ok" else log.warning
                event(
                    "source_verdict_changed",
                    source=health.source,
                    verdict=health.verdict,
                    previous=previous,
                    reason=health.reason,
                )
                changed.append(health)
            else:
                db.execute(
                    "UPDATE source_health SET reason = ?, checked_at = ? WHERE source = ?",
                    [health.reason, stamp, health.source],
                )
    deliver_notices(db, config.monitor, names)
    return changed


def check_after_crawl(config: Config, names: Iterable[str], *, now: datetime) -> list[Health]:
    """`check_health` on its own connection; a busy or broken database defers the check
    to the sources' next run (nothing is lost: the runs are recorded)."""
    try:
        db = open_database(config.storage.database)
    except StorageError as exc:
        log.warning("health_check_deferred", error=str(exc))
        return []
    try:
        return check_health(db, config, names, now=now)
    except sqlite3.Error as exc:
        log.warning("health_check_deferred", error=f"database: {exc}")
        return []
    finally:
        db.close()


def deliver_notices(db: Database, monitor: MonitorSettings, names: Iterable[str]) -> int:
    """Send the pending verdict changes of `names`; returns how many were delivered."""
    names = list(names)
    marks = ", ".join("?" * len(names))
    rows = list(
        db.query(
            f"SELECT * FROM source_health WHERE notify_pending = 1 AND source IN ({marks})",
            names,
        )
    )
    delivered = 0
    for row in rows:
        title, body = verdict_message(row)
        results = send(monitor.notify, title, body, f"health-{row['source']}-{row['since']}")
        errors = failures(results)
        if errors:
            log.warning("health_notify_failed", source=row["source"], errors=errors)
            continue
        with immediate(db):
            db.execute(
                "UPDATE source_health SET notify_pending = 0 WHERE source = ? AND since = ?",
                [row["source"], row["since"]],
            )
        delivered += 1
        log.info(
            "health_notified",
            source=row["source"],
            verdict=row["verdict"],
            channels=[redact(u) for u in monitor.notify],
        )
    return delivered


def verdict_message(row: dict) -> tuple[str, str]:
    source, verdict, previous = row["source"], row["verdict"], row["previous"]
    if verdict == "ok":
        again = "" if previous == "never_worked" else " again"
        title = f"newswatch: source {source} is ok{again}"
        body = f"{source} was {previous}; its last run on {row['since']} looks healthy."
    else:
        state = "has never worked" if verdict == "never_worked" else f"is {verdict}"
        title = f"newswatch: source {source} {state}"
        body = row["reason"]
        if previous != "ok" or verdict != "never_worked":  # a new source was never ok
            body += f"\n\n{source} was {previous} until {row['since']}."
    return title, body + "\n\nDetails: newswatch status"


def _stored(db: Database, source: str) -> dict | None:
    return next(db.query("SELECT * FROM source_health WHERE source = ?", [source]), None)


def jobs_path(database: Path) -> Path:
    """The daemon's job store: a SQLite file beside the database."""
    return database.with_name(database.name + ".jobs.sqlite")


def next_run_times(database: Path) -> dict[str, datetime]:
    """Each source's next scheduled crawl, read from the daemon's job store (read-only, so
    it works while the daemon runs, and without APScheduler: `status` need not import
    it); empty when no daemon has run on this database."""
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
