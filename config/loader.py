"""Load and validate the TOML configuration folder into frozen, typed objects.

Nothing downstream reads raw dicts: every value is checked here, and an error names
the file, the source, the key and what is allowed. Unknown keys are errors, since
they are usually typos.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from config.toml import (
    ConfigError,
    Schedule,
    Table,
    interval_seconds,
    parse_duration,
    parse_schedule,
    read_toml,
)
from config.watchlist import Watch, load_watchlist

SETTINGS_FILE = "settings.toml"
SOURCES_FILE = "sources.toml"
DEFAULT_USER_AGENT = "newswatch/0.1 (+https://github.com/newswatch/newswatch)"


# newswatch's own `config` package, which holds the example files.
EXAMPLES = Path(__file__).resolve().parent


def own_folder(directory: Path) -> str:
    """Why `directory`, newswatch's own package folder, is no place for a configuration
    (run from a checkout of newswatch, `./config` is that folder)."""
    return (
        f"{directory} is newswatch's own config package (its example files), not your "
        "configuration; keep yours in a folder of its own: newswatch init ~/newswatch, "
        "then --config ~/newswatch or NEWSWATCH_CONFIG=~/newswatch"
    )


@dataclass(frozen=True)
class StorageSettings:
    database: Path
    archive_html: bool = False  # keep each article's raw response, for WARC export


@dataclass(frozen=True)
class CrawlSettings:
    user_agent: str = DEFAULT_USER_AGENT
    obey_robots: bool = True
    concurrency_per_domain: int = 2
    delay: float = 1.0
    autothrottle: bool = True
    timeout: float = 30.0
    max_page_size: int = 10 * 1024 * 1024
    retries: int = 3
    max_retry_after: float = 120.0


@dataclass(frozen=True)
class ExtractSettings:
    min_words: int = 80
    workers: int = 2


@dataclass(frozen=True)
class DedupeSettings:
    # Articles whose texts are at least this similar (estimated Jaccard similarity of
    # their 5-word shingles) are one story: one cluster, one alert per watch.
    threshold: float = 0.4


@dataclass(frozen=True)
class DaemonSettings:
    """How `newswatch run` schedules crawls and delivers alerts (all in seconds)."""

    crawl_timeout: float = 1800.0  # a crawl still running after this is killed
    stop_grace: float = 30.0  # on SIGTERM, running crawls get this long to finish
    misfire_grace: float = 3600.0  # a run missed by less than this still runs, once
    jitter: float = 30.0  # random delay added to each scheduled crawl
    alert_interval: float = 15.0  # how often pending alerts are delivered
    retry_min: float = 30.0  # the wait after a first failed delivery; doubles each time
    retry_max: float = 3600.0  # the longest wait between two delivery attempts
    # Failed attempts before an alert is given up (`failed`); about two days of hourly tries.
    max_attempts: int = 50
    # The zone cron schedules (sources' and digests') are read in; None: the machine's zone,
    # found when the daemon schedules (tzlocal costs every command 30 ms to import).
    timezone: tzinfo | None = None


@dataclass(frozen=True)
class MonitorSettings:
    """When a source's health verdict changes (`newswatch status`), and who hears of it."""

    # Apprise URLs told of each change of verdict; they carry secrets, so repr() leaves them out.
    notify: tuple[str, ...] = field(default=(), repr=False)
    failing_after: int = 3  # failed runs in a row before a source is failing
    silent_after: float = 4.0  # silent when the wait for a new article exceeds this many usual gaps
    min_silence: float = 6 * 3600.0  # ... and is at least this long (seconds)
    baseline_days: int = 7  # days of history behind "the source's usual rate"
    low_rate: float = 0.25  # degraded below this share of the usual daily rate of new articles
    empty_jump: float = 0.3  # degraded when the share of pages without article text rises this much
    min_pages: int = 5  # ... measured over at least this many article pages


