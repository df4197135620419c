"""Article links from feeds, sitemaps and section fronts: pure functions over bytes, no network.

Each reads a bounded number of entries: a listing of 100,000 items costs what one of
`MAX_LINKS` costs, never minutes of the crawl's only thread.
"""

from __future__ import annotations

import calendar
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.html
from lxml import etree
from scrapy.linkextractors import IGNORED_EXTENSIONS

from crawler.urls import same_site
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


@dataclass(frozen=True)
class Listing:
    """What a listing names: ("index", child sitemaps) or ("urlset", pages); `more` when it
    names more than were read."""

    kind: str
    links: list[Link] = field(default_factory=list)
    more: bool = False


# A link longer than this is no page's (browsers and Scrapy stop at 2,083 characters).
MAX_URL = 2083
# The most entries read from one listing. A news feed or section front lists its latest
# tens of stories, a news sitemap at most 1,000 (Google's rule); a sitemap at most 50,000
# (the protocol's). feedparser costs about 0.5 ms an item: 1,000 items, half a second.
MAX_LINKS = {"feed": 1_000, "front": 1_000, "sitemap": 50_000}
# Anchors looked at on a front, matching or not: a page of 200,000 off-site links costs
# the same as one of this many.
_MAX_ANCHORS = 20 * MAX_LINKS["front"]
_ENTRY_END = re.compile(rb"</(?:[\w-]+:)?(?:item|entry)\s*>")
_IGNORED = frozenset(f".{ext}" for ext in IGNORED_EXTENSIONS)


def _link(base_url: str, href: str, **fields) -> Link:
    """The entry's link, resolved against the listing's URL; one bad entry is recorded
    with its reason and never loses the others."""
    href = href.strip()
    if len(href) > MAX_URL:
        return Link(url=href[:MAX_URL], problem=f"a link of {len(href):,} characters")
    if href.startswith(("http://", "https://")):
        # Already absolute (as a sitemap's must be): urljoin would cost more than the rest
        # of reading the entry. Whether it names a page is canonical_url's to say.
        return Link(url=href, **fields)
    try:
        return Link(url=urljoin(base_url, href), **fields)
    except ValueError as exc:
        return Link(url=href, problem=f"not a URL: {exc}")


def feed_links(body: bytes, base_url: str, limit: int = MAX_LINKS["feed"]) -> Listing:
    """Entries of an RSS 0.9x/1.0/2.0 or Atom feed, newest first as the feed lists them; the
    first `limit` of a longer feed (it is cut after its `limit`-th entry, before parsing:
    feedparser reads a cut feed's entries)."""
    ends = _ENTRY_END.finditer(body)
    end = next((m for n, m in enumerate(ends, 1) if n == limit), None)
    more = end is not None and next(ends, None) is not None
    if more:
        body = body[: end.end()]
    parsed = feedparser.parse(body, response_headers={"content-location": base_url})
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        raise DiscoveryError(_not_a_feed(body, base_url, parsed))
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
    return Listing("feed", links, more)


_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S
)
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


def _not_a_feed(body: bytes, base_url: str, parsed) -> str:
    """Why a feed URL gave no feed, in the words a user can act on."""
    if not body.strip():
        return "not an RSS or Atom feed: the answer is empty"
    if _HTML_START.match(body[:4096]):
        advertised = advertised_feeds(body, base_url)
        where = f"its advertised feed is {advertised[0]}" if advertised else "it advertises no feed"
        return f"not an RSS or Atom feed (it is an HTML page; {where})"
    reason = getattr(parsed, "bozo_exception", None)
    return f"not a readable RSS or Atom feed: {reason or 'no feed format recognised'}"


def advertised_feeds(body: bytes, url: str) -> list[str]:
    """The feeds an HTML page advertises (`<link rel="alternate" type="application/rss+xml">`),
    as absolute URLs, in page order."""
    try:
        tree = lxml.html.fromstring(body)
    except (etree.ParserError, ValueError):
        return []
    feeds = []
    for element in tree.iter("link"):
        rel = (element.get("rel") or "").lower().split()
        kind = (element.get("type") or "").lower().strip()
        if "alternate" in rel and kind in _FEED_TYPES and (element.get("href") or "").strip():
            link = _link(url, element.get("href"))
            if not link.problem and link.url not in feeds:
                feeds.append(link.url)
    return feeds[:10]


def _feed_date(stamp) -> str | None:
    """feedparser's parsed date, or None for one no calendar has ("0000-00-00")."""
    if not stamp:
        return None
    try:
        moment = datetime.fromtimestamp(calendar.timegm(stamp), UTC)
    except (ValueError, OverflowError, OSError, TypeError):
        return None
    return parse_date(moment)


def sitemap_links(body: bytes, base_url: str, limit: int = MAX_LINKS["sitemap"]) -> Listing:
    """Child sitemaps (an index) or pages (a urlset) from a sitemap or Google News sitemap."""
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
    links: list[Link] = []
    entries = (entry for entry in root if isinstance(entry.tag, str))
    for entry in entries:
        if len(links) == limit:
            return Listing(_SITEMAP_KINDS[kind], links, more=True)
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
    return Listing(_SITEMAP_KINDS[kind], links)


_SITEMAP_KINDS = {"sitemapindex": "index", "urlset": "urlset"}


def front_links(
    body: bytes,
    url: str,
    *,
    encoding: str | None = None,
    follow: Iterable[re.Pattern] = (),
    deny: Iterable[re.Pattern] = (),
    limit: int = MAX_LINKS["front"],
) -> Listing:
    """Links of a section front to pages of its own site: each once, in page order,
    matching one of `follow` (any when there is none) and none of `deny`, and not to a
    file (an image, a PDF: Scrapy's list of extensions)."""
    parser = lxml.html.HTMLParser(encoding=encoding, remove_comments=True)
    try:
        tree = lxml.html.fromstring(body, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise DiscoveryError(f"not a readable HTML page: {exc}") from None
    base = next((b.get("href") for b in tree.iter("base") if b.get("href")), "")
    base = _link(url, base)
    base = url if base.problem else base.url
    follow, deny = list(follow), list(deny)
    seen: set[str] = set()
    links: list[Link] = []
    for n, anchor in enumerate(tree.iter("a", "area")):
        if n == _MAX_ANCHORS or len(links) == limit:
            return Listing("front", links, more=True)
        href = anchor.get("href")
        if not href or not href.strip():
            continue
        link = _link(base, href)
        target = link.url.split("#", 1)[0]
        if target not in seen and _wanted(target, url, follow, deny):
            seen.add(target)
            links.append(Link(url=target, problem=link.problem))
    return Listing("front", links)


def _wanted(link: str, url: str, follow: list[re.Pattern], deny: list[re.Pattern]) -> bool:
    try:
        if not link.startswith(("http://", "https://")) or not same_site(link, url):
            return False
    except ValueError:
        return False  # a host no page has
    if posixpath.splitext(urlsplit(link).path)[1].lower() in _IGNORED:
        return False
    return (not follow or any(p.search(link) for p in follow)) and not any(
        p.search(link) for p in deny
    )
