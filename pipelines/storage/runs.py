"""What a crawl run is: one crawl of one source, its `crawl_runs` row, and every read and
write of that table.

A run is begun by the daemon before it starts the crawl process (`begin_run`), so a crawl
that dies at start-up still ends as a row; the crawl adopts that row, or makes its own
(`start_run`). The crawl finishes it with the figures it counted (`run_figures`, from
Scrapy's stats; `finish_run`). A run its crawl could not finish is ended by whoever finds
it: the daemon, the next crawl of the source (`end_run`, `end_stale`), with the figures
its pages' rows show it committed (`committed_figures`). Read back: one run (`read_run`,
`RunResult`), a source's last runs (`recent_runs`), the finished runs the health rules
judge (`judged_runs`), the totals the metrics count (`totals`, `ended_by_status`).

A new figure is a change to this file plus a migration: add its column to `FIGURES` (or
`COUNTS` for a count of the run's pages, with its SQL in `committed_figures`; or
`JSON_FIGURES`), count it in the crawl as the Scrapy stat `newswatch/<name>`, and add the
column with a new `m00x` function in `pipelines/storage/schema.py` (tests/test_runs.py checks
that the two agree). An int field of `RunResult` (default 0) puts it in what a crawl
reports: its result and the `crawl_finished` log lines (the crawl's and the daemon's).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from pipelines.clock import as_utc
from pipelines.storage.transactions import immediate

# The page counts of a run, in the order `committed_figures` reads them from its pages.
COUNTS = (
    "pages_fetched",
    "articles_new",
    "duplicates",
    "skipped",
    "errors",
    "not_modified",
    "updated",
    "listings_read",
)
# Figures kept as JSON: {reason: pages}, {HTTP status or kind: pages}, [{kind, url, reason}].
JSON_FIGURES = ("skipped_reasons", "http_errors", "listing_problems")
# Every figure a run records, beside its source, times, status, reason and pid.
FIGURES = (*COUNTS, "empty_extractions", "robots_denied", "bytes", "duration", *JSON_FIGURES)


def problem_text(problems: Sequence[Mapping[str, Any]], *, reasons: bool = True) -> str:
    """The listings (feeds, sitemaps, fronts) a run could not read, and why: the first three."""
    parts = [
        f"{p.get('kind', 'listing')} {p.get('url')}" + (f": {p.get('reason')}" if reasons else "")
        for p in problems[:3]
    ]
    more = len(problems) - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


@dataclass(frozen=True)
class RunResult:
    """A finished crawl of one source, as recorded in `crawl_runs`: its int fields are the
    figures a crawl reports (`SUMMARY`)."""

    source: str
    status: str
    reason: str | None
    pages_fetched: int = 0
    articles_new: int = 0
    duplicates: int = 0
    skipped: int = 0
    errors: int = 0
    not_modified: int = 0
    updated: int = 0
    run_id: int | None = None
    # The feeds, sitemaps or fronts that could not be read, and why.
    problems: str | None = None

    @property
    def failed(self) -> bool:
        return self.status not in ("finished", "busy")

    @classmethod
    def from_row(cls, source: str, row: Mapping[str, Any]) -> RunResult:
        problems = json.loads(row["listing_problems"]) if row["listing_problems"] else []
        return cls(
            source,
            row["status"],
            row["reason"],
            run_id=row["id"],
            problems=problem_text(problems) or None,
            **{k: row[k] or 0 for k in SUMMARY},
        )


# The figures a finished crawl reports: its summary row and its `crawl_finished` log line.
SUMMARY = tuple(f.name for f in fields(RunResult) if f.type == "int")


def begin_run(db: Database, source: str, *, now: str) -> int:
    """A `crawl_runs` row for a crawl about to start: the daemon makes it before it starts
    the crawl process, so a crawl that dies at start-up still ends as a row, its own."""
    with immediate(db):
        return _insert(db, {"source": source, "started": now, "status": "running"})


def start_run(db: Database, source: str, *, now: str, pid: int, run_id: int | None) -> int:
    """The run of a crawl starting (in its write transaction): `run_id` (made by the daemon
    that started it), or a new row. The crawl holds its source's lock, so any other run of
    the source still marked running is one whose process died: it ends as `killed`, with
    what it committed."""
    end_stale(db, source, reason="the crawl process ended without finishing", keep=run_id)
    adopted = (
        run_id is not None
        and db.execute(
            "UPDATE crawl_runs SET pid = ? WHERE id = ? AND status = 'running'", [pid, run_id]
        ).rowcount
    )
    if not adopted:
        run_id = _insert(db, {"source": source, "started": now, "status": "running", "pid": pid})
    return int(run_id)


def finish_run(db: Database, run_id: int, figures: Mapping[str, Any], *, now: str) -> None:
    """Record what the crawl of `run_id` counted, its status and reason, and its end."""
    changes = {**figures, "finished": now}
    sets = ", ".join(f"[{column}] = ?" for column in changes)
    db.execute(f"UPDATE crawl_runs SET {sets} WHERE id = ?", [*changes.values(), run_id])


def end_run(
    db: Database,
    run_id: int,
    *,
    status: str,
    reason: str,
    now: str | None,
    over: tuple[str, ...] = ("running",),
    pid: int | None = None,
) -> str | None:
    """End the run `run_id` as `status` for `reason` if it is in a status of `over` (by
    default, still `running`); a run its crawl finished itself is kept. A run that never
    finished gets the figures it committed and, with no `now`, its last page's time as
    its end; `pid` is its process's, when the process died before recording it. Returns
    the run's final status (None: no such run)."""
    with immediate(db):
        row = db.execute(
            "SELECT status, started, pid FROM crawl_runs WHERE id = ?", [run_id]
        ).fetchone()
        if row is None or row[0] not in over:
            return row[0] if row else None
        changes: dict[str, Any] = {"status": status, "reason": reason, "pid": row[2] or pid}
        if row[0] == "running":
            figures, last = committed_figures(db, run_id)
            changes |= figures
            now = now or last or row[1]
        changes["finished"] = now
        started, finished = as_utc(row[1]), as_utc(now)
        if started and finished:
            changes["duration"] = round((finished - started).total_seconds(), 3)
        sets = ", ".join(f"[{column}] = ?" for column in changes)
        db.execute(f"UPDATE crawl_runs SET {sets} WHERE id = ?", [*changes.values(), run_id])
    return status


