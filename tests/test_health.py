"""Source health: the rules of pipelines/monitor/health.py on their own, as pure functions over runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from config import MonitorSettings
from pipelines.monitor.health import Run, assess

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
RULES = MonitorSettings()


def runs_every(hours: float, count: int, *, end: datetime = NOW, **figures) -> list[Run]:
    """`count` runs `hours` apart, the last at `end`, each with the same figures."""
    return [
        Run(started=end - timedelta(hours=hours * (count - 1 - n)), status="finished", **figures)
        for n in range(count)
    ]


def test_a_source_never_crawled_is_pending():
    assert assess("s", [], RULES, now=NOW).verdict == "pending"


def test_failing_only_after_failing_after_runs_in_a_row():
    healthy = runs_every(1, 5, end=NOW - timedelta(hours=3), articles_new=2, pages_fetched=3)
    failed = [Run(started=NOW - timedelta(hours=h), status="failed") for h in (2, 1)]
    assert assess("s", healthy + failed, RULES, now=NOW).verdict == "ok"
    interrupted = Run(started=NOW - timedelta(minutes=30), status="interrupted")
    third = Run(
        started=NOW,
        status="failed",
        listing_problems=({"kind": "feed", "url": "http://x/feed", "reason": "HTTP 500"},),
    )
    health = assess("s", [*healthy, *failed, interrupted, third], RULES, now=NOW)
    assert health.verdict == "failing"
    assert health.reason == "the last 3 runs failed (feed http://x/feed: HTTP 500)"


def test_a_source_that_never_worked_says_so_until_it_is_failing():
    """Not `ok` with errors at 100%: no run has succeeded, so the source has never worked."""
    missing = {"kind": "feed", "url": "http://x/feed", "reason": "HTTP 404"}
    first = Run(started=NOW - timedelta(hours=2), status="failed", listing_problems=(missing,))
    health = assess("s", [first], RULES, now=NOW)
    assert (health.verdict, health.reason) == (
        "never_worked",
        "its only run failed (feed http://x/feed: HTTP 404)",
    )
    crash = "the crawl process exited with code 1: ImportError: x"
    crashed = Run(started=NOW - timedelta(hours=1), status="failed", reason=crash)
    health = assess("s", [first, crashed], RULES, now=NOW)
    assert (health.verdict, health.reason) == (
        "never_worked",
        "all 2 of its runs failed (the crawl process exited with code 1: ImportError: x)",
    )
    killed = Run(started=NOW, status="killed", reason="the crawl process was killed by SIGKILL")
    health = assess("s", [first, crashed, killed], RULES, now=NOW)
    assert (health.verdict, health.reason) == (
        "failing",
        "the last 3 runs failed (the crawl process was killed by SIGKILL)",
    )
    # Runs that were only ever interrupted have not shown anything yet.
    interrupted = Run(started=NOW, status="interrupted", reason="stopped when the daemon stopped")
    assert assess("s", [interrupted], RULES, now=NOW).verdict == "pending"
    # A source that worked once and now fails on its feed is degraded at once, failing later.
    worked = runs_every(1, 3, end=NOW - timedelta(hours=1), articles_new=1, pages_fetched=2)
    failed = Run(started=NOW, status="failed", listing_problems=(missing,))
    health = assess("s", [*worked, failed], RULES, now=NOW)
    assert (health.verdict, health.reason) == ("degraded", "feed http://x/feed: HTTP 404")


def test_one_broken_feed_of_several_degrades_at_once():
    problem = {"kind": "sitemap", "url": "http://x/sitemap.xml", "reason": "not a readable sitemap"}
    runs = runs_every(1, 3, articles_new=1, pages_fetched=4, listings_read=1)
    runs[-1] = Run(started=NOW, status="finished", pages_fetched=4, listing_problems=(problem,))
    health = assess("s", runs, RULES, now=NOW)
    assert (health.verdict, health.reason) == (
        "degraded",
        "sitemap http://x/sitemap.xml: not a readable sitemap",
    )


def test_robots_txt_shutting_out_the_feed_is_failing_and_new_denials_degrade():
    denied = {"kind": "feed", "url": "http://x/feed", "reason": "forbidden by robots.txt"}
    runs = runs_every(1, 3, articles_new=1, pages_fetched=3)
    shut = [*runs[:-1], Run(started=NOW, status="finished", listing_problems=(denied,))]
    assert assess("s", shut, RULES, now=NOW).verdict == "failing"
    newly = [*runs[:-1], Run(started=NOW, status="finished", pages_fetched=2, robots_denied=3)]
    assert assess("s", newly, RULES, now=NOW).verdict == "degraded"
    # A source that always had some pages denied: its own normal.
    always = runs_every(1, 4, articles_new=1, pages_fetched=3, robots_denied=1)
    assert assess("s", always, RULES, now=NOW).verdict == "ok"


def test_pages_without_article_text_jumping_degrade_until_good_pages_return():
    good = runs_every(1, 3, end=NOW - timedelta(hours=3), articles_new=5, pages_fetched=6,
                      listings_read=1)  # fmt: skip
    emptied = Run(started=NOW - timedelta(hours=2), status="finished", pages_fetched=7,
                  listings_read=1, empty_extractions=6)  # fmt: skip
    quiet = Run(started=NOW - timedelta(hours=1), status="finished", pages_fetched=1,
                listings_read=1)  # fmt: skip
    health = assess("s", [*good, emptied, quiet], RULES, now=NOW)
    assert health.verdict == "degraded"
    assert "100% of recent pages had no article text (usually 0%)" in health.reason
    # Too few pages to judge: nothing is said.
    few = Run(started=NOW, status="finished", pages_fetched=3, listings_read=1, empty_extractions=2)
    assert assess("s", [*good, few], RULES, now=NOW).verdict == "ok"
    recovered = runs_every(1, 1, articles_new=5, pages_fetched=6, listings_read=1)
    assert assess("s", [*good, emptied, quiet, *recovered], RULES, now=NOW).verdict == "ok"


def test_far_fewer_new_articles_than_usual_degrades_once_history_exists():
    # Ten days of a run every 6 hours, 10 new articles each (40 a day), then 2 in a day.
    history = runs_every(6, 40, end=NOW - timedelta(days=1), articles_new=10, pages_fetched=10)
    last_day = runs_every(6, 4, articles_new=0, pages_fetched=1)
    last_day[0] = Run(started=last_day[0].started, status="finished", articles_new=2)
    health = assess("s", history + last_day, RULES, now=NOW, last_new=last_day[0].started)
    assert health.verdict == "degraded"
    assert health.reason == "2 new articles in the last day, usually about 40 a day"
    assert health.usual_per_day == pytest.approx(40)
    # Three days of the same history is not enough to know the usual rate.
    short = [r for r in history if r.started > NOW - timedelta(days=4)] + last_day
    assert assess("s", short, RULES, now=NOW, last_new=last_day[0].started).verdict == "ok"


def test_silent_after_much_longer_than_the_usual_gap_and_the_minimum_silence():
    # New articles every 2 hours for two days, then 2-hourly runs that find nothing.
    productive = runs_every(2, 24, end=NOW - timedelta(hours=20), articles_new=1, pages_fetched=2)
    idle = runs_every(2, 10, articles_new=0, pages_fetched=1)
    last_new = productive[-1].started
    health = assess("s", productive + idle, RULES, now=NOW, last_new=last_new)
    assert (health.verdict, health.reason) == (
        "silent",
        "no new article for 20 hours (usually one every 2 hours)",
    )
    patient = MonitorSettings(min_silence=24 * 3600)
    assert assess("s", productive + idle, patient, now=NOW, last_new=last_new).verdict == "ok"
    # Silence is measured up to the last run: a monitor switched off saw nothing go quiet.
    later = NOW + timedelta(days=30)
    assert assess("s", productive, RULES, now=later, last_new=last_new).verdict == "ok"
