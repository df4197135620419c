"""What the commands print: tables that fit 80 columns without breaking a word, plain
tab-separated lines in a pipe, JSON that parses, and times in the reader's time zone."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rich.cells import cell_len

from crawler.demo import DEMO_SITE
from crawler.report import shorten
from tests.helpers import run_newswatch


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's configuration and database (two sources, duplicates, skipped pages, a
    story on two outlets, alerts in two scripts)."""
    directory = tmp_path_factory.mktemp("output") / "demo"
    result = run_newswatch("demo", "--dir", str(directory))
    assert result.returncode == 0, result.stderr[-3000:]
    config = directory / "config"
    db = sqlite3.connect(config / "data" / "newswatch.db")
    story = db.execute(
        "SELECT cluster_id FROM articles GROUP BY cluster_id HAVING count(*) > 1"
    ).fetchone()[0]
    db.close()
    return config, story


def table_commands(story: int) -> list[tuple[str, ...]]:
    return [
        ("sources",),
        ("status", "--runs", "3"),
        ("watches",),
        ("alerts",),
        ("cluster", str(story)),
        ("history", str(story)),
        ("stats",),
        ("search", "Lavrov"),
        ("show", "1"),
        ("backfill", "Sergei Lavrov"),
        ("pages",),
        ("pages", "--outcome", "skipped"),
        ("extract", str(DEMO_SITE / "ledger/news/2026/11/03/council-approves-transit-levy.html")),
    ]


@pytest.mark.e2e
def test_every_table_fits_80_columns_without_breaking_a_word(demo):
    config, story = demo
    for command in table_commands(story):
        narrow = run_newswatch("--config", str(config), *command, columns=80)
        assert narrow.returncode == 0, (command, narrow.stderr)
        wide = run_newswatch("--config", str(config), *command)
        assert wide.returncode == 0, (command, wide.stderr)
        long = [line for line in narrow.stdout.splitlines() if cell_len(line) > 80]
        assert not long, (command, long)
        # Every word of the narrow output is a whole word of the same output in a pipe
        # (where nothing is wrapped): but for a URL shortened in its middle, the pieces of
        # a word too long for any column (a URL in a reason), and times counted from now.
        words = set(wide.stdout.split())
        long_words = [w for w in words if len(w) > 20]
        for word in narrow.stdout.split():
            if word in words or re.fullmatch(r"\d+[mhd]", word):
                continue
            if "…" in word and "://" in word:
                continue
            assert any(word in w for w in long_words), (command, word, narrow.stdout)


@pytest.mark.e2e
def test_the_demo_fits_80_columns(tmp_path):
    result = run_newswatch("demo", "--dir", str(tmp_path / "demo"), columns=80)
    assert result.returncode == 0, result.stderr[-3000:]
    assert max(map(cell_len, result.stdout.splitlines())) <= 80, result.stdout
    # Headers are whole words: "duplicat/es" and "interrupt/ed" were seen at 80 columns.
    assert re.search(r"source\s+status\s+fetched\s+new\s+updated\s+duplicates", result.stdout)
    # A skipped page's URL is shortened in its middle, never cut at its end.
    assert re.search(r"http://127\.0\.0\.1:\d+…\S*-leak\s", result.stdout), result.stdout


@pytest.mark.e2e
def test_in_a_pipe_tables_are_tab_separated_and_lines_are_never_wrapped(demo):
    config, story = demo
    listed = run_newswatch("--config", str(config), "sources")
    lines = listed.stdout.splitlines()
    assert lines[0] == "name\tschedule\tmax pages\tdiscovery"
    rows = [line.split("\t") for line in lines[1:3]]
    assert [r[0] for r in rows] == ["ledger", "courier"]
    assert all(len(r) == 4 for r in rows), rows
    assert all(not line.endswith(" ") for line in lines), "no trailing spaces"
    assert "/courier/feeds/atom.xml sitemap http://" in lines[2], "whole URLs, on one line"
    shown = run_newswatch("--config", str(config), "show", "1")
    paragraphs = [line for line in shown.stdout.splitlines() if len(line) > 200]
    assert paragraphs, "a paragraph is one line in a pipe, for the next tool to wrap"


@pytest.mark.e2e
def test_listings_have_json_that_parses(demo):
    config, story = demo
    run = lambda *args: json.loads(  # noqa: E731
        run_newswatch("--config", str(config), *args, "--json").stdout
    )
    sources = run("sources")
    assert [s["name"] for s in sources] == ["ledger", "courier"]
    assert sources[1]["sitemaps"][0].endswith("/courier/sitemap.xml")
    assert all(isinstance(s["enabled"], bool) for s in sources)
    story_of = run("cluster", str(story))
    assert story_of["story"] == story and story_of["articles"] == 2
    assert {m["outlet"] for m in story_of["members"]} == {"The Daily Ledger", "The Evening Courier"}
    versions = run("history", str(story))
    assert versions[-1]["current"] is True and versions[-1]["words"] > 100
    assert run("status")["sources"][0]["source"] == "ledger"
    counts = run("stats")
    assert counts["articles"] == sum(counts["by_source"].values()) == 12
    assert counts["by_language"] == {"en": 11, "ru": 1}


@pytest.mark.e2e
def test_times_are_shown_in_the_local_time_zone_or_in_utc(demo, monkeypatch):
    config, story = demo
    db = sqlite3.connect(config / "data" / "newswatch.db")
    (fetched,) = db.execute("SELECT fetched_at FROM articles WHERE id = ?", [story]).fetchone()
    db.close()
    moment = datetime.fromisoformat(fetched)
    monkeypatch.setenv("TZ", "America/New_York")
    local = run_newswatch("--config", str(config), "history", str(story))
    new_york = moment.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H:%M")
    assert new_york in local.stdout, local.stdout
    utc = run_newswatch("--config", str(config), "--utc", "history", str(story))
    assert moment.strftime("%Y-%m-%d %H:%M") in utc.stdout, utc.stdout
    assert new_york not in utc.stdout
    stored = run_newswatch("--config", str(config), "history", str(story), "--json")
    assert json.loads(stored.stdout)[-1]["fetched_at"] == fetched, "JSON keeps the stored time"


@pytest.mark.parametrize("width", [1, 5, 24, 40])
def test_a_url_is_shortened_in_its_middle(width):
    url = "https://news.example.com/world/2026/11/30/a-very-long-story-slug-about-the-budget"
    short = shorten(url, width)
    assert cell_len(short) <= width and "…" in short
    if width >= 40:
        assert short.startswith("https://news.example.com…") and short.endswith("budget")
    assert shorten("北京新闻网站的一个很长的地址", 9) == "北京…地址"  # two cells a character
