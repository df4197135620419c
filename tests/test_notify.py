"""Notify URLs and deliveries as a user meets them through the CLI: a bad URL's one message
(its typo visible, its secrets not), apprise's own log lines folded into ours, the real
reason a delivery failed; and the warning while `init`'s example is still in use."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crawler.demo import write_demo_config
from crawler.process import SUPERVISOR_ENV
from pipelines.storage.database import open_database
from pipelines.storage.writer import Store
from tests.helpers import add_article, log_events, run_newswatch
from tests.receivers import Receiver, free_port

pytestmark = pytest.mark.e2e

SOURCES = '[[source]]\nname = "ledger"\nfeeds = ["http://127.0.0.1:9/rss.xml"]\n'


def write_config(directory: Path, watchlist: str, settings: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sources.toml").write_text(SOURCES)
    (directory / "settings.toml").write_text(settings)
    (directory / "watchlist.toml").write_text(watchlist, encoding="utf-8")
    return directory


def watch_notifying(*urls: str) -> str:
    return '[[watch]]\nname = "Lavrov"\nnotify = [' + ", ".join(f'"{u}"' for u in urls) + "]\n"


def assert_no_apprise_lines(output: str) -> None:
    """apprise's records never reach the output on their own (they are folded into ours)."""
    for said in (
        '"logger": "apprise"',
        "Unparseable",
        "Unsupported URL",
        "Sent JSON",
        "Failed to send",
    ):
        assert said not in output, output


@pytest.mark.parametrize(
    ("file", "content"),
    [
        ("watchlist.toml", watch_notifying("jsno://127.0.0.1:9/x")),
        ("settings.toml", '[monitor]\nnotify = ["jsno://127.0.0.1:9/x"]\n'),
    ],
)
def test_a_typo_in_a_notify_scheme_is_one_message_that_shows_it(tmp_path, file, content):
    config_dir = write_config(tmp_path / "cfg", "")
    (config_dir / file).write_text(content)
    result = run_newswatch("--config", str(config_dir), "sources")
    assert result.returncode == 1, result.stdout + result.stderr
    (message,) = result.stderr.splitlines()  # one line: no apprise line before it
    assert message.startswith(f"Error: {file}: ") and "notify: 'jsno://127.0.0.1:9/x'" in message
    assert "no service has the scheme 'jsno://' (did you mean 'json://'?)" in message, message
    assert_no_apprise_lines(message)


def test_a_bad_notify_url_keeps_its_secrets_masked(tmp_path):
    token = "TIiajkdnlazkcOXrIdevi7FQ"
    bad = f"jsno://bot:hunter2@hooks.example.net/services/T1JJ3T3L2/{token}?token=abc123&x=1"
    refused = f"slack://T1JJ3T3L2/A1BRTD4JD/{token[:9]}!!{token[9:]}"  # a bad third token
    for url, shown, secrets in (
        (
            bad,
            "'jsno://bot:****@hooks.example.net/services/T...2/T...Q?token=****&x=1'",
            ("hunter2", "T1JJ3T3L2", token, "abc123"),
        ),
        (refused, "'slack://T...2/A...D/T...Q'", ("T1JJ3T3L2", "A1BRTD4JD", token[9:])),
    ):
        config_dir = write_config(tmp_path / "cfg", watch_notifying(url))
        result = run_newswatch("--config", str(config_dir), "watches")
        assert result.returncode == 1, result.stdout + result.stderr
        (message,) = result.stderr.splitlines()
        assert shown in message, message
        assert not [secret for secret in secrets if secret in message], message
        assert_no_apprise_lines(message)
    # apprise's own reason for refusing a URL of a service it knows is in the message.
    assert "apprise can use (Slack: An invalid Slack (third) Token" in message, message