def end_stale(db: Database, source: str, *, reason: str, keep: int | None = None) -> None:
    """End as `killed`, for `reason`, every run of `source` still marked running but `keep`:
    their processes are gone (the caller holds the source's lock, or saw it free)."""
    stale = db.execute(
        "SELECT id FROM crawl_runs WHERE source = ? AND status = 'running' AND id != ?",
        [source, keep or 0],
    ).fetchall()
    for (stale_id,) in stale:
        end_run(db, stale_id, status="killed", reason=reason, now=None)


def discard(db: Database, run_id: int) -> None:
    """Delete the run the daemon began for a crawl that found its source busy (and so never
    adopted it)."""
    with immediate(db):
        db.execute("DELETE FROM crawl_runs WHERE id = ? AND pid IS NULL", [run_id])


def committed_figures(db: Database, run_id: int) -> tuple[dict[str, int], str | None]:
    """What a run committed, counted from its pages' rows (the figures of a run that died
    before counting its own), and the time of its last page."""
    row = db.execute(
        "SELECT count(*) - coalesce(sum(outcome IN ('failed', 'redirected')), 0), "
        "sum(outcome = 'stored'), "
        "sum(outcome = 'duplicate'), sum(outcome = 'skipped'), sum(outcome = 'failed'), "
        "sum(outcome = 'not_modified'), sum(outcome = 'updated'), "
        "sum(kind != 'article' AND outcome IN ('listed', 'not_modified')), max(fetched_at) "
        "FROM pages WHERE run_id = ?",
        [run_id],
    ).fetchone()
    return {name: value or 0 for name, value in zip(COUNTS, row, strict=False)}, row[-1]


def stored_in_run(db: Database, run_id: int) -> int:
    """Articles a run stored and committed (after a failed commit, fewer than it counted)."""
    return db.execute(
        "SELECT count(*) FROM pages WHERE run_id = ? AND outcome = 'stored'", [run_id]
    ).fetchone()[0]


