"""pipelines.storage.runs: the figures it lists are the table's, and what a crawl counted reads back."""

from pipelines.storage.database import open_database
from pipelines.storage.runs import (
    COUNTS,
    FIGURES,
    SUMMARY,
    RunResult,
    begin_run,
    finish_run,
    read_run,
    recent_runs,
    run_figures,
)

# A run's own columns, beside its figures.
_OWN = {"id", "source", "started", "finished", "status", "reason", "pid", "worker"}


def test_the_figures_are_the_columns_of_the_migrated_table(tmp_path):
    """A figure added to `FIGURES` without its migration (or a column without its figure)
    fails here."""
    db = open_database(tmp_path / "nw.db")
    assert set(db["crawl_runs"].columns_dict) == _OWN | set(FIGURES)
    assert set(COUNTS) <= set(FIGURES) and set(SUMMARY) <= set(COUNTS)


def test_what_a_crawl_counted_is_recorded_and_read_back(tmp_path):
    db = open_database(tmp_path / "nw.db")
    stats = {
        "newswatch/pages_fetched": 5,
        "newswatch/articles_new": 3,
        "newswatch/errors": 1,
        "newswatch/robots_denied": 2,
        "newswatch/skipped/not_an_article": 1,
        "newswatch/http_errors/404": 1,
        "newswatch/listing_problems": [{"kind": "feed", "url": "http://a.test/f", "reason": "404"}],
        "downloader/response_bytes": 1234,
    }
    figures = run_figures(stats, "finished")
    assert set(figures) == set(FIGURES) | {"status", "reason"}
    run_id = begin_run(db, "s", now="2026-11-28T12:00:00+00:00")
    finish_run(db, run_id, figures, now="2026-11-28T12:00:09+00:00")

    result = RunResult.from_row("s", read_run(db, run_id))
    assert (result.status, result.reason, result.run_id) == ("finished", None, run_id)
    assert (result.pages_fetched, result.articles_new, result.errors) == (5, 3, 1)
    assert result.problems and "http://a.test/f" in result.problems
    (recent,) = recent_runs(db, "s", 5)
    assert (recent["bytes"], recent["robots_denied"]) == (1234, 2)
    assert recent["skipped_reasons"] == {"not_an_article": 1}
    assert recent["http_errors"] == {"404": 1}