@dataclass(frozen=True)
class WebSettings:
    """`newswatch serve`: the web face (Datasette), read-only."""

    host: str = "127.0.0.1"
    port: int = 8001
    # Who may sign in: user name -> password hash (`newswatch hash-password`). Required to
    # listen anywhere but the loopback; repr() leaves the hashes out.
    users: Mapping[str, str] = field(default_factory=dict, repr=False)
    allow_sql: bool = False  # arbitrary SQL from the browser, off unless turned on


@dataclass(frozen=True)
class ClusterSettings:
    """Crawls spread over Celery workers on Redis (`newswatch worker`); the daemon stays the
    one writer of the database. No broker (the default): everything runs on one machine."""

    # redis://[:password@]host:port/db; repr() leaves it out, as it may carry a password.
    broker: str | None = field(default=None, repr=False)
    queue: str = "newswatch"  # the Celery queue crawls are sent to and workers take them from
    # Seconds before a crawl taken by a worker that went silent is given to another worker;
    # None: [daemon] crawl_timeout + 300 (crawler/cluster/app.py).
    visibility_timeout: float | None = None
    # Seconds a worker's crawl waits for Redis to come back before it stops (and its task
    # runs again): a short outage only holds the crawl up.
    outage_wait: float = 60.0

    @property
    def enabled(self) -> bool:
        return self.broker is not None

    @property
    def broker_shown(self) -> str:
        """The broker URL fit for logs and output: its password masked."""
        return _masked_password(self.broker or "")


@dataclass(frozen=True)
class Source:
    name: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    follow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    schedule: Schedule = field(default_factory=lambda: parse_schedule("1h"))
    max_pages: int = 1000
    enabled: bool = True
    recheck: float = 0.0  # seconds: articles published this recently are fetched again


@dataclass(frozen=True)
class Config:
    directory: Path
    storage: StorageSettings
    crawl: CrawlSettings
    extract: ExtractSettings
    sources: tuple[Source, ...]
    daemon: DaemonSettings = field(default_factory=DaemonSettings)
    dedupe: DedupeSettings = field(default_factory=DedupeSettings)
    monitor: MonitorSettings = field(default_factory=MonitorSettings)
    watches: tuple[Watch, ...] = ()
    web: WebSettings = field(default_factory=WebSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)

    def watch(self, name: str) -> Watch:
        for watch in self.watches:
            if watch.name.casefold() == name.casefold():
                return watch
        known = ", ".join(repr(w.name) for w in self.watches) or "none"
        raise ConfigError(f"watchlist.toml: no watch named {name!r} (configured: {known})")

    def source(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"{SOURCES_FILE}: no source named {name!r} (configured: {known})")

    @property
    def enabled_sources(self) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if s.enabled)


_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}
# Below this, the LSH bands (pipelines.neardup) would miss most pairs at the threshold.
MIN_THRESHOLD = 0.4
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


def parse_when(text: str, *, end: bool = False, now: datetime | None = None) -> datetime:
    """A moment as people write it (--since, --until), in UTC: a date (2026-11-28) or a time
    (2026-11-28T08:00), in local time unless it says its zone; "today" or "yesterday"; or
    a length of time back from now ("7d", "24 hours", "2 weeks ago"). With `end`, a day
    means its end: `--until 2026-11-28` includes the 28th."""
    now = now or datetime.now(UTC)
    words = text.strip().lower().removesuffix(" ago").strip()
    day: date | None = None
    if words in ("today", "yesterday"):
        day = now.astimezone().date() - timedelta(days=words == "yesterday")
    elif (seconds := interval_seconds(words)) is not None:
        return now - timedelta(seconds=seconds)
    else:
        try:
            if len(words) == 10:
                day = date.fromisoformat(words)
            else:
                moment = datetime.fromisoformat(text.strip())
                return (moment if moment.tzinfo else moment.astimezone()).astimezone(UTC)
        except ValueError:
            raise ValueError(
                f"{text!r} is not a date or time like 2026-11-28, 2026-11-28T08:00, 7d, "
                "'24 hours' or yesterday"
            ) from None
    start = datetime.combine(day + timedelta(days=end), time.min).astimezone()
    return start.astimezone(UTC)


