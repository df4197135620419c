"""The daemon as a real subprocess: SIGHUP reloads its configuration; cron schedules are read
in `[daemon] timezone`."""

from __future__ import annotations

import json
import signal
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import Daemon, run_newswatch, wait_for, write_daemon_config
from tests.receivers import free_port

pytestmark = pytest.mark.e2e

DEAD_HOOK = "json://127.0.0.1:9/x"


def write_sources(config_dir: Path, base: str, **schedules: str) -> None:
    """sources.toml with the demo site's publications named in `schedules`."""
    feeds = {"ledger": "ledger/feeds/rss.xml", "courier": "courier/feeds/atom.xml"}
    (config_dir / "sources.toml").write_text(
        "".join(
            f'[[source]]\nname = "{name}"\nfeeds = ["{base}/{feeds[name]}"]\n'
            f'schedule = "{schedule}"\n\n'
            for name, schedule in schedules.items()
        )
    )


def status(config_dir: Path) -> dict[str, dict]:
    """`newswatch status --json`, each source's row by name."""
    shown = run_newswatch("--config", str(config_dir), "status", "--json")
    assert shown.returncode == 0, shown.stderr
    return {row["source"]: row for row in json.loads(shown.stdout)["sources"]}


def jobs(config_dir: Path) -> set[str]:
    from sqlite_utils import Database

    store = Database(config_dir / "data" / "newswatch.db.jobs.sqlite")
    return {row["id"] for row in store.query("SELECT id FROM apscheduler_jobs")}


def reloaded(daemon: Daemon, count: int, event: str = "config_reloaded") -> dict:
    """The `count`th reload event, once the daemon has logged it."""
    wait_for(lambda: len(daemon.events(event)) >= count, what=f"{event} #{count}")
    return daemon.events(event)[count - 1]


def crawls(daemon: Daemon, source: str, finished: bool = False) -> int:
    """The daemon's crawls of `source` started (or finished) so far; a crawl's own
    `crawl_finished`, passed through, has no exit code."""
    if finished:
        return sum(
            e.get("source") == source and "exit_code" in e for e in daemon.events("crawl_finished")
        )
    return sum(e.get("source") == source for e in daemon.events("crawl_started"))


def test_sighup_reconciles_the_jobs_with_the_edited_configuration(tmp_path, demo_server):
    """A source added on SIGHUP is crawled at once, a removed one never again, a changed
    schedule is rescheduled and an unchanged one is left alone; digest jobs follow the
    watchlist, and the metrics the new sources."""
    config_dir = write_daemon_config(tmp_path / "cfg", demo_server.base, DEAD_HOOK)
    (config_dir / "watchlist.toml").write_text("")
    write_sources(config_dir, demo_server.base, ledger="2s")
    port = free_port()
    daemon = Daemon(config_dir, "--metrics-port", str(port))
    try:
        wait_for(lambda: crawls(daemon, "ledger", finished=True), what="ledger's first crawl")

        write_sources(config_dir, demo_server.base, ledger="2s", courier="1h")
        (config_dir / "watchlist.toml").write_text(
            '[[watch]]\nname = "John Kerry"\nmode = "digest"\n'
        )
        daemon.proc.send_signal(signal.SIGHUP)
        event = reloaded(daemon, 1)
        assert event["added"] == ["crawl:courier", "digest:John Kerry"], event
        assert event["removed"] == [] and event["rescheduled"] == [], event
        assert event["sources"] == ["ledger", "courier"] and event["watches"] == 1, event
        wait_for(lambda: crawls(daemon, "courier", finished=True), what="courier's crawl")
        assert status(config_dir)["courier"]["next_run"], "the daemon plans courier's next run"
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read()
        assert b'newswatch_source_verdict{source="courier",verdict="ok"} 1.0' in metrics

        # ledger goes, the watch is instant again, courier comes every 3 seconds.
        write_sources(config_dir, demo_server.base, courier="3s")
        (config_dir / "watchlist.toml").write_text('[[watch]]\nname = "John Kerry"\n')
        daemon.proc.send_signal(signal.SIGHUP)
        event = reloaded(daemon, 2)
        assert event["removed"] == ["crawl:ledger", "digest:John Kerry"], event
        assert event["rescheduled"] == ["crawl:courier"] and event["added"] == [], event
        assert jobs(config_dir) == {"crawl:courier", "alerts"}
        assert set(status(config_dir)) == {"courier"}
        # A crawl of ledger under way as the reload came finishes; none starts after it.
        wait_for(
            lambda: crawls(daemon, "ledger") == crawls(daemon, "ledger", finished=True),
            what="ledger's last crawl to finish",
        )
        ledger_crawls = crawls(daemon, "ledger")
        courier_crawls = crawls(daemon, "courier", finished=True)
        wait_for(
            lambda: crawls(daemon, "courier", finished=True) >= courier_crawls + 2,
            what="two more crawls of courier",
        )
        assert crawls(daemon, "ledger") == ledger_crawls, "ledger was removed: never crawled"
    finally:
        code, err = daemon.stop()
    assert code == 0, err[-3000:]
    assert daemon.events("config_reload_failed") == []


