"""Source health: real crawls of local sites that break and recover, `newswatch status`,
notices to a local webhook, and the daemon's metrics (the pure rules: tests/test_health.py)."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from cli import main
from config import ConfigError, load_config
from crawler.siteserver import SiteServer
from tests.helpers import Daemon, log_events, run_newswatch, wait_for
from tests.receivers import Receiver, free_port
from tests.sites import generate_site, write_config


def test_monitor_settings_are_validated(tmp_path):
    config_dir = write_config(tmp_path, '[[source]]\nname = "s"\nfeeds = ["http://x/f"]\n')
    for table, message in (
        ("failing_afer = 2", "[monitor]: unknown key 'failing_afer'"),
        ("failing_after = 0", "[monitor]: failing_after: must be at least 1, got 0"),
        ("low_rate = 2", "[monitor]: low_rate: must be a share between 0 and 1, got 2"),
        ('min_silence = "soon"', "[monitor]: min_silence: 'soon' is not a duration"),
        ('notify = ["nope://x"]', "[monitor]: notify: 'nope://x' is not a notification URL"),
    ):
        (config_dir / "settings.toml").write_text(f"[monitor]\n{table}\n")
        with pytest.raises(ConfigError) as raised:
            load_config(config_dir)
        assert message in str(raised.value)


# Real crawls of local sites.


SHELL = """<!DOCTYPE html><html lang="en"><head><title>{title}</title>
<meta property="og:type" content="article"></head>
<body><div id="app"></div><script src="/static/app.js"></script></body></html>"""


def add_shell_stories(root: Path, first: int, count: int) -> None:
    """New stories in the site's new layout: rendered in the browser, no text in the HTML."""
    feed = (root / "feed.xml").read_text(encoding="utf-8")
    items = ""
    for n in range(first, first + count):
        (root / f"news/story-{n}.html").write_text(SHELL.format(title=f"Story {n}"))
        items += f"<item><title>Story {n}</title><link>{{{{BASE}}}}/news/story-{n}</link></item>"
    (root / "feed.xml").write_text(
        feed.replace("<link>{{BASE}}/</link>", "<link>{{BASE}}/</link>" + items)
    )


def monitored_site(tmp_path: Path, server: SiteServer, hook: Receiver, rules: str) -> Path:
    sources = f'[[source]]\nname = "gen"\nfeeds = ["{server.base}/feed.xml"]\n'
    monitor = f'[monitor]\nnotify = ["json://127.0.0.1:{hook.port}/"]\n{rules}'
    return write_config(tmp_path / "cfg", sources, "retries = 0\n" + monitor)


def crawl(config_dir: Path) -> list[dict]:
    result = run_newswatch("--config", str(config_dir), "crawl")
    return log_events(result.stderr)


@pytest.mark.e2e
def test_a_layout_change_turns_the_source_degraded_with_exactly_one_notice(tmp_path):
    generate_site(tmp_path / "site", 6)
    hook = Receiver(free_port()).start()
    try:
        with SiteServer(tmp_path / "site") as server:
            config_dir = monitored_site(tmp_path, server, hook, "min_pages = 5\n")
            crawl(config_dir)
            assert hook.messages == []
            add_shell_stories(tmp_path / "site", 6, 6)
            events = crawl(config_dir)
            changed = [e for e in events if e["event"] == "source_verdict_changed"]
            assert [(e["source"], e["previous"], e["verdict"]) for e in changed] == [
                ("gen", "ok", "degraded")
            ]
            crawl(config_dir)  # nothing new: still degraded, nothing more sent
            status = CliRunner().invoke(
                main, ["--config", str(config_dir), "status", "--json", "--runs", "5"]
            )
    finally:
        hook.stop()
    assert [m["title"] for m in hook.messages] == ["newswatch: source gen is degraded"]
    assert "100% of recent pages had no article text" in hook.messages[0]["message"]
    assert status.exit_code == 0, status.output
    (row,) = json.loads(status.output)["sources"]
    assert row["verdict"] == "degraded" and row["new_7d"] == 6, row
    assert row["empty_rate"] == pytest.approx(0.5), row
    assert [r["skipped_reasons"] for r in row["runs"]] == [None, {"no_main_text": 6}, None]


