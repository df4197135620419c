"""Publication dates from a page's own structured data, in a fixed order of trust."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import lxml.html

# <meta> names and properties that carry the publication date, most trusted first.
_META_DATE_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "publish-date",
    "publishdate",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "date",
)


# Dates before this are placeholders (news on the web is younger).
_EARLIEST_YEAR = 1900
# email.utils reads a year under 100 as 19xx or 20xx ("Mon, 01 Jan 0001" as 2001): a year
# written with a leading zero is a placeholder too (not a time, a day or a "+0000" zone).
_ZERO_YEAR = re.compile(r"(?<![\d:+-])0\d{2,3}(?![\d:])")


def parse_date(value: object) -> str | None:
    """ISO 8601 from an ISO or RFC 822 date or a datetime (naive means UTC); None if unreadable."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            if _ZERO_YEAR.search(text):
                return None
            try:
                moment = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                return None
    else:
        return None
    if moment.year < _EARLIEST_YEAR:
        return None  # "0001-01-01", "0000-00-00": a CMS's empty date, not a date
    # The publisher's own offset is kept: it carries the local day of publication.
    if moment.tzinfo is None and moment.hour == moment.minute == moment.second == 0:
        return moment.date().isoformat()
    return moment.replace(tzinfo=moment.tzinfo or UTC).isoformat(timespec="seconds")


def is_article(obj: dict) -> bool:
    """A JSON-LD object describing one article."""
    kinds = obj.get("@type")
    kinds = [kinds] if isinstance(kinds, str) else kinds or []
    return any(
        "Article" in str(k) or k in ("BlogPosting", "LiveBlogPosting", "Report") for k in kinds
    )


def structured_date(
    tree: lxml.html.HtmlElement, ld_objects: Iterable[dict], metas: dict[str, str]
) -> tuple[str | None, str | None]:
    """(date, where it came from): JSON-LD first, then <meta>, then microdata."""
    for obj in ld_objects:
        if is_article(obj):
            date = parse_date(obj.get("datePublished") or obj.get("dateCreated"))
            if date:
                return date, "json_ld"
    for key in _META_DATE_KEYS:
        date = parse_date(metas.get(key))
        if date:
            return date, "meta"
    for element in tree.xpath('//*[@itemprop="datePublished"]'):
        date = parse_date(element.get("datetime") or element.get("content") or element.text)
        if date:
            return date, "microdata"
    return None, None


def earlier(a: str | None, b: str | None) -> bool:
    """True when date `a` is known and strictly before date `b` (also known)."""
    if not a or not b:
        return False
    try:
        first, second = (datetime.fromisoformat(v) for v in (a, b))
    except ValueError:
        return False
    first, second = (d if d.tzinfo else d.replace(tzinfo=UTC) for d in (first, second))
    return first < second