def test_a_configuration_that_does_not_load_on_sighup_leaves_the_running_one(tmp_path, demo_server):
    config_dir = write_daemon_config(tmp_path / "cfg", demo_server.base, DEAD_HOOK)
    (config_dir / "watchlist.toml").write_text("")
    write_sources(config_dir, demo_server.base, ledger="1h")
    sources = config_dir / "sources.toml"
    good = sources.read_text()
    daemon = Daemon(config_dir)
    try:
        wait_for(lambda: daemon.events("daemon_started"), what="the daemon to start")
        sources.write_text(good + "[[source]\n")
        daemon.proc.send_signal(signal.SIGHUP)
        failed = reloaded(daemon, 1, "config_reload_failed")
        assert failed["level"] == "warning", failed
        assert failed["error"].startswith("sources.toml: not valid TOML"), failed
        assert daemon.proc.poll() is None, "the daemon runs on"
        assert jobs(config_dir) == {"crawl:ledger", "alerts"}, "its jobs are kept"

        # A value that does not validate is refused the same way, with its key named.
        sources.write_text(good)
        settings = config_dir / "settings.toml"
        settings.write_text(settings.read_text() + "max_attempts = 0\n")
        daemon.proc.send_signal(signal.SIGHUP)
        failed = reloaded(daemon, 2, "config_reload_failed")
        assert "[daemon]: max_attempts: must be at least 1, got 0" in failed["error"], failed

        # Mended, the next SIGHUP takes it.
        settings.write_text(settings.read_text().replace("max_attempts = 0", "max_attempts = 5"))
        write_sources(config_dir, demo_server.base, ledger="1h", courier="1h")
        daemon.proc.send_signal(signal.SIGHUP)
        assert reloaded(daemon, 1)["added"] == ["crawl:courier"]
    finally:
        code, err = daemon.stop()
    assert code == 0, err[-3000:]
    assert daemon.events("daemon_stopped")


def next_run(config_dir: Path, zone: str) -> datetime:
    """ledger's next run, as `status --json` shows it, in `zone`."""
    when = datetime.fromisoformat(status(config_dir)["ledger"]["next_run"])
    return when.astimezone(ZoneInfo(zone))


def test_cron_schedules_are_read_in_the_daemon_time_zone(tmp_path, demo_server, monkeypatch):
    """`0 8 * * *` is 08:00 in `[daemon] timezone` (else the machine's zone); a stored job made
    in another zone is rescheduled, on start and on SIGHUP."""
    config_dir = write_daemon_config(
        tmp_path / "cfg", demo_server.base, DEAD_HOOK, timezone="America/New_York"
    )
    (config_dir / "watchlist.toml").write_text("")
    write_sources(config_dir, demo_server.base, ledger="0 8 * * *")
    settings = config_dir / "settings.toml"

    daemon = Daemon(config_dir)
    try:
        wait_for(lambda: daemon.events("daemon_started"), what="the daemon to start")
        assert daemon.events("daemon_started")[0]["timezone"] == "America/New_York"
        when = next_run(config_dir, "America/New_York")
        assert (when.hour, when.minute) == (8, 0), when

        settings.write_text(settings.read_text().replace("America/New_York", "Asia/Tokyo"))
        daemon.proc.send_signal(signal.SIGHUP)
        assert reloaded(daemon, 1)["rescheduled"] == ["crawl:ledger"]
        when = next_run(config_dir, "Asia/Tokyo")
        assert (when.hour, when.minute) == (8, 0), when
    finally:
        code, err = daemon.stop()
    assert code == 0, err[-3000:]

    # Restarted without the key, in a machine zone of its own: the stored Tokyo job moves.
    settings.write_text(settings.read_text().replace('timezone = "Asia/Tokyo"\n', ""))
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    daemon = Daemon(config_dir)
    try:
        wait_for(lambda: daemon.events("daemon_started"), what="the daemon to start")
        assert [e["job"] for e in daemon.events("job_rescheduled")] == ["crawl:ledger"]
        when = next_run(config_dir, "Asia/Kolkata")
        assert (when.hour, when.minute) == (8, 0), when
    finally:
        code, err = daemon.stop()
    assert code == 0, err[-3000:]


def test_an_unknown_time_zone_is_a_one_line_error(tmp_path):
    config_dir = tmp_path / "cfg"
    config_dir.mkdir()
    (config_dir / "sources.toml").write_text(
        '[[source]]\nname = "ledger"\nfeeds = ["http://127.0.0.1:9/rss.xml"]\n'
    )
    (config_dir / "settings.toml").write_text('[daemon]\ntimezone = "America/New York"\n')
    for command in ("run", "sources"):
        shown = run_newswatch("--config", str(config_dir), command, timeout=60)
        assert shown.returncode == 1, shown.stdout + shown.stderr
        assert shown.stderr.splitlines() == [
            "Error: settings.toml: [daemon]: timezone: 'America/New York' is not a time zone "
            "name like 'Europe/Berlin', 'America/New_York' or 'UTC' (did you mean "
            "'America/New_York'?)"
        ], shown.stderr