def parse_zone(name: Any) -> tzinfo:
    """A time zone from its IANA name ("Europe/Berlin", "America/New_York", "UTC")."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

    if isinstance(name, str):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass  # not found, a path, a folder ("America") or not a zone file
    zones = {zone.casefold(): zone for zone in available_timezones()}
    near = difflib.get_close_matches(str(name).casefold(), zones, n=1, cutoff=0.8)
    hint = f" (did you mean {zones[near[0]]!r}?)" if near else ""
    raise ValueError(
        f"{name!r} is not a time zone name like 'Europe/Berlin', 'America/New_York' or 'UTC'{hint}"
    )


def parse_size(value: int | str) -> int:
    """Bytes from an int or a string like "10MB"."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value <= 0:
            raise ValueError("must be a positive number of bytes")
        return value
    if isinstance(value, str) and (m := _SIZE.fullmatch(value.strip())):
        return int(float(m.group(1)) * _SIZE_UNITS[(m.group(2) or "b").lower()])
    raise ValueError(f"{value!r} is not a size like 10485760 or '10MB'")


def load_config(directory: str | Path) -> Config:
    """Read `settings.toml` and `sources.toml` from `directory` and validate them."""
    directory = Path(directory).expanduser().resolve()
    if directory == EXAMPLES:
        raise ConfigError(own_folder(directory))
    if directory.is_file():
        raise ConfigError(
            f"--config takes the configuration folder, not a file: {directory} is a file; "
            f"use --config {directory.parent}"
        )
    if not directory.is_dir():
        raise ConfigError(
            f"configuration folder {directory} does not exist; "
            f"create one with: newswatch init {directory}"
        )
    settings = read_toml(directory / SETTINGS_FILE, required=False)
    sources = _sources(read_toml(directory / SOURCES_FILE, required=True))
    storage, crawl, extract, daemon, dedupe, monitor = _settings(settings, directory)
    web = _web(settings.get("web", {}))
    cluster = _cluster(settings.get("cluster", {}))

    return Config(
        directory=directory,
        storage=storage,
        crawl=crawl,
        extract=extract,
        sources=sources,
        daemon=daemon,
        dedupe=dedupe,
        monitor=monitor,
        watches=load_watchlist(directory, {s.name for s in sources}),
        web=web,
        cluster=cluster,
    )


