"""A crawl as the daemon runs it: the command, the error its log ends with, its outcome."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest
import structlog.testing

from crawler.process import ChildLog, Outcome, crawl_command, crawl_outcome, error_line
from tests.helpers import log_events


def test_the_crawl_command_never_puts_the_working_directory_on_the_path():
    command = crawl_command("/srv/newswatch/config", "ledger")
    assert command[:4] == [sys.executable, "-P", "-m", "cli"]
    assert command[-2:] == ["crawl", "ledger"]


def test_the_last_error_of_a_crawl_log():
    traceback = [
        "Traceback (most recent call last):",
        '  File ".../cli.py", line 20, in <module>',
        "    from config import ConfigError, load_config",
        "ImportError: cannot import name 'ConfigError' from 'config' (unknown location)",
    ]
    assert [error_line(line) for line in traceback] == [
        None,
        None,
        None,
        "ImportError: cannot import name 'ConfigError' from 'config' (unknown location)",
    ]
    assert error_line("Error: sources.toml: not valid TOML\n") == "sources.toml: not valid TOML"
    assert error_line('{"event": "storage_failed", "level": "error", "error": "disk full"}') == (
        "storage_failed: disk full"
    )
    assert error_line('{"event": "article_stored", "level": "info", "title": "x"}') is None
    assert error_line("\n") is None and error_line("[1, 2]") is None
    assert error_line("Error: \x1b[31mred " + "x" * 400).startswith("red xxx")
    assert len(error_line("Error: " + "x" * 400)) == 300


def test_how_a_crawl_that_could_not_record_its_end_ended():
    def outcome(code, *, timed_out=False, stopping=False, last_error=None):
        return crawl_outcome(code, timed_out=timed_out, stopping=stopping, last_error=last_error)

    assert outcome(1, last_error="ImportError: x") == Outcome(
        "failed", "the crawl process exited with code 1: ImportError: x"
    )
    assert outcome(2).reason == "the crawl process exited with code 2"
    assert outcome(-signal.SIGKILL) == Outcome("killed", "the crawl process was killed by SIGKILL")
    assert outcome(-signal.SIGTERM, stopping=True) == Outcome(
        "interrupted", "stopped when the daemon stopped"
    )
    assert outcome(-signal.SIGKILL, stopping=True).status == "killed"
    # A crawl that stopped in good order on a signal exits 128 + its number.
    assert outcome(128 + signal.SIGTERM, stopping=True) == Outcome(
        "interrupted", "stopped when the daemon stopped"
    )
    assert outcome(130) == Outcome("interrupted", "stopped by SIGINT")
    assert outcome(128 + signal.SIGTERM, timed_out=True).status == "killed"
    # A crawl stopped at its timeout is killed, even if it called itself interrupted.
    assert outcome(-signal.SIGTERM, timed_out=True) == Outcome(
        "killed", "stopped after crawl_timeout", ("running", "interrupted")
    )
    assert outcome(0).status == "failed"  # exited 0 yet wrote no row


@pytest.mark.e2e
def test_the_child_log_passes_records_on_as_the_daemons_own_and_keeps_the_last_error():
    """The crawl's JSON lines become records of the daemon's log (rendered in its format),
    with the crawl's source and pid; a traceback becomes one record, escapes removed."""
    script = (
        "import sys\n"
        'print(\'{"event": "crawl_started", "level": "info", "sources": ["ledger"]}\', '
        "file=sys.stderr)\n"
        'print(\'{"event": "page_failed", "level": "warning", "source": "other", '
        '"logger": "newswatch.pipelines", "timestamp": "2026-01-01T00:00:00Z"}\', '
        "file=sys.stderr)\n"
        "raise ImportError('cannot import name ConfigError \\x1b[31m')\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE)
    with structlog.testing.capture_logs() as records:
        child = ChildLog(proc.stderr, "ledger", proc.pid)
        assert proc.wait(timeout=30) == 1
        child.close()
    assert child.last_error == "ImportError: cannot import name ConfigError"
    started, failed, output = records
    assert started == {
        "event": "crawl_started",
        "log_level": "info",
        "sources": ["ledger"],
        "pid": proc.pid,
    }
    assert failed["event"] == "page_failed" and failed["log_level"] == "warning"
    assert failed["source"] == "other", "the record's own source stays"
    assert "timestamp" not in failed, "the daemon's log stamps the time itself"
    assert output["event"] == "crawl_output" and output["log_level"] == "warning"
    assert output["output"].startswith("Traceback (most recent call last):")
    assert output["output"].endswith("ImportError: cannot import name ConfigError ")
    assert output["source"] == "ledger"


@pytest.mark.e2e
def test_a_failed_timed_call_is_a_json_log_line_not_twisted_plain_text():
    """Twisted printed a failed timed call ("while handling timed call" and a traceback)
    itself on stderr until its logging was begun: plain lines among the JSON ones."""
    code = (
        "from config.logs import setup_logging, begin_twisted_logging\n"
        "setup_logging(0, 'json')\n"
        "from scrapy.crawler import AsyncCrawlerProcess\n"
        "from scrapy.settings import Settings\n"
        "from crawler.settings import BASE_SETTINGS\n"
        "process = AsyncCrawlerProcess(Settings(BASE_SETTINGS))\n"
        "begin_twisted_logging()\n"
        "from twisted.internet import reactor\n"
        "def boom(): raise ValueError('a timed call failed')\n"
        "reactor.callLater(0, boom)\n"
        "reactor.callLater(0.2, reactor.stop)\n"
        "reactor.run()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    events = log_events(result.stderr)  # every line JSON
    assert any("a timed call failed" in json.dumps(e) for e in events), result.stderr