@pytest.mark.e2e
def test_a_source_answering_500_fails_after_n_runs_and_recovers_with_one_notice_each(tmp_path):
    generate_site(tmp_path / "site", 3)
    hook = Receiver(free_port()).start()
    try:
        with SiteServer(tmp_path / "site") as server:
            config_dir = monitored_site(tmp_path, server, hook, "failing_after = 2\n")
            crawl(config_dir)
            server.script("/feed.xml", 500, times=2)
            crawl(config_dir)
            # One failed run is not yet failing, but a feed answering 500 is not ok either.
            assert [m["title"] for m in hook.messages] == ["newswatch: source gen is degraded"]
            crawl(config_dir)
            assert [m["title"] for m in hook.messages][1:] == ["newswatch: source gen is failing"]
            failing = run_newswatch("--config", str(config_dir), "status", "gen", "--runs", "5")
            crawl(config_dir)  # the feed answers again
    finally:
        hook.stop()
    assert [m["title"] for m in hook.messages] == [
        "newswatch: source gen is degraded",
        "newswatch: source gen is failing",
        "newswatch: source gen is ok again",
    ]
    assert "the last 2 runs failed (feed " in hook.messages[1]["message"]
    assert "/feed.xml: HTTP 500)" in hook.messages[1]["message"]
    assert failing.returncode == 0, failing.stderr
    assert re.search(r"gen\s+failing", failing.stdout), failing.stdout
    assert "gen: failing: the last 2 runs failed" in failing.stdout
    runs = re.findall(r"\tfailed \(feed \S+: HTTP 500\)\t0\t0\t0\t0\t1: 500 1\n", failing.stdout)
    assert len(runs) == 2, failing.stdout