def test_failed_deliveries_say_why_and_a_good_one_prints_no_apprise_line(tmp_path):
    """notify-test: each channel's outcome, a failure with apprise's real reason (the
    webhook's HTTP status and answer, a refused connection); nothing from apprise itself."""
    missing = Receiver(free_port(), status=404, answer="no such hook").start()
    broken = Receiver(free_port(), status=500).start()
    good = Receiver(free_port()).start()
    closed = free_port()
    try:
        urls = [f"json://127.0.0.1:{r.port}/hook" for r in (missing, broken, good)]
        closed_url = f"json://127.0.0.1:{closed}/hook"
        config_dir = write_config(tmp_path / "cfg", watch_notifying(*urls, closed_url))
        result = run_newswatch("--config", str(config_dir), "notify-test", "Lavrov")
    finally:
        for receiver in (missing, broken, good):
            receiver.stop()
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines == [
        f"FAILED {urls[0]}: HTTP 404 (Page not found), answered: no such hook",
        f"FAILED {urls[1]}: HTTP 500 (Internal server error)",
        f"ok     {urls[2]}",
        f"FAILED {closed_url}: A Connection error occurred sending JSON notification to "
        "127.0.0.1: connection refused",
    ], result.stdout
    assert len(good.messages) == 1 and len(missing.messages) == 1
    assert result.stderr.strip() == "Error: some channels failed"
    assert_no_apprise_lines(result.stdout + result.stderr)

    only_good = write_config(tmp_path / "ok", watch_notifying(urls[2]))
    good.start()
    try:
        sent = run_newswatch("-v", "--config", str(only_good), "notify-test", "Lavrov")
    finally:
        good.stop()
    assert sent.returncode == 0 and sent.stdout == f"ok     {urls[2]}\n", sent.stdout + sent.stderr
    assert len(good.messages) == 2
    assert_no_apprise_lines(sent.stdout + sent.stderr)


def test_an_alert_that_cannot_be_delivered_records_and_logs_the_reason(tmp_path):
    """deliver: the alert stays pending with the webhook's answer as its last error, and the
    alert_failed event says the same; apprise's own lines are not in the log."""
    hook = Receiver(free_port(), status=404).start()
    url = f"json://127.0.0.1:{hook.port}/hook"
    config_dir = write_config(tmp_path / "cfg", watch_notifying(url))
    db = open_database(config_dir / "data" / "newswatch.db")
    add_article(Store(db), "http://a.test/1", "Lavrov spoke at the summit.")
    db.close()
    cli = ["--config", str(config_dir)]
    try:
        assert run_newswatch(*cli, "backfill", "Lavrov", "--notify").returncode == 0
        delivered = run_newswatch(*cli, "deliver")
    finally:
        hook.stop()
    assert delivered.returncode == 1 and "0 alert(s) delivered, 1 failed" in delivered.stdout
    assert len(hook.messages) == 1
    events = log_events(delivered.stderr)
    assert not [e for e in events if e.get("logger") == "apprise"], delivered.stderr
    (failed,) = [e for e in events if e["event"] == "alert_failed"]
    assert failed["errors"] == [f"{url}: HTTP 404 (Page not found)"], failed
    listed = run_newswatch(*cli, "alerts")
    assert f"attempt 1 failed: {url}: HTTP 404 (Page not found)" in listed.stdout, listed.stdout


def test_the_untouched_example_configuration_is_named_until_it_is_edited(
    tmp_path, demo_server, monkeypatch
):
    config_dir = tmp_path / "cfg"
    assert run_newswatch("init", str(config_dir)).returncode == 0
    status = run_newswatch("--config", str(config_dir), "status")
    assert status.returncode == 0, status.stderr
    warning = status.stderr.strip()
    assert warning.startswith(f"Warning: {config_dir} still holds newswatch's example"), warning
    assert status.stderr.count("Warning") == 1 and "Traceback" not in status.stderr
    assert "sources.toml: source 'ledger' crawls https://www.example.com/rss/world.xml" in warning
    assert "watchlist.toml: watch 'Khaled Meshal' notifies json://127.0.0.1:8000/hook" in warning
    assert "mailto://user:****@example.com" in warning and "password" not in warning

    # Sources edited (to the local sample site): crawl warns once, of the watchlist alone.
    demo = write_demo_config(tmp_path / "demo", demo_server.base)
    for name in ("sources.toml", "settings.toml"):
        shutil.copyfile(demo.directory / name, config_dir / name)
    crawled = run_newswatch("--config", str(config_dir), "crawl")
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    warnings = [line for line in crawled.stderr.splitlines() if not line.startswith("{")]
    assert warnings[0].startswith("Warning: ") and len(warnings) == 2, crawled.stderr[-3000:]
    assert warnings[1].strip().startswith("watchlist.toml: watch 'Khaled Meshal' notifies")
    log_events("\n".join(line for line in crawled.stderr.splitlines() if line.startswith("{")))

    # The crawls a daemon starts do not repeat it (the daemon said it when it started).
    monkeypatch.setenv(SUPERVISOR_ENV, "1")
    assert "Warning" not in run_newswatch("--config", str(config_dir), "status").stderr
    monkeypatch.delenv(SUPERVISOR_ENV)

    # Every part edited: no warning; nor for the demo's configuration.
    shutil.copyfile(demo.directory / "watchlist.toml", config_dir / "watchlist.toml")
    for edited in (config_dir, demo.directory):
        quiet = run_newswatch("--config", str(edited), "status")
        assert quiet.returncode == 0 and "Warning" not in quiet.stderr, quiet.stderr
