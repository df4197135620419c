"""Typed reads from TOML: a table's values checked for their kind, with errors that say
where they were and which keys are allowed; and the value syntaxes a configuration
uses (a length of time, "30s" or "1h30m"; a schedule, an interval or a cron line)."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """The configuration folder is missing, unreadable or holds an invalid value."""


@dataclass(frozen=True)
class Schedule:
    """When a source is crawled: every `seconds`, or on a 5-field `cron` expression."""

    text: str
    seconds: int | None = None
    cron: str | None = None

    def __str__(self) -> str:
        return f"every {self.text}" if self.seconds else f"cron {self.cron}"


# One syntax for every length of time: "30s", "15m", "1h30m", "5min", "5 minutes", "2 hours",
# "1h 30m", "1.5h" (schedules, [crawl] timeouts, [daemon] settings, --since 7d).
_UNITS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), 86400),
    **dict.fromkeys(("w", "week", "weeks"), 7 * 86400),
}
_PART = r"(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")(?![a-z])"
_INTERVAL = re.compile(_PART, re.IGNORECASE)
_INTERVALS = re.compile(rf"(?:{_PART}\s*,?\s*)+", re.IGNORECASE)


def interval_seconds(text: str) -> float | None:
    """Seconds in an interval written "15m", "1h30m", "5 minutes" or "1.5h"; None if
    `text` is not one."""
    text = text.strip()
    if not _INTERVALS.fullmatch(text):
        return None
    return sum(float(n) * _UNITS[u.lower()] for n, u in _INTERVAL.findall(text))


def parse_schedule(text: str) -> Schedule:
    """Parse an interval like "15m" or "1h30m", or a 5-field cron expression.

    Raises ValueError with the reason when `text` is neither.
    """
    text = text.strip()
    seconds = interval_seconds(text)
    if seconds is not None:
        if seconds < 1:
            raise ValueError(f"interval {text!r} must be a second or longer")
        return Schedule(text=text, seconds=int(seconds))
    if len(text.split()) == 5:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(text)
        except ValueError as exc:
            raise ValueError(f"cron expression {text!r} is invalid: {exc}") from None
        return Schedule(text=text, cron=text)
    raise ValueError(
        f"{text!r} is neither a cron expression (5 fields, like '*/15 * * * *') "
        "nor an interval like '15m', '2h' or '1h30m'"
    )


def parse_duration(value: int | float | str) -> float:
    """Seconds from a number or an interval like "30s", "15m", "1h30m"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0:
            raise ValueError("must not be negative")
        return float(value)
    if isinstance(value, str) and (seconds := interval_seconds(value)) is not None:
        return seconds
    raise ValueError(f"{value!r} is not a duration like 30, '30s', '15m', '1h30m' or '5 minutes'")


def read_toml(path: Path, required: bool) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        if required:
            raise ConfigError(
                f"{path} is missing; create an example with: newswatch init {path.parent}"
            ) from None
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None


class Table:
    """Typed reads from one TOML table, with errors that say where the value was."""

    def __init__(self, data: Any, where: str, allowed: set[str]) -> None:
        if not isinstance(data, Mapping):
            raise ConfigError(f"{where}: expected a table, got {type(data).__name__}")
        self.data = data
        self.where = where
        unknown = sorted(set(data) - allowed)
        if unknown:
            near = difflib.get_close_matches(unknown[0], allowed, n=1, cutoff=0.6)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise ConfigError(
                f"{where}: unknown key {unknown[0]!r}{hint}; "
                f"allowed keys: {', '.join(sorted(allowed))}"
            )

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.where}: {key}: {message}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        if key not in self.data:
            return default
        value = self.data[key]
        # bool is an int in Python; a boolean where a number is wanted is a mistake.
        if isinstance(value, bool) and bool not in _as_tuple(kind):
            raise self.fail(key, f"expected {_kind_name(kind)}, got a boolean")
        if not isinstance(value, kind):
            raise self.fail(key, f"expected {_kind_name(kind)}, got {value!r}")
        return value

    def number(self, key: str, default: float, minimum: float, integer: bool = False) -> Any:
        value = self.get(key, int if integer else (int, float), default)
        if value < minimum:
            raise self.fail(key, f"must be at least {minimum}, got {value}")
        return value

    def duration(self, key: str, default: float, minimum: float) -> float:
        """Seconds, written as a number or an interval ("30s", "2 minutes")."""
        seconds = self.parsed(key, parse_duration, default)
        if seconds < minimum:
            raise self.fail(key, f"must be at least {minimum:g} seconds, got {seconds:g}")
        return seconds

    def parsed(self, key: str, parse: Callable[[Any], Any], default: Any) -> Any:
        if key not in self.data:
            return default
        try:
            return parse(self.data[key])
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None

    def notify_urls(self, key: str = "notify") -> tuple[str, ...]:
        """Apprise URLs, each checked against the services apprise knows."""
        from pipelines.notify import url_problem

        urls = self.strings(key)
        for url in urls:
            if problem := url_problem(url):
                raise self.fail(key, problem)
        return urls

    def tables(self, key: str) -> list[Any]:
        """An array of tables, `[[key]]`; `[key]` (one bracket) is said to be the mistake."""
        if isinstance(self.data.get(key), Mapping):
            raise ConfigError(
                f"{self.where}: [{key}] is a single table; write each one as [[{key}]] "
                "(two brackets)"
            )
        return self.get(key, list, [])

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key, (list, str), [])
        values = [value] if isinstance(value, str) else value
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise self.fail(key, "expected a list of non-empty strings")
        return tuple(v.strip() for v in values)


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        bool: "true or false",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }
    return " or ".join(names.get(k, k.__name__) for k in _as_tuple(kind))