def run_figures(stats: Mapping[str, Any], reason: str) -> dict[str, Any]:
    """The figures, status and reason of a crawl that closed for `reason`, from Scrapy's
    stats."""
    counts = (*COUNTS, "empty_extractions", "robots_denied")
    figures: dict[str, Any] = {name: stats.get(f"newswatch/{name}", 0) for name in counts}
    figures["bytes"] = stats.get("downloader/response_bytes", 0)
    figures["duration"] = stats.get("newswatch/duration")
    for name, prefix in (
        ("skipped_reasons", "newswatch/skipped/"),
        ("http_errors", "newswatch/http_errors/"),
    ):
        found = {k[len(prefix) :]: v for k, v in sorted(stats.items()) if k.startswith(prefix)}
        figures[name] = json.dumps(found) if found else None
    problems = stats.get("newswatch/listing_problems")
    figures["listing_problems"] = json.dumps(problems) if problems else None
    if reason == "finished":
        status = "failed" if figures["errors"] and not figures["pages_fetched"] else "finished"
    elif reason == "storage_error":
        status, reason = "failed", stats.get("newswatch/storage_error", reason)
    else:
        # "shutdown" is Scrapy's word for a stop asked by SIGINT or SIGTERM.
        status = "interrupted"
        reason = "stopped by a signal" if reason == "shutdown" else reason
    return {**figures, "status": status, "reason": None if reason == "finished" else reason}


def read_run(db: Database, run_id: int) -> dict[str, Any] | None:
    """The run `run_id`'s row, as stored (None: no such run)."""
    return next(db.query("SELECT * FROM crawl_runs WHERE id = ?", [run_id]), None)


def recent_runs(db: Database, source: str, limit: int) -> list[dict]:
    """The source's last `limit` runs with every figure, newest first (JSON columns decoded)."""
    rows = db.query(
        "SELECT * FROM crawl_runs WHERE source = ? ORDER BY started DESC, id DESC LIMIT ?",
        [source, limit],
    )
    decoded = []
    for row in rows:
        for column in JSON_FIGURES:
            row[column] = json.loads(row[column]) if row[column] else None
        decoded.append(row)
    return decoded


# The web face's "a source's last runs" (a Datasette canned query: :source names it).
SOURCE_RUNS_SQL = (
    "SELECT id, started, finished, status, reason, pages_fetched, listings_read, "
    "articles_new, duplicates, skipped, errors, not_modified, duration "
    "FROM crawl_runs WHERE source = :source ORDER BY started DESC, id DESC LIMIT 50"
)


def judged_runs(db: Database, source: str, *, since: str) -> list[dict]:
    """The source's runs started since `since` that say something of its health (not the
    one in progress, nor a reextract run, which fetched nothing), oldest first; `first` is
    true on the source's first run ever."""
    first = db.execute(
        "SELECT id FROM crawl_runs WHERE source = ? ORDER BY started, id LIMIT 1", [source]
    ).fetchone()
    rows = db.query(
        f"SELECT id, started, status, reason, {', '.join(FIGURES)} FROM crawl_runs "
        "WHERE source = ? AND started >= ? AND status NOT IN ('running', 'reextract') "
        "ORDER BY started, id",
        [source, since],
    )
    return [{**row, "first": first is not None and row["id"] == first[0]} for row in rows]


def last_new_article(db: Database, source: str) -> datetime | None:
    """When the source's newest article was stored: the end of its last productive run."""
    value = db.execute(
        "SELECT max(coalesce(finished, started)) FROM crawl_runs "
        "WHERE source = ? AND articles_new > 0 AND status != 'reextract'",
        [source],
    ).fetchone()[0]
    return as_utc(value)


def ended_by_status(db: Database) -> list[tuple[str, str, int]]:
    """(source, status, runs) of the runs that ended."""
    return db.execute(
        "SELECT source, status, count(*) FROM crawl_runs WHERE status != 'running' "
        "GROUP BY source, status"
    ).fetchall()


def totals(db: Database, figures: tuple[str, ...]) -> list[tuple]:
    """(source, total of each of `figures`) over all the runs of each source."""
    sums = ", ".join(f"coalesce(sum([{figure}]), 0)" for figure in figures)
    return db.execute(f"SELECT source, {sums} FROM crawl_runs GROUP BY source").fetchall()


def _insert(db: Database, row: Mapping[str, Any]) -> int:
    columns = ", ".join(f"[{column}]" for column in row)
    return db.execute(
        f"INSERT INTO crawl_runs ({columns}) VALUES ({', '.join('?' * len(row))})",
        list(row.values()),
    ).lastrowid