def _settings(
    data: dict[str, Any], directory: Path
) -> tuple[
    StorageSettings, CrawlSettings, ExtractSettings, DaemonSettings, DedupeSettings, MonitorSettings
]:
    top = Table(
        data,
        SETTINGS_FILE,
        {"storage", "crawl", "extract", "daemon", "dedupe", "monitor", "web", "cluster"},
    )
    storage = Table(
        top.get("storage", dict, {}), f"{SETTINGS_FILE}: [storage]", {"database", "archive_html"}
    )
    database = Path(storage.get("database", str, "data/newswatch.db")).expanduser()
    if not database.is_absolute():
        database = directory / database

    defaults = CrawlSettings()
    crawl = Table(
        top.get("crawl", dict, {}),
        f"{SETTINGS_FILE}: [crawl]",
        set(CrawlSettings.__dataclass_fields__),
    )
    crawl_settings = CrawlSettings(
        user_agent=crawl.get("user_agent", str, defaults.user_agent),
        obey_robots=crawl.get("obey_robots", bool, defaults.obey_robots),
        concurrency_per_domain=crawl.number(
            "concurrency_per_domain", defaults.concurrency_per_domain, 1, integer=True
        ),
        delay=crawl.duration("delay", defaults.delay, 0),
        autothrottle=crawl.get("autothrottle", bool, defaults.autothrottle),
        timeout=crawl.duration("timeout", defaults.timeout, 1),
        max_page_size=crawl.parsed("max_page_size", parse_size, defaults.max_page_size),
        retries=crawl.number("retries", defaults.retries, 0, integer=True),
        max_retry_after=crawl.duration("max_retry_after", defaults.max_retry_after, 0),
    )
    extract_defaults = ExtractSettings()
    extract = Table(
        top.get("extract", dict, {}),
        f"{SETTINGS_FILE}: [extract]",
        set(ExtractSettings.__dataclass_fields__),
    )
    extract_settings = ExtractSettings(
        min_words=extract.number("min_words", extract_defaults.min_words, 1, integer=True),
        workers=extract.number("workers", extract_defaults.workers, 0, integer=True),
    )
    daemon = Table(
        top.get("daemon", dict, {}),
        f"{SETTINGS_FILE}: [daemon]",
        set(DaemonSettings.__dataclass_fields__),
    )
    defaults_d = DaemonSettings()
    daemon_settings = DaemonSettings(
        **{
            key: daemon.parsed(key, parse_duration, getattr(defaults_d, key))
            for key in DaemonSettings.__dataclass_fields__
            if key not in ("max_attempts", "timezone")
        },
        max_attempts=daemon.number("max_attempts", defaults_d.max_attempts, 1, integer=True),
        timezone=daemon.parsed("timezone", parse_zone, None),
    )
    dedupe = Table(
        top.get("dedupe", dict, {}),
        f"{SETTINGS_FILE}: [dedupe]",
        set(DedupeSettings.__dataclass_fields__),
    )
    threshold = dedupe.number("threshold", DedupeSettings.threshold, MIN_THRESHOLD)
    if threshold > 1:
        raise dedupe.fail("threshold", f"must be at most 1 (identical texts), got {threshold}")
    storage_settings = StorageSettings(
        database=database, archive_html=storage.get("archive_html", bool, False)
    )
    return (
        storage_settings,
        crawl_settings,
        extract_settings,
        daemon_settings,
        DedupeSettings(threshold=float(threshold)),
        _monitor(top.get("monitor", dict, {})),
    )


def _monitor(data: dict[str, Any]) -> MonitorSettings:
    table = Table(data, f"{SETTINGS_FILE}: [monitor]", set(MonitorSettings.__dataclass_fields__))
    defaults = MonitorSettings()
    for key in ("low_rate", "empty_jump"):
        share = table.number(key, getattr(defaults, key), 0)
        if share > 1:
            raise table.fail(key, f"must be a share between 0 and 1, got {share}")
    return MonitorSettings(
        notify=table.notify_urls(),
        failing_after=table.number("failing_after", defaults.failing_after, 1, integer=True),
        silent_after=float(table.number("silent_after", defaults.silent_after, 1)),
        min_silence=table.parsed("min_silence", parse_duration, defaults.min_silence),
        baseline_days=table.number("baseline_days", defaults.baseline_days, 1, integer=True),
        low_rate=float(table.number("low_rate", defaults.low_rate, 0)),
        empty_jump=float(table.number("empty_jump", defaults.empty_jump, 0)),
        min_pages=table.number("min_pages", defaults.min_pages, 1, integer=True),
    )


# What a password hash from `newswatch hash-password` (datasette-auth-passwords) looks like.
_PASSWORD_HASH = re.compile(r"pbkdf2_sha256\$\d+\$[^$]+\$[^$]+")


def _web(data: Any) -> WebSettings:
    table = Table(data, f"{SETTINGS_FILE}: [web]", set(WebSettings.__dataclass_fields__))
    defaults = WebSettings()
    users = table.get("users", dict, {})
    for name, hashed in users.items():
        if not _NAME.fullmatch(name):
            raise table.fail("users", f"{name!r} must be lower-case letters, digits, '-' or '_'")
        if not isinstance(hashed, str) or not _PASSWORD_HASH.fullmatch(hashed):
            raise table.fail(
                "users",
                f"the password of {name!r} must be a hash made by `newswatch hash-password` "
                "(pbkdf2_sha256$...), never the password itself",
            )
    return WebSettings(
        host=table.get("host", str, defaults.host),
        port=table.number("port", defaults.port, 1, integer=True),
        users=dict(users),
        allow_sql=table.get("allow_sql", bool, defaults.allow_sql),
    )


