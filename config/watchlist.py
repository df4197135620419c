"""The watchlist (`watchlist.toml`): names to watch, their aliases, and where to send alerts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.toml import ConfigError, Schedule, Table, parse_schedule, read_toml

WATCHLIST_FILE = "watchlist.toml"
MODES = ("instant", "digest")
DEFAULT_DIGEST = "0 8 * * *"


@dataclass(frozen=True)
class Watch:
    name: str
    aliases: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # empty: every source
    require: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    mode: str = "instant"
    digest: Schedule | None = None

    def __repr__(self) -> str:  # notify URLs carry secrets: never print them whole
        return f"Watch(name={self.name!r}, aliases={self.aliases!r}, mode={self.mode!r})"

    @property
    def notify_redacted(self) -> tuple[str, ...]:
        from pipelines.notify import redact

        return tuple(redact(url) for url in self.notify)


def load_watchlist(directory: Path, source_names: set[str]) -> tuple[Watch, ...]:
    """Read `watchlist.toml` (optional) and check every watch against the sources."""
    data = read_toml(directory / WATCHLIST_FILE, required=False)
    top = Table(data, WATCHLIST_FILE, {"watch"})
    watches = tuple(
        _watch(raw, index, source_names) for index, raw in enumerate(top.tables("watch"), start=1)
    )
    seen: set[str] = set()
    for watch in watches:
        if watch.name.casefold() in seen:
            raise ConfigError(f"{WATCHLIST_FILE}: watch {watch.name!r}: name is used twice")
        seen.add(watch.name.casefold())
    _check_terms(watches)
    return watches


def _watch(raw: Any, index: int, source_names: set[str]) -> Watch:
    name = raw.get("name") if isinstance(raw, Mapping) else None
    where = f"{WATCHLIST_FILE}: watch {name!r}" if name else f"{WATCHLIST_FILE}: watch #{index}"
    table = Table(raw, where, set(Watch.__dataclass_fields__))
    name = table.get("name", str, "").strip()
    if not name:
        raise table.fail("name", "is required")
    notify = table.notify_urls()
    sources = table.strings("sources")
    for source in sources:
        if source not in source_names:
            known = ", ".join(sorted(source_names)) or "none"
            raise table.fail("sources", f"no source named {source!r} (configured: {known})")
    mode = table.get("mode", str, "instant")
    if mode not in MODES:
        raise table.fail("mode", f"{mode!r} is not one of {', '.join(MODES)}")
    digest = table.parsed("digest", lambda v: parse_schedule(str(v)), None)
    if digest is not None and mode != "digest":
        raise table.fail("digest", 'is only used with mode = "digest"')
    if mode == "digest" and digest is None:
        digest = parse_schedule(DEFAULT_DIGEST)
    return Watch(
        name=name,
        aliases=table.strings("aliases"),
        notify=notify,
        sources=sources,
        require=table.strings("require"),
        exclude=table.strings("exclude"),
        mode=mode,
        digest=digest,
    )


def _check_terms(watches: tuple[Watch, ...]) -> None:
    """Forms the matcher cannot compile are configuration errors, named here."""
    if not watches:
        return
    from pipelines.alerts.matcher import check_forms

    try:
        check_forms(watches)
    except ValueError as exc:
        raise ConfigError(f"{WATCHLIST_FILE}: {exc}") from None
