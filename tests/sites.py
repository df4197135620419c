"""Generated test sites: many distinct articles behind one RSS feed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crawler.siteserver import SiteServer
from tests.pages import ENGLISH, news_page

_WORDS = (
    "council minister harbour election budget court river school hospital railway farmers "
    "engineers voters market storm bridge museum festival drought union factory"
).split()


def article_paragraphs(n: int) -> list[str]:
    rng = random.Random(n)
    extra = " ".join(rng.choice(_WORDS) for _ in range(30))
    return [f"Report {n}. {p}" for p in ENGLISH] + [f"Notes on story {n}: {extra}."]


def generate_site(root: Path, count: int) -> list[str]:
    """Write `count` article pages and an RSS feed listing them; return the article paths."""
    (root / "news").mkdir(parents=True, exist_ok=True)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    paths = []
    items = []
    for n in range(count):
        path = f"/news/story-{n}"
        page = news_page(f"Story number {n}", article_paragraphs(n))
        (root / f"news/story-{n}.html").write_text(page, encoding="utf-8")
        paths.append(path)
        items.append(f"<item><title>Story {n}</title><link>{{{{BASE}}}}{path}</link></item>")
    (root / "feed.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Generated</title>'
        f"<link>{{{{BASE}}}}/</link>{''.join(items)}</channel></rss>",
        encoding="utf-8",
    )
    return paths


def write_config(config_dir: Path, sources: str, crawl: str = "") -> Path:
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "sources.toml").write_text(sources, encoding="utf-8")
    (config_dir / "settings.toml").write_text(
        "[crawl]\ndelay = 0\nautothrottle = false\ntimeout = 5\n" + crawl, encoding="utf-8"
    )
    return config_dir


@contextmanager
def generated_source(
    tmp_path: Path, count: int, *, crawl: str = "", source: str = ""
) -> Iterator[tuple[SiteServer, Path, list[str]]]:
    """A served site of `count` articles and a configuration with one source ("gen") for it."""
    paths = generate_site(tmp_path / "site", count)
    with SiteServer(tmp_path / "site") as server:
        sources = f'[[source]]\nname = "gen"\nfeeds = ["{server.base}/feed.xml"]\n{source}'
        yield server, write_config(tmp_path / "cfg", sources, crawl), paths
