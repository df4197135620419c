"""The example configuration `newswatch init` writes, recognised where it is still in use.

A configuration is "still the example" in the parts that keep one of the example's own
URLs: an enabled source crawling its feeds or pages (https://www.example.com/…), or a
watch notifying its channels (json://127.0.0.1:8000/hook). Comparing URLs, not files,
keeps the test valid however the rest of the files were edited.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache

from config.loader import EXAMPLES, Config

_DISCOVERY = ("feeds", "sitemaps", "start_urls")


@lru_cache(maxsize=1)
def _example_urls() -> tuple[frozenset[str], frozenset[str]]:
    """The example's discovery URLs and notify URLs, read from the files `init` copies."""
    sources = tomllib.loads((EXAMPLES / "sources.toml").read_text(encoding="utf-8"))
    watchlist = tomllib.loads((EXAMPLES / "watchlist.toml").read_text(encoding="utf-8"))
    crawled = {
        url for s in sources.get("source", []) for key in _DISCOVERY for url in s.get(key, [])
    }
    notified = {url for w in watchlist.get("watch", []) for url in w.get("notify", [])}
    return frozenset(crawled), frozenset(notified)


def example_leftovers(config: Config) -> list[str]:
    """What in `config` is still the example's, one line per file ([] when nothing is)."""
    from pipelines.notify import redact

    crawled, notified = _example_urls()
    sources = [
        f"source {s.name!r} crawls {' and '.join(urls)}"
        for s in config.enabled_sources
        if (urls := [u for u in (*s.feeds, *s.sitemaps, *s.start_urls) if u in crawled])
    ]
    watches = [
        f"watch {w.name!r} notifies {' and '.join(redact(u) for u in urls)}"
        for w in config.watches
        if (urls := [u for u in w.notify if u in notified])
    ]
    said = []
    if sources:
        said.append(
            f"sources.toml: {', '.join(sources)}: put the feeds, sitemaps or section pages "
            "of your news sources there"
        )
    if watches:
        said.append(
            f"watchlist.toml: {', '.join(watches)}: put the names you watch and your own "
            "notify URLs there (any URL apprise knows), or delete the file"
        )
    return said


def example_warning(config: Config) -> str | None:
    """One warning naming what is still the example and what to edit, or None."""
    leftovers = example_leftovers(config)
    if not leftovers:
        return None
    return "\n  ".join(
        [
            f"Warning: {config.directory} still holds newswatch's example configuration "
            "(from newswatch init); edit it:",
            *leftovers,
        ]
    )