@pytest.mark.e2e
@pytest.mark.parametrize("broken", ["404", "html", "refused"])
def test_a_new_source_that_never_worked_is_not_ok(tmp_path, broken):
    """A feed that is missing, an HTML page, or on a host that refuses connections: the
    first run says the source has never worked; after `failing_after` runs it is failing."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "page.html").write_text("<html><body><p>Our new website</p></body></html>")
    with SiteServer(site) as server:
        feed = {
            "404": f"{server.base}/feed.xml",
            "html": f"{server.base}/page.html",
            "refused": f"http://127.0.0.1:{free_port()}/feed.xml",
        }[broken]
        sources = f'[[source]]\nname = "gen"\nfeeds = ["{feed}"]\n'
        config_dir = write_config(tmp_path / "cfg", sources, "retries = 0\n")
        first = run_newswatch("--config", str(config_dir), "crawl")
        status = run_newswatch("--config", str(config_dir), "status", "--json")
        if broken == "404":
            for _ in range(2):
                last = run_newswatch("--config", str(config_dir), "crawl")
    assert first.returncode == 1, first.stderr
    said = " ".join(first.stdout.split())
    assert f"gen: feed {feed}: " in said and "gen is now never_worked" in said, said
    (row,) = json.loads(status.stdout)["sources"]
    assert row["verdict"] == "never_worked" and row["last_status"] == "failed", row
    assert row["reasons"][0].startswith(f"its only run failed (feed {feed}: "), row
    if broken == "404":
        said = " ".join(last.stdout.split())
        assert f"gen: feed {feed}: HTTP 404" in said and "gen is now failing" in said


@pytest.mark.e2e
def test_each_run_records_its_figures(tmp_path):
    root = tmp_path / "site"
    generate_site(root, 4)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /news/story-3\n")
    add_shell_stories(root, 4, 1)
    (root / "feed.xml").write_text(
        (root / "feed.xml")
        .read_text()
        .replace("</channel>", "<item><link>{{BASE}}/news/gone</link></item></channel>")
    )
    with SiteServer(root) as server:
        sources = f'[[source]]\nname = "gen"\nfeeds = ["{server.base}/feed.xml"]\n'
        config_dir = write_config(tmp_path / "cfg", sources, "retries = 0\n")
        crawl(config_dir)
    db_path = load_config(config_dir).storage.database
    (run,) = Database(db_path).query("SELECT * FROM crawl_runs")
    assert (run["pages_fetched"], run["articles_new"], run["listings_read"]) == (5, 3, 1), run
    assert run["empty_extractions"] == 1 and run["robots_denied"] == 1, run
    assert json.loads(run["skipped_reasons"]) == {"no_main_text": 1, "robots_txt": 1}, run
    assert json.loads(run["http_errors"]) == {"404": 1}, run
    assert run["bytes"] > 10_000 and 0 < run["duration"] < 60, run


def test_status_on_an_empty_database(tmp_path):
    config_dir = write_config(tmp_path, '[[source]]\nname = "s"\nfeeds = ["http://x/f"]\n')
    result = CliRunner().invoke(main, ["--config", str(config_dir), "status"])
    assert result.exit_code == 0, result.output
    assert re.search(r"s\s+pending\s+never", result.output), result.output
    assert "No crawl has run yet" in result.output
    assert "The daemon is not running: nothing is scheduled" in result.output
    as_json = CliRunner().invoke(main, ["--config", str(config_dir), "status", "--json"])
    report = json.loads(as_json.output)
    assert report["daemon"] == {"running": False, "pid": None}
    (row,) = report["sources"]
    assert (row["verdict"], row["last_run"], row["next_run"]) == ("pending", None, None)


@pytest.mark.e2e
def test_the_daemon_serves_metrics_and_status_reads_its_next_runs(tmp_path):
    generate_site(tmp_path / "site", 3)
    port = free_port()
    with SiteServer(tmp_path / "site") as server:
        sources = f'[[source]]\nname = "gen"\nfeeds = ["{server.base}/feed.xml"]\nschedule = "1h"\n'
        config_dir = write_config(tmp_path / "cfg", sources, "[daemon]\njitter = 0\n")
        daemon = Daemon(config_dir, "--metrics-port", str(port))
        try:
            url = f"http://127.0.0.1:{port}/metrics"

            def scraped() -> str:
                try:
                    return urllib.request.urlopen(url, timeout=5).read().decode()
                except OSError:
                    return ""

            wait_for(lambda: 'newswatch_crawls_total{source="gen",status="finished"} 1.0' in scraped(),
                     what="a finished crawl in the metrics")  # fmt: skip
            metrics = scraped()
            status = CliRunner().invoke(
                main, ["--config", str(config_dir), "status", "--json", "--runs", "5"]
            )
        finally:
            code, err = daemon.stop()
    assert code == 0, err
    # Once the daemon is gone, its planned runs are not shown as if they would happen.
    after = json.loads(
        CliRunner().invoke(main, ["--config", str(config_dir), "status", "--json"]).output
    )
    assert after["daemon"]["running"] is False and after["sources"][0]["next_run"] is None
    assert json.loads(status.output)["daemon"] == {"running": True, "pid": daemon.proc.pid}
    assert 'newswatch_articles_new_total{source="gen"} 3.0' in metrics
    assert 'newswatch_source_verdict{source="gen",verdict="ok"} 1.0' in metrics
    assert 'newswatch_source_verdict{source="gen",verdict="failing"} 0.0' in metrics
    assert re.search(
        r'newswatch_source_last_success_timestamp_seconds\{source="gen"\} 1\.\d+e\+09', metrics
    )
    assert "newswatch_alerts_sent_total 0.0" in metrics
    (row,) = json.loads(status.output)["sources"]
    upcoming = datetime.fromisoformat(row["next_run"])
    assert timedelta(minutes=55) < upcoming - datetime.now(UTC) <= timedelta(hours=1), row


@pytest.mark.e2e
def test_a_metrics_port_in_use_is_a_clear_error(tmp_path):
    config_dir = write_config(tmp_path, '[[source]]\nname = "s"\nfeeds = ["http://x/f"]\n')
    hook = Receiver(free_port()).start()  # something already listening
    try:
        result = run_newswatch("--config", str(config_dir), "run", "--metrics-port", str(hook.port))
    finally:
        hook.stop()
    assert result.returncode == 1
    assert f"Error: cannot serve metrics on 127.0.0.1:{hook.port}: Address already in use" in (
        result.stderr
    )


@pytest.mark.e2e
def test_a_crawl_killed_at_its_timeout_is_a_failed_run_and_can_turn_the_source_failing(tmp_path):
    generate_site(tmp_path / "site", 40)
    hook = Receiver(free_port()).start()
    try:
        with SiteServer(tmp_path / "site") as server:
            server.delay = 0.5  # every page: the crawl outlives its timeout
            sources = f'[[source]]\nname = "slow"\nfeeds = ["{server.base}/feed.xml"]\n'
            settings = (
                '[daemon]\njitter = 0\ncrawl_timeout = "3s"\nstop_grace = "0s"\n'
                f'[monitor]\nfailing_after = 1\nnotify = ["json://127.0.0.1:{hook.port}/"]\n'
            )
            config_dir = write_config(tmp_path / "cfg", sources, settings)
            daemon = Daemon(config_dir)
            try:
                wait_for(lambda: hook.messages, what="the failing notice", timeout=180)
            finally:
                code, err = daemon.stop()
    finally:
        hook.stop()
    assert code == 0, err[-3000:]
    db = load_config(config_dir).storage.database
    run = next(Database(db)["crawl_runs"].rows)
    assert (run["status"], run["reason"]) == ("killed", "stopped after crawl_timeout"), run
    assert [m["title"] for m in hook.messages] == ["newswatch: source slow is failing"]
    assert "the last run failed (stopped after crawl_timeout)" in hook.messages[0]["message"]


@pytest.mark.e2e
def test_robots_txt_shutting_out_the_feed_turns_the_source_failing_at_once(tmp_path):
    generate_site(tmp_path / "site", 3)
    hook = Receiver(free_port()).start()
    try:
        with SiteServer(tmp_path / "site") as server:
            config_dir = monitored_site(tmp_path, server, hook, "")
            crawl(config_dir)
            (tmp_path / "site" / "robots.txt").write_text("User-agent: *\nDisallow: /feed\n")
            events = crawl(config_dir)
    finally:
        hook.stop()
    changed = [e for e in events if e["event"] == "source_verdict_changed"]
    assert [(e["verdict"], e["reason"]) for e in changed] == [
        ("failing", f"robots.txt disallows feed {server.base}/feed.xml")
    ]
    assert [m["title"] for m in hook.messages] == ["newswatch: source gen is failing"]
