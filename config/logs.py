"""One logging setup for the CLI, the crawler and the daemon.

structlog renders our events; Scrapy's and APScheduler's standard-library
records go through the same processors (ProcessorFormatter), so every line
has one shape: coloured console lines on a terminal, JSON lines otherwise.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal

from pipelines import import_without
from pipelines.textnorm import printable

# structlog's optional Twisted support imports Twisted, and its rich tracebacks rich's
# traceback and pretty-printer: a seventh of a second for commands that never crawl, and
# a library traceback is one line here anyway. A crawl imports Twisted through Scrapy.
structlog = import_without("structlog", "twisted", "rich.traceback", "rich.pretty")

LogFormat = Literal["auto", "console", "json"]

# Scrapy says a lot at INFO; it is shown from -v on (on a terminal, -vv).
_NOISY = ("scrapy", "twisted", "py.warnings", "filelock", "trafilatura", "htmldate", "apscheduler")

# Whether the log is read on a terminal, as console lines (not JSON lines).
_terminal = False


def setup_logging(
    verbosity: int = 0, log_format: LogFormat = "auto", *, daemon: bool = False
) -> None:
    """verbosity: -1 quiet (warnings), 0 normal, 1 verbose (Scrapy's info), 2 debug.

    Normal is our info events, in JSON lines or in a file, and for the `daemon` (whose
    log is its output) on a terminal too. A command on a terminal is quiet by default:
    what a person reads there is its output; its info events come with -v, all with -vv.
    """
    global _terminal
    as_json = log_format == "json" or (log_format == "auto" and not sys.stderr.isatty())
    _terminal = not as_json and sys.stderr.isatty()
    if _terminal and not daemon:
        verbosity = {0: -1, 1: 0}.get(verbosity, verbosity)
    level = {-1: logging.WARNING, 0: logging.INFO, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    shared: list = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if as_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            *shared,
            structlog.stdlib.filter_by_level,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            *shared,
            structlog.stdlib.ExtraAdder(allow=["spider"]),
            _spider_name,
            *([] if verbosity >= 2 else [_library_traceback_to_message]),
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *([structlog.processors.format_exc_info] if as_json else []),
            _printable_values,
            renderer,
        ],
    )
    handler = _StderrHandler()
    handler.setFormatter(formatter)
    handler.addFilter(
        _LibraryFilter(
            logging.DEBUG if verbosity >= 2 else logging.INFO if verbosity == 1 else logging.WARNING
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def live_display() -> bool:
    """Whether a live display (crawl progress) may be drawn: stderr is a terminal that the
    log writes plain lines to, not JSON."""
    return _terminal


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is when a record comes: a live display that takes
    stderr over meanwhile (rich's Live) keeps the lines above itself."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


class _LibraryFilter(logging.Filter):
    """Holds the libraries' records to their own threshold; Scrapy resets logger levels."""

    def __init__(self, threshold: int) -> None:
        super().__init__()
        self.threshold = threshold

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= self.threshold:
            return True
        return not record.name.startswith(_NOISY)


def _library_traceback_to_message(logger, method_name, event_dict):
    """A library's traceback becomes one line (its error message) unless -vv asks for it."""
    exc_info = event_dict.get("exc_info")
    if exc_info and event_dict.get("logger", "").startswith(_NOISY):
        event_dict.pop("exc_info")
        if isinstance(exc_info, tuple) and exc_info[1] is not None:
            event_dict["error"] = f"{type(exc_info[1]).__name__}: {exc_info[1]}"
    return event_dict


def _spider_name(logger, method_name, event_dict):
    spider = event_dict.pop("spider", None)
    if spider is not None and "source" not in event_dict:
        source = getattr(spider, "source", None)
        event_dict["source"] = getattr(source, "name", None) or str(spider)
    return event_dict


def _printable_values(logger, method_name, event_dict):
    """Values from crawled pages reach the terminal without their escape sequences."""
    return _printable(event_dict)


def _printable(value):
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {key: _printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(item) for item in value]
    return value


def begin_twisted_logging() -> None:
    """Until its logging is begun, Twisted prints critical events itself, as plain text on
    stderr ("while handling timed call" and a traceback): a line in no format of ours, in
    the middle of JSON lines. Scrapy already forwards Twisted's events to standard logging
    (`twisted.python.log.PythonLoggingObserver`), so Twisted's logging is begun with no
    observer of its own. Call it once the crawler process exists."""
    from twisted.logger import globalLogBeginner

    if not _twisted_begun:
        _twisted_begun.append(True)
        globalLogBeginner.beginLoggingTo([], discardBuffer=True, redirectStandardIO=False)


_twisted_begun: list[bool] = []
