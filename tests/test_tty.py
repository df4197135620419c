"""The CLI on a terminal, as a person sees it: a pseudo-terminal of 80 columns, the real
command, a local site. Quiet logs, a live progress display, Ctrl-C."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest
from rich.cells import cell_len
from sqlite_utils import Database

from tests.helpers import assert_gone, children, log_events, newswatch_command
from tests.sites import generated_source

pytestmark = pytest.mark.e2e

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


class Terminal:
    """A newswatch command on a pseudo-terminal of `columns` columns: what it prints to
    stdout and stderr arrives as a terminal would show it, and a key is a key (Ctrl-C
    signals the command's whole process group, its workers included)."""

    def __init__(self, *args: str, columns: int = 80) -> None:
        env = {**os.environ, "COLUMNS": str(columns), "LINES": "40", "TERM": "xterm-256color"}
        env.pop("NEWSWATCH_CONFIG", None)
        command = [*newswatch_command(), *args]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: its terminal is the pty, sized before it starts
            try:
                fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
                os.execve(command[0], command, env)
            finally:
                os._exit(127)
        self.raw = bytearray()
        self.code: int | None = None

    def read(self, timeout: float) -> bool:
        """Read what comes within `timeout` seconds; False once the command closed it."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: every process holding the terminal closed it
            return False
        self.raw += chunk
        return bool(chunk)

    def wait_for(self, condition, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{self.text}"
            if not self.read(0.1):
                assert condition(), f"the command ended before {what}:\n{self.text}"

    def press(self, key: bytes) -> None:
        os.write(self.fd, key)

    def finish(self, timeout: float = 120) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.read(0.2):
            pass
        while self.code is None and time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.code = os.waitstatus_to_exitcode(status)
            else:
                time.sleep(0.05)
        if self.code is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            raise AssertionError(f"the command outlived {timeout} s:\n{self.text}")
        os.close(self.fd)
        return self.code

    @property
    def text(self) -> str:
        """What was written, without escape sequences (colours, cursor moves)."""
        return _ANSI.sub("", self.raw.decode("utf-8", "replace"))

    @property
    def lines(self) -> list[str]:
        """Each line as drawn: a live display redraws from a carriage return."""
        return re.split(r"\r\n|\n|\r", self.text)


def assert_fits(terminal: Terminal, columns: int = 80) -> None:
    wide = [line for line in terminal.lines if cell_len(line) > columns]
    assert not wide, f"lines over {columns} columns: {wide}"


def slow_down(config_dir: Path, delay: str) -> None:
    settings = config_dir / "settings.toml"
    settings.write_text(settings.read_text().replace("delay = 0\n", f"delay = {delay}\n"))


LONG_NAME = "the-regional-daily-of-record-and-its-weekend-supplement-gen"


def test_a_crawl_on_a_terminal_is_quiet_shows_live_progress_then_the_summary(tmp_path):
    """No log record but warnings scrolls past; a display per source counts up while the
    crawl runs and gives way to the summary; nothing is wider than the 80 columns, a long
    source name included."""
    with generated_source(tmp_path, 30) as (_, config_dir, _):
        slow_down(config_dir, "0.1")  # a few seconds of crawling: the display redraws
        sources = config_dir / "sources.toml"
        sources.write_text(sources.read_text().replace('"gen"', f'"{LONG_NAME}"'))
        terminal = Terminal("--config", str(config_dir), "crawl")
        assert terminal.finish() == 0, terminal.text
    text = terminal.text
    assert "Crawling 1 source" in text, text
    shown = [
        int(match.group(1))
        for match in re.finditer(r"the-regional-daily\S*\s+(\d+)\s+\d+\s+\d+\s+\d+", text)
    ]
    assert any(0 < fetched < 30 for fetched in shown), f"no live count: {shown}\n{text}"
    assert text.rindex("Crawl summary") > text.rindex("Crawling 1 source")
    assert "[info" not in text and "article_stored" not in text, text
    assert "Traceback" not in text
    assert_fits(terminal)


def test_verbose_on_a_terminal_shows_each_article_but_not_scrapys_chatter(demo_config):
    terminal = Terminal("--config", str(demo_config), "-v", "crawl", "courier")
    assert terminal.finish() == 0, terminal.text
    assert "article_stored" in terminal.text
    assert "scrapy.core.engine" not in terminal.text


def test_ctrl_c_on_a_terminal_stops_the_crawl_within_seconds_and_exits_130(tmp_path):
    """The key sends SIGINT to the crawl's whole process group: the crawl stops asking for
    pages at once, says so, says what it stopped, and leaves no extraction worker."""
    with generated_source(tmp_path, 60) as (server, config_dir, paths):
        slow_down(config_dir, "1")  # [crawl] delay's default: Scrapy queues 16 meanwhile
        terminal = Terminal("--config", str(config_dir), "crawl")
        terminal.wait_for(
            lambda: len(set(server.paths()) & set(paths)) >= 3, 90, "three pages fetched"
        )
        workers = children(terminal.pid)
        assert len(workers) >= 2, "the crawl started no extraction workers"
        pressed = time.monotonic()
        terminal.press(b"\x03")
        code = terminal.finish(timeout=60)
        took = time.monotonic() - pressed
        assert code == 130, terminal.text
        assert took < 10, f"the crawl took {took:.1f} s to stop"
        asked_after = [t for path in paths for t in server.times(path) if t > pressed + 0.5]
        assert not asked_after, f"{len(asked_after)} page(s) asked for after Ctrl-C"
    text = terminal.text
    assert "Stopping" in text
    assert "Error: interrupted (Ctrl-C): stopped the crawl of gen;" in text, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    (run,) = Database(config_dir / "data" / "newswatch.db")["crawl_runs"].rows
    assert run["status"] == "interrupted", run
    assert_gone(workers, timeout=30)
    assert_fits(terminal)


def test_the_demo_on_a_terminal_shows_its_summary_without_log_records(tmp_path):
    terminal = Terminal("demo", "--dir", str(tmp_path / "demo"))
    assert terminal.finish() == 0, terminal.text
    text = terminal.text
    assert "Crawling 2 sources" in text
    assert text.index("Crawl summary") > text.rindex("Crawling 2 sources")
    assert "Try next" in text
    assert "[info" not in text and "Traceback" not in text, text
    assert_fits(terminal)


def test_off_a_terminal_the_log_is_json_lines_as_before_and_no_display(demo_config):
    """stderr piped (to a file, a log collector, the daemon): JSON lines with the info
    events, and no progress display on either stream."""
    env = {**os.environ, "COLUMNS": "80"}
    env.pop("NEWSWATCH_CONFIG", None)
    result = subprocess.run(
        [*newswatch_command(), "--config", str(demo_config), "crawl", "courier"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "article_stored" in {e["event"] for e in log_events(result.stderr)}
    assert "Crawling" not in result.stdout + result.stderr
    assert "\x1b" not in result.stderr
