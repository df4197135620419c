"""A source's health, judged from its crawl runs: pure functions, no database, no clock.

The verdicts, worst first: `failing` (runs keep failing, or robots.txt shuts the
source out), `never_worked` (no run has succeeded yet, and the last one failed),
`degraded` (it runs but something changed: a feed answers errors, pages come back
without article text, far fewer new articles than usual), `silent` (runs succeed but
nothing new has come for much longer than usual), `ok`. A source never crawled to
the end is `pending`.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from config import MonitorSettings
from pipelines.clock import as_utc
from pipelines.storage.runs import problem_text

VERDICTS = ("ok", "silent", "degraded", "never_worked", "failing")  # in order of severity
PENDING = "pending"
# Run statuses that count as a failure in a row; an interrupted run counts neither way.
_FAILED = ("failed", "killed")
_DAY = timedelta(days=1)
# At least this many gaps between productive runs before a source's usual gap is known.
_MIN_GAPS = 3
# Below this many new articles a day, "far below the usual rate" is noise.
_MIN_DAILY_RATE = 2.0


@dataclass(frozen=True)
class Run:
    """One finished crawl run of a source, as the health rules read it."""

    started: datetime
    status: str
    reason: str | None = None
    pages_fetched: int = 0
    listings_read: int = 0
    articles_new: int = 0
    empty_extractions: int = 0
    errors: int = 0
    robots_denied: int = 0
    # Feeds, sitemaps and section fronts that failed or were denied: {kind, url, reason}.
    listing_problems: tuple[Mapping[str, Any], ...] = ()
    first: bool = False  # the source's first run ever: it collects the backlog

    @property
    def article_pages(self) -> int:
        return max(0, self.pages_fetched - self.listings_read)

    @classmethod
    def from_row(cls, row: Mapping[str, Any], *, first: bool = False) -> Run:
        """The run of a `crawl_runs` row (`pipelines.storage.runs`): its int fields are figures."""
        problems = row.get("listing_problems")
        return cls(
            started=as_utc(row["started"]),
            status=row["status"],
            reason=row.get("reason"),
            listing_problems=tuple(json.loads(problems)) if problems else (),
            first=first,
            **{f.name: row.get(f.name) or 0 for f in fields(cls) if f.type == "int"},
        )


@dataclass(frozen=True)
class Health:
    """A source's verdict with its reasons, and the figures `newswatch status` shows."""

    source: str
    verdict: str
    reasons: tuple[str, ...] = ()
    last_run: datetime | None = None
    last_status: str | None = None
    last_success: datetime | None = None
    last_new: datetime | None = None
    new_24h: int = 0
    new_7d: int = 0
    usual_per_day: float | None = None
    error_rate: float | None = None
    empty_rate: float | None = None

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, datetime):
                data[key] = value.isoformat()
            elif isinstance(value, float):
                data[key] = round(value, 3)
        return data


def assess(
    source: str,
    runs: Sequence[Run],
    rules: MonitorSettings,
    *,
    now: datetime,
    last_new: datetime | None = None,
) -> Health:
    """The verdict for `source` from its finished runs (oldest first) at `now`.

    `last_new` is when the source's newest article was stored (by default, the start of
    its last run that stored one). The rules that measure time measure it up to the last
    run, not to `now`: a monitor that was switched off has not watched a source go silent.
    """
    runs = sorted(runs, key=lambda r: r.started)
    if not any(r.status in ("finished", *_FAILED) for r in runs):
        if not runs:
            return Health(source, PENDING, ("never crawled",), last_new=last_new)
        last = runs[-1]
        return Health(
            source,
            PENDING,
            ("no crawl has run to its end yet",),
            last_run=last.started,
            last_status=last.status,
            last_new=last_new,
        )
    productive = [r.started for r in runs if r.articles_new]
    last_new = last_new or (productive[-1] if productive else None)
    usual = _daily_rate(runs, rules)
    found: dict[str, list[str]] = {verdict: [] for verdict in VERDICTS}
    for verdict, reason in (
        *_failing(runs, rules),
        *_never_worked(runs),
        *_listings(runs[-1]),
        *_robots(runs),
        *_emptied(runs, rules),
        *_slowed(runs, rules, usual),
        *_silent(runs, rules, last_new, productive),
    ):
        found[verdict].append(reason)
    verdict = next((v for v in reversed(VERDICTS) if found[v]), "ok")
    recent = [r for r in runs if r.started > now - 7 * _DAY]
    fetched = sum(r.pages_fetched + r.errors for r in recent)
    pages = sum(r.article_pages for r in recent)
    successes = [r.started for r in runs if r.status == "finished"]
    return Health(
        source,
        verdict,
        tuple(found[verdict]),
        last_run=runs[-1].started,
        last_status=runs[-1].status,
        last_success=successes[-1] if successes else None,
        last_new=last_new,
        new_24h=sum(r.articles_new for r in runs if r.started > now - _DAY),
        new_7d=sum(r.articles_new for r in recent),
        usual_per_day=usual,
        error_rate=sum(r.errors for r in recent) / fetched if fetched else None,
        empty_rate=sum(r.empty_extractions for r in recent) / pages if pages else None,
    )


