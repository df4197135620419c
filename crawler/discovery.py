"""Article links from feeds and sitemaps: pure functions over bytes, no network."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser
from lxml import etree

from pipelines.dates import parse_date


class DiscoveryError(Exception):
    """A feed or sitemap could not be read at all."""


@dataclass(frozen=True)
class Link:
    url: str
    published: str | None = None
    published_from: str | None = None
    title: str | None = None
    # Why the entry names no page that can be fetched (its URL is then as written).
    problem: str | None = None


# A link longer than this is no page's (browsers and Scrapy stop at 2,083 characters).
MAX_URL = 2083


def _link(base_url: str, href: str, **fields) -> Link:
    """The entry's link, resolved against the listing's URL; one bad entry is recorded
    with its reason and never loses the others."""
    href = href.strip()
    if len(href) > MAX_URL:
        return Link(url=href[:MAX_URL], problem=f"a link of {len(href):,} characters")
    try:
        return Link(url=urljoin(base_url, href), **fields)
    except ValueError as exc:
        return Link(url=href, problem=f"not a URL: {exc}")


def feed_links(body: bytes, base_url: str) -> list[Link]:
    """Entries of an RSS 0.9x/1.0/2.0 or Atom feed, newest first as the feed lists them."""
    parsed = feedparser.parse(body, response_headers={"content-location": base_url})
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        reason = getattr(parsed, "bozo_exception", None) or "no feed format recognised"
        raise DiscoveryError(f"not a readable RSS or Atom feed: {reason}")
    links = []
    for entry in parsed.entries:
        href = entry.get("link") or next(
            (link.get("href") for link in entry.get("links", []) if link.get("href")), None
        )
        if not href:
            continue
        published = _feed_date(entry.get("published_parsed") or entry.get("updated_parsed"))
        links.append(
            _link(
                base_url,
                href,
                published=published,
                published_from="feed" if published else None,
                title=entry.get("title"),
            )
        )
    return links


def _feed_date(stamp) -> str | None:
    """feedparser's parsed date, or None for one no calendar has ("0000-00-00")."""
    if not stamp:
        return None
    try:
        moment = datetime.fromtimestamp(calendar.timegm(stamp), UTC)
    except (ValueError, OverflowError, OSError, TypeError):
        return None
    return parse_date(moment)


def sitemap_links(body: bytes, base_url: str) -> tuple[str, list[Link]]:
    """("index", child sitemaps) or ("urlset", pages) from a sitemap or Google News sitemap."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, recover=True, remove_comments=True, huge_tree=False
    )
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"not a readable sitemap: {exc}") from None
    if root is None:
        raise DiscoveryError("not a readable sitemap: empty document")
    kind = etree.QName(root).localname
    if kind not in ("sitemapindex", "urlset"):
        raise DiscoveryError(f"not a sitemap: the root element is <{kind}>")
    links = []
    for entry in root:
        if not isinstance(entry.tag, str):
            continue
        fields = {}
        for child in entry.iter():
            if isinstance(child.tag, str) and child.text and child.text.strip():
                fields.setdefault(etree.QName(child).localname, child.text.strip())
        loc = fields.get("loc")
        if not loc:
            continue
        published, where = parse_date(fields.get("publication_date")), "news_sitemap"
        if published is None:
            published, where = parse_date(fields.get("lastmod")), "sitemap_lastmod"
        links.append(
            _link(
                base_url,
                loc,
                published=published,
                published_from=where if published else None,
                title=fields.get("title"),
            )
        )
    return ("index" if kind == "sitemapindex" else "urlset"), links