def _cluster(data: Any) -> ClusterSettings:
    table = Table(data, f"{SETTINGS_FILE}: [cluster]", set(ClusterSettings.__dataclass_fields__))
    broker = table.get("broker", str, None)
    if broker is not None:
        parts = urlsplit(broker)
        if parts.scheme not in ("redis", "rediss") or not parts.hostname:
            raise table.fail(
                "broker",
                f"must be a Redis URL (redis://host:6379/0 or rediss://… for TLS), "
                f"got {_masked_password(broker)!r}",
            )
        try:
            parts.port  # noqa: B018 (a port that is no number raises here)
            database = parts.path.strip("/") or "0"
            if not database.isdigit():
                raise ValueError(f"the database must be a number, not {database!r}")
        except ValueError as exc:
            raise table.fail("broker", f"{_masked_password(broker)!r}: {exc}") from None
    queue = table.get("queue", str, ClusterSettings.queue)
    if not _NAME.fullmatch(queue):
        raise table.fail("queue", f"{queue!r} must be lower-case letters, digits, '-' or '_'")
    visibility_timeout = None
    if "visibility_timeout" in table.data:
        visibility_timeout = table.duration("visibility_timeout", 0.0, 10.0)
    outage_wait = table.duration("outage_wait", ClusterSettings.outage_wait, 0.0)
    return ClusterSettings(
        broker=broker,
        queue=queue,
        visibility_timeout=visibility_timeout,
        outage_wait=outage_wait,
    )


def _masked_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":****@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


_SOURCE_KEYS = set(Source.__dataclass_fields__)


def _sources(data: dict[str, Any]) -> tuple[Source, ...]:
    top = Table(data, SOURCES_FILE, {"source"})
    tables = top.tables("source")
    if not tables:
        raise ConfigError(f"{SOURCES_FILE}: no [[source]] tables; add at least one source")
    sources: list[Source] = []
    for index, raw in enumerate(tables, start=1):
        name = raw.get("name") if isinstance(raw, Mapping) else None
        where = f"{SOURCES_FILE}: source {name!r}" if name else f"{SOURCES_FILE}: source #{index}"
        table = Table(raw, where, _SOURCE_KEYS)
        sources.append(_source(table))
    seen: set[str] = set()
    for source in sources:
        if source.name in seen:
            raise ConfigError(f"{SOURCES_FILE}: source {source.name!r}: name is used twice")
        seen.add(source.name)
    return tuple(sources)


def _source(table: Table) -> Source:
    name = table.get("name", str, None)
    if name is None:
        raise table.fail("name", "is required")
    if not _NAME.fullmatch(name):
        raise table.fail(
            "name", f"{name!r} must be lower-case letters, digits, '-' or '_' (at most 63)"
        )
    urls = {key: table.strings(key) for key in ("feeds", "sitemaps", "start_urls")}
    for key, values in urls.items():
        for url in values:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise table.fail(key, f"{url!r} is not an http:// or https:// URL")
    if not any(urls.values()):
        raise table.fail("feeds", "a source needs at least one of feeds, sitemaps, start_urls")
    patterns = {key: table.strings(key) for key in ("follow", "deny")}
    for key, values in patterns.items():
        for pattern in values:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise table.fail(key, f"{pattern!r} is not a regular expression: {exc}") from None
    return Source(
        name=name,
        **urls,
        **patterns,
        schedule=table.parsed("schedule", lambda v: parse_schedule(_text(v)), parse_schedule("1h")),
        max_pages=table.number("max_pages", 1000, 1, integer=True),
        enabled=table.get("enabled", bool, True),
        recheck=table.parsed("recheck", parse_duration, 0.0),
    )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string like '15m' or '*/15 * * * *', got {value!r}")
    return value