def _failing(runs: Sequence[Run], rules: MonitorSettings) -> list[tuple[str, str]]:
    streak = []
    for run in reversed(runs):
        if run.status in _FAILED:
            streak.append(run)
        elif run.status != "interrupted":
            break
    if len(streak) < rules.failing_after:
        return []
    runs_failed = "the last run" if len(streak) == 1 else f"the last {len(streak)} runs"
    return [("failing", f"{runs_failed} failed ({_why_failed(streak[0])})")]


def _never_worked(runs: Sequence[Run]) -> list[tuple[str, str]]:
    """No run of the source has succeeded, and the last one failed: a wrong URL, a feed
    that is an HTML page, a host that does not answer."""
    if runs[-1].status not in _FAILED or any(r.status == "finished" for r in runs):
        return []
    failed = sum(r.status in _FAILED for r in runs)
    runs_failed = "its only run" if failed == 1 else f"all {failed} of its runs"
    return [("never_worked", f"{runs_failed} failed ({_why_failed(runs[-1])})")]


def _why_failed(run: Run) -> str:
    return problem_text(run.listing_problems) or run.reason or f"{run.errors} page errors"


def _listings(last: Run) -> list[tuple[str, str]]:
    """Some of the source's feeds, sitemaps or fronts answer errors or unreadable XML
    (in a failed run too: one failure is not yet `failing`, but it is not ok)."""
    broken = [p for p in last.listing_problems if not _denied(p)]
    return [("degraded", problem_text(broken))] if broken else []


def _robots(runs: Sequence[Run]) -> list[tuple[str, str]]:
    last = runs[-1]
    denied = [p for p in last.listing_problems if _denied(p)]
    if denied:
        return [("failing", f"robots.txt disallows {problem_text(denied, reasons=False)}")]
    if not last.robots_denied:
        return []
    # Newly: the source had runs without denials before this streak of runs with them.
    streak = 0
    for run in reversed(runs):
        if not run.robots_denied:
            break
        streak += 1
    if streak == len(runs):
        return []  # always so for this source: its own normal
    denials = f"{last.robots_denied} in the last run"
    return [("degraded", f"robots.txt newly disallows pages ({denials})")]


def _emptied(runs: Sequence[Run], rules: MonitorSettings) -> list[tuple[str, str]]:
    """The share of pages without article text jumped: the layout probably changed."""
    recent, earlier = _pooled(runs, rules.min_pages)
    if recent is None or earlier is None:
        return []
    share, usual = recent, earlier
    if share - usual < rules.empty_jump:
        return []
    return [
        (
            "degraded",
            f"{share:.0%} of recent pages had no article text (usually {usual:.0%}): "
            "the page layout may have changed",
        )
    ]


def _pooled(runs: Sequence[Run], min_pages: int) -> tuple[float | None, float | None]:
    """The no-text share of the latest runs holding `min_pages` article pages, and of
    the runs before them (each None without enough pages)."""
    shares: list[float | None] = []
    pages = empty = 0
    for run in reversed(runs):
        pages += run.article_pages
        empty += run.empty_extractions
        if pages >= min_pages:
            shares.append(empty / pages)
            if len(shares) == 2:
                break
            pages = empty = 0
    shares += [None] * (2 - len(shares))
    return shares[0], shares[1]


def _daily_rate(runs: Sequence[Run], rules: MonitorSettings) -> float | None:
    """New articles a day over the baseline window before the last day, once the
    history covers it; the first run's backlog is left out."""
    anchor = runs[-1].started
    start = anchor - _DAY - timedelta(days=rules.baseline_days)
    if runs[0].started > start:
        return None
    window = [r for r in runs if start <= r.started < anchor - _DAY and not r.first]
    return sum(r.articles_new for r in window) / rules.baseline_days


def _slowed(
    runs: Sequence[Run], rules: MonitorSettings, usual: float | None
) -> list[tuple[str, str]]:
    if usual is None or usual < _MIN_DAILY_RATE:
        return []
    anchor = runs[-1].started
    latest = sum(r.articles_new for r in runs if r.started > anchor - _DAY)
    if latest >= rules.low_rate * usual:
        return []
    return [("degraded", f"{latest} new articles in the last day, usually about {usual:.0f} a day")]


def _silent(
    runs: Sequence[Run],
    rules: MonitorSettings,
    last_new: datetime | None,
    productive: Sequence[datetime],
) -> list[tuple[str, str]]:
    anchor = runs[-1].started
    finished = [r for r in runs if r.status == "finished"]
    if last_new is None:
        if len(finished) >= rules.failing_after:
            return [("silent", f"no article collected in {len(finished)} runs")]
        return []
    gaps = [(b - a).total_seconds() for a, b in zip(productive, productive[1:], strict=False)]
    if len(gaps) < _MIN_GAPS:
        return []
    usual = statistics.median(gaps)
    silence = (anchor - last_new).total_seconds()
    if silence <= rules.silent_after * usual or silence < rules.min_silence:
        return []
    return [
        (
            "silent",
            f"no new article for {_span(silence)} (usually one every {_span(usual)})",
        )
    ]


def _denied(problem: Mapping[str, Any]) -> bool:
    return "robots.txt" in str(problem.get("reason", ""))


def _span(seconds: float) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.0f} hours"
    return f"{max(1, round(seconds / 60))} minutes"
