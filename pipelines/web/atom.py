"""Atom 1.0 feeds of alerts and saved searches: pure functions from rows to a document.

The web face (`/newswatch/alerts.atom?watch=NAME`) and `newswatch alerts --format atom`
both read rows with `ALERTS_SQL` or `SEARCH_SQL` and write them with `feed`, so a feed
reader sees the same entries from either. Entry ids are stable URNs built from row ids
(an alert, an article): a restart, another host name or another port never makes a
reader show an entry twice. Everything in a row came from a crawled page or a watch's
configuration: ElementTree escapes it, and a link that is not http(s) is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from pipelines.clock import as_utc

ATOM = "http://www.w3.org/2005/Atom"
# The `updated` of a feed with no entries yet: nothing has happened since.
NEVER = "1970-01-01T00:00:00Z"
FEED_LIMIT = 100

ET.register_namespace("", ATOM)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# One alert per row, newest first; :watch = '' for every watch's.
ALERTS_SQL = """
SELECT alerts.id AS alert, alerts.watch, alerts.created_at, alerts.status,
       articles.title, articles.url, articles.source, articles.published,
       alerts.found, alerts.matched, alerts.snippet, alerts.article_id
FROM alerts JOIN articles ON articles.id = alerts.article_id
WHERE :watch = '' OR alerts.watch = :watch
ORDER BY alerts.id DESC
LIMIT :limit
""".strip()

# Articles matching a full-text search (what people type, or FTS5 syntax: the plugin's
# newswatch_query), published between :from and :to (either may be ''), newest first.
SEARCH_SQL = """
SELECT articles.id AS article, articles.title, articles.url, articles.source,
       articles.published, coalesce(articles.updated_at, articles.fetched_at) AS changed_at,
       articles.cluster_id,
       snippet(articles_fts, 1, '[', ']', '…', 24) AS snippet
FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid
WHERE articles_fts MATCH newswatch_query(:q)
  AND (:from = '' OR coalesce(articles.published, articles.fetched_at) >= :from)
  AND (:to = '' OR substr(coalesce(articles.published, articles.fetched_at), 1, 10) <= :to)
ORDER BY coalesce(articles.published, articles.fetched_at) DESC
LIMIT :limit
""".strip()


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    updated: str
    link: str | None = None
    published: str | None = None
    summary: str | None = None
    categories: tuple[str, ...] = ()


def alert_entry(row: Mapping[str, Any]) -> Entry:
    """An alert: the article's title and link, when it was raised, and what matched."""
    return Entry(
        id=f"urn:newswatch:alert:{row['alert']}",
        title=f"{row['watch']}: {row['title'] or row['url']}",
        updated=rfc3339(row["created_at"]) or NEVER,
        link=row["url"],
        published=rfc3339(row["published"]),
        summary=f"{row['source']} · matched “{row['found']}” ({row['matched']}): {row['snippet']}",
        categories=(row["watch"],),
    )


def article_entry(row: Mapping[str, Any]) -> Entry:
    """A search result: the article, when newswatch found (or last updated) it, when it
    was published, its snippet."""
    return Entry(
        id=f"urn:newswatch:article:{row['article']}",
        title=row["title"] or row["url"],
        updated=rfc3339(row["changed_at"]) or NEVER,
        link=row["url"],
        published=rfc3339(row["published"]),
        summary=f"{row['source']}: {row['snippet']}",
    )


def feed_id(query: str, params: Mapping[str, str]) -> str:
    """A feed's id: the same query and parameters are the same feed, on any host or port."""
    wanted = sorted((k, v) for k, v in params.items() if k != "limit" and v)
    return f"urn:newswatch:{query}" + (f"?{urlencode(wanted)}" if wanted else "")


def feed_title(query: str, params: Mapping[str, str]) -> str:
    if query == "search":
        return f"newswatch: search “{params.get('q', '')}”"
    watch = params.get("watch")
    return f"newswatch: alerts for {watch}" if watch else "newswatch: alerts"


def feed(*, feed_id: str, title: str, entries: Iterable[Entry], self_link: str | None) -> bytes:
    """An Atom 1.0 document. Its `updated` is its newest entry's (a reader's "new" is
    exact), or the epoch for a feed with no entries yet."""
    entries = list(entries)
    root = ET.Element(f"{{{ATOM}}}feed")
    _text(root, "id", feed_id)
    _text(root, "title", title)
    _text(root, "updated", max((e.updated for e in entries), default=NEVER))
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", "newswatch")
    generator = _text(root, "generator", "newswatch")
    generator.set("uri", "https://github.com/newswatch/newswatch")
    if self_link and web_link(self_link):
        ET.SubElement(root, f"{{{ATOM}}}link", rel="self", href=self_link)
    for item in entries:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        _text(entry, "id", item.id)
        _text(entry, "title", item.title)
        _text(entry, "updated", item.updated)
        if item.published:
            _text(entry, "published", item.published)
        if item.link and web_link(item.link):
            ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=item.link)
        for term in item.categories:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=term)
        if item.summary:
            _text(entry, "summary", item.summary).set("type", "text")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def rfc3339(value: str | None) -> str | None:
    """An ISO date or time, as Atom wants it (UTC, with its zone); None if it is none."""
    moment = as_utc(value)
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = _xml_safe(text)
    return element


def _xml_safe(text: str) -> str:
    """XML 1.0 has no place for most control characters: a crawled title may hold them."""
    return _NOT_XML.sub("", text)


def web_link(url: str | None) -> str | None:
    """`url` when a browser or reader may follow it (http or https), else None: a crawled
    page's URL is never a javascript: link in our feeds or pages."""
    return url if url and url.lower().startswith(("http://", "https://")) else None
