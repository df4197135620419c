"""What the spider hands to the pipelines: one item per page it fetched or failed to fetch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArticlePage:
    """A fetched page that may be an article; the pipelines extract, deduplicate and store it."""

    url: str  # canonical form of the page's URL (where redirects led)
    source: str
    status: int
    body: bytes
    content_type: str | None
    fetched_at: str
    # What the feed or sitemap said of it: {"published": ..., "published_from": "feed"}.
    hints: dict[str, Any] = field(default_factory=dict)
    # The response's headers, as (name, value) pairs, for the raw-page archive (only
    # collected with [storage] archive_html).
    headers: list[tuple[str, str]] = field(default_factory=list)
    # Validators, saved so a recheck of the article can be a conditional GET.
    etag: str | None = None
    last_modified: str | None = None
    # The URL listed, when redirects led from it to `url`: recorded as leading there.
    listed: str | None = None
    # Set when the page is a stored article fetched again (`recheck`): its id.
    recheck: int | None = None
    # Filled in by the pipelines.
    article: Any = None
    nearest: Any = None  # pipelines.storage.clusters.Nearest: the story the worker found
    boilerplate: tuple[str, ...] = ()  # keys of the source's blocks taken out of its text
    article_id: int | None = None

    def __repr__(self) -> str:  # Scrapy logs items; never dump the body
        return f"<ArticlePage {self.status} {self.url}{' recheck' if self.recheck else ''}>"


@dataclass
class ListingPage:
    """A feed, sitemap or section front: recorded with its validators for conditional GET."""

    url: str
    source: str
    kind: str  # "feed", "sitemap" or "front"
    status: int
    fetched_at: str
    links: int = 0
    etag: str | None = None
    last_modified: str | None = None
    body: bytes | None = None
    # Read, but not whole: "lists more than 1,000 links: the first 1,000 read".
    problem: str | None = None

    def __repr__(self) -> str:
        return f"<ListingPage {self.kind} {self.status} {self.url} links={self.links}>"


@dataclass
class FailedPage:
    """A URL that could not be fetched: HTTP error, timeout, refused connection, robots.txt."""

    url: str
    source: str
    kind: str
    reason: str
    fetched_at: str
    status: int | None = None
    # robots.txt refusals are settled (never asked again); other failures are retried next run.
    settled: bool = False
