"""A crawl as the daemon runs it: a subprocess, its log, and how its end is told.

The daemon reads what the crawl writes to stderr, passing it on as records of its own
log, and so that a crawl that died before it could record anything still ends with a
reason: the last error it printed.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from dataclasses import dataclass
from typing import IO

import structlog

from pipelines.textnorm import printable

# A reason is shown in tables and notices: one line, bounded.
_MAX_REASON = 300


# The daemon names itself to the crawls it starts: a crawl whose daemon is gone stops.
SUPERVISOR_ENV = "NEWSWATCH_DAEMON_PID"
# `newswatch crawl` exits with this (EX_TEMPFAIL) when every source it was asked for is
# being crawled by another process.
BUSY_EXIT = 75


def crawl_command(config_dir: str, source: str, run_id: int | None = None) -> list[str]:
    """`newswatch crawl SOURCE` in this interpreter, with JSON log lines; with `run_id`,
    recording its run in that `crawl_runs` row."""
    return [
        sys.executable,
        # -P: the working directory is not put on sys.path, so a user's folder
        # named config/, crawler/ or pipelines/ there cannot hide our packages.
        "-P",
        "-m",
        "cli",
        "--config",
        config_dir,
        "--log-format",
        "json",
        "crawl",
        *(("--run-id", str(run_id)) if run_id is not None else ()),
        source,
    ]


def error_line(line: str) -> str | None:
    """The error a crawl's stderr line reports, if it reports one.

    An error-level JSON log record gives its event and error; a line that is not JSON
    is a Python traceback's last line or click's "Error: ...", and gives itself
    (a traceback's indented frame lines give nothing).
    """
    if not line.strip() or line[:1].isspace():
        return None
    try:
        record = json.loads(line)
    except ValueError:
        text = line.strip().removeprefix("Error: ")
        return None if text.startswith("Traceback (most recent call last)") else _bounded(text)
    if not isinstance(record, dict) or record.get("level") not in ("error", "critical"):
        return None
    event = str(record.get("event", "error"))
    detail = record.get("error") or record.get("reason")
    return _bounded(f"{event}: {detail}" if detail else event)


def _bounded(text: str) -> str:
    text = " ".join(printable(text).split())
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 1] + "…"


class ChildLog:
    """Passes a crawl's log on as the daemon's own, and keeps the last error in it.

    Each JSON line the crawl writes becomes a record of the daemon's log, in the daemon's
    format (console lines on a terminal, JSON lines otherwise), with the crawl's `source`
    and `pid`; lines that are not JSON (a traceback, click's "Error: ...") become one
    `crawl_output` record.
    """

    def __init__(
        self, stream: IO[bytes], source: str | None = None, pid: int | None = None
    ) -> None:
        self.last_error: str | None = None
        self._stream = stream
        self._context = {"source": source, "pid": pid}
        self._thread = threading.Thread(target=self._pump, name="crawl-log", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        output: list[str] = []  # lines that are not JSON, passed on together
        for raw in iter(self._stream.readline, b""):
            text = raw.decode("utf-8", "replace").rstrip("\n")
            record = _record(text)
            if record is None and text.strip():
                output.append(text)
            elif record is not None:
                self._output(output)
                self._relog(record)
            error = error_line(text)
            if error:
                self.last_error = error
        self._output(output)

    def _relog(self, record: dict) -> None:
        fields = {key: value for key, value in record.items() if key not in _OWN}
        level = logging.getLevelName(str(record.get("level", "info")).upper())
        logger = structlog.get_logger(str(record.get("logger", "newswatch.crawl")))
        # Its source when the record names none (crawl_started names its `sources`).
        named = set(fields) | ({"source"} if "sources" in fields else set())
        context = {k: v for k, v in self._context.items() if v is not None and k not in named}
        logger.log(
            level if isinstance(level, int) else logging.INFO,
            str(record["event"]),
            **fields,
            **context,
        )

    def _output(self, lines: list[str]) -> None:
        if lines:
            # A traceback may quote a page: no escape sequence gets through. A warning: how
            # the crawl ended is the daemon's `crawl_finished` to say (a stop is no error).
            text = printable("\n".join(lines))
            self._relog({"event": "crawl_output", "level": "warning", "output": text})
            lines.clear()

    def close(self, timeout: float = 5.0) -> None:
        """Wait for the last lines (an extraction worker may hold the pipe a moment longer)."""
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._stream.close()


# A record's keys that the daemon's log sets itself.
_OWN = ("event", "level", "logger", "timestamp")


def _record(line: str) -> dict | None:
    """The log record a crawl's JSON line holds, if it holds one."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) and "event" in record else None


@dataclass(frozen=True)
class Outcome:
    """How a crawl's run row ends when the crawl could not end it itself: its status and
    reason, written over a row the crawl left in one of the statuses `over`."""

    status: str
    reason: str
    over: tuple[str, ...] = ("running",)


def crawl_outcome(code: int, *, timed_out: bool, stopping: bool, last_error: str | None) -> Outcome:
    """The outcome of a crawl process that ended with exit `code`.

    `killed`: stopped at `crawl_timeout` (even if it then stopped in good order and
    called itself interrupted: a hanging source is a failing one), or by a signal the
    daemon did not send (the OOM killer, a crash). `interrupted`: stopped because the
    daemon was stopping, or by a SIGINT or SIGTERM it stopped on in good order. `failed`:
    it exited on an error, whose last line is the reason.
    """
    if timed_out:
        return Outcome("killed", "stopped after crawl_timeout", ("running", "interrupted"))
    if code < 0:
        name = _signal_name(-code)
        if stopping and -code == signal.SIGTERM:
            return Outcome("interrupted", "stopped when the daemon stopped")
        if stopping:
            return Outcome("killed", f"still running stop_grace after the daemon stopped ({name})")
        return Outcome("killed", f"the crawl process was killed by {name}")
    if code == 0:
        return Outcome("failed", "the crawl process ended without recording its run")
    if code == BUSY_EXIT:
        return Outcome("busy", last_error or "another crawl of this source is running")
    if code - 128 in (signal.SIGINT, signal.SIGTERM):
        # It stopped in good order on the signal (`newswatch crawl` exits 128 + its number)
        # but could not end its run (it came before the run began).
        if stopping:
            return Outcome("interrupted", "stopped when the daemon stopped")
        return Outcome("interrupted", f"stopped by {_signal_name(code - 128)}")
    why = f"the crawl process exited with code {code}"
    return Outcome("failed", f"{why}: {last_error}" if last_error else why)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
