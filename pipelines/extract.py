"""Article extraction: from a page's bytes to its main text and metadata.

Pure functions: no network, no clock unless given, no Scrapy. The crawl runs
them in a process pool (`pipelines.extract_pipeline`); tests and benchmarks
call `extract_article` directly.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import lxml.html
import trafilatura
from charset_normalizer import from_bytes
from htmldate import find_date
from lxml import etree
from w3lib.encoding import html_to_unicode

from crawler.urls import canonical_url, same_site
from pipelines.dates import is_article, parse_date, structured_date
from pipelines.neardup import signature
from pipelines.textnorm import normalise_text, text_hash, word_count

# Containers whose class or id names boilerplate: removed before trafilatura runs,
# because it keeps some of them (captions, standfirst-like teasers, bylines).
_BOILERPLATE = re.compile(
    r"(?:^|[-_\s])(?:"
    r"related|teasers?|recommend\w*|more-from|most-read|most-popular|popular|trending|"
    r"newsletter|subscri\w*|paywall|promo\w*|advert\w*|ads?|ad-slot|sponsor\w*|"
    r"share\w*|social|comments?|byline|author-?(?:bio|box|info|name)?|caption|credit|"
    r"cookie\w*|consent|gdpr|breadcrumbs?|tags?|topics?|follow-?topics?|alert-?icon|"
    r"sidebar|footer|masthead|nav\w*|menu|widget|outbrain|taboola"
    r")(?:$|[-_\s])",
    re.IGNORECASE,
)
# Read by page_meta and htmldate, then never part of an article's text.
_NEVER_TEXT = ("head", "script", "style", "svg", "noscript")
_DROP_TAGS = ("figure", "figcaption", "aside", "nav", "footer", "form", "noscript", "iframe")
# Structured-data types that describe a listing rather than one article.
_LISTING_TYPES = {"CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage", "WebSite"}
_FUTURE_TOLERANCE = timedelta(days=1)
_HTML_TYPES = re.compile(r"html|xml", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")


@dataclass(frozen=True)
class Article:
    """The main text of a news article and what is known about it."""

    url: str
    text: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    published_from: str | None = None
    language: str | None = None
    description: str | None = None
    site_name: str | None = None
    word_count: int = 0
    text_hash: str = ""
    minhash: bytes = b""  # the near-duplicate signature (pipelines.neardup)

    def as_row(self) -> dict:
        row = asdict(self)
        row["authors"] = list(self.authors)
        return row


@dataclass(frozen=True)
class Skipped:
    """A page that is not an article, and why."""

    reason: str
    detail: str = ""
    url: str | None = None


@dataclass(frozen=True)
class PageMeta:
    """What the page says about itself before extraction."""

    canonical: str | None = None
    language: str | None = None
    published: str | None = None
    published_from: str | None = None
    listing: bool = False
    types: tuple[str, ...] = field(default_factory=tuple)
    title: str | None = None
    author: str | None = None
    site_name: str | None = None
    description: str | None = None


def extract_article(
    html: bytes | str,
    url: str,
    *,
    content_type: str | None = None,
    min_words: int = 80,
    now: datetime | None = None,
) -> Article | None:
    """The article in `html` fetched from `url`, or None when the page is not an article."""
    result = examine_page(html, url, content_type=content_type, min_words=min_words, now=now)
    return result if isinstance(result, Article) else None


def examine_page(
    html: bytes | str,
    url: str,
    *,
    content_type: str | None = None,
    min_words: int = 80,
    now: datetime | None = None,
) -> Article | Skipped:
    """Extract the article from a page, or say why the page is not one."""
    if content_type and not _HTML_TYPES.search(content_type):
        return Skipped("not_html", content_type.split(";")[0].strip())
    text = decode_html(html, content_type) if isinstance(html, bytes) else html
    if not text.strip():
        return Skipped("empty_page")
    if _looks_binary(text):
        return Skipped("not_html", "binary content")
    try:
        tree = lxml.html.fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        return Skipped("unparseable", str(exc))
    meta = page_meta(tree, url)
    page_url = meta.canonical or canonical_url(url)
    if meta.listing:
        return Skipped("listing_page", ", ".join(meta.types) or "link-heavy page", page_url)
    strip_boilerplate(tree)
    published, published_from = meta.published, meta.published_from
    if published is None:
        # No structured date: htmldate reads the page (what trafilatura's metadata pass
        # would run; the rest of that pass is `page_meta`'s, for a fifth of the cost).
        published = parse_date(find_date(tree, extensive_search=False, original_date=True))
        published_from = "page_text" if published else None
    # trafilatura drops these as well, but only after copying the whole tree twice:
    # dropping them first makes the copies smaller (4.3 -> 3.9 ms a page, same texts).
    etree.strip_elements(tree, *_NEVER_TEXT, with_tail=False)
    doc = trafilatura.bare_extraction(
        tree,
        url=page_url,
        favor_precision=True,
        fast=True,
        include_comments=False,
        include_tables=False,
        with_metadata=False,
    )
    if doc is None or not (doc.text or "").strip():
        return Skipped("no_main_text", "", page_url)
    body = doc.text.strip()
    words = word_count(body)
    if words < min_words:
        return Skipped("too_short", f"{words} words, fewer than {min_words}", page_url)
    published = not_in_future(published, now)
    if published is None:
        published_from = None
    normalised = normalise_text(body)
    return Article(
        url=page_url,
        text=body,
        title=meta.title,
        authors=split_authors(meta.author),
        published=published,
        published_from=published_from,
        language=meta.language or detect_language(body),
        description=meta.description,
        site_name=meta.site_name,
        word_count=words,
        text_hash=text_hash(body, normalised=normalised),
        minhash=signature(body, normalised=normalised),
    )


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a page by its BOM, HTTP charset, or <meta> declaration; detect it otherwise."""
    _, text = html_to_unicode(content_type, body, auto_detect_fun=_detect_encoding)
    return text


def _detect_encoding(body: bytes) -> str | None:
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        best = from_bytes(body[:65536]).best()
        return best.encoding if best else None


def page_meta(tree: lxml.html.HtmlElement, url: str) -> PageMeta:
    """Canonical URL, declared language, structured date and page type, from the <head>."""
    head = _head(tree)
    canonical = None
    for href in head.canonicals:
        candidate = canonical_url(_absolute(href, url))
        # Only a page of the same site may claim to be the original (a syndicated
        # copy pointing elsewhere stays at its own URL and is matched by its text).
        if candidate.startswith(("http://", "https://")) and same_site(candidate, url):
            canonical = candidate
            break
    metas = head.metas
    lang = tree.get("lang") or head.content_language or metas.get("og:locale")
    ld_objects = list(_json_ld(head.json_ld))
    types = tuple(t for obj in ld_objects for t in _types(obj))
    published, published_from = structured_date(tree, ld_objects, metas)
    og_type = metas.get("og:type", "").lower()
    is_article_type = any(is_article({"@type": t}) for t in types)
    listing = not is_article_type and (any(t in _LISTING_TYPES for t in types) or _link_heavy(tree))
    return PageMeta(
        canonical=canonical,
        language=_language_code(lang),
        published=published,
        published_from=published_from,
        listing=listing,
        types=types or ((f"og:type={og_type}",) if og_type else ()),
        **_described(tree, url, ld_objects, metas),
    )


@dataclass
class _Head:
    metas: dict[str, str] = field(default_factory=dict)  # by lower-cased property/name/itemprop
    canonicals: list[str] = field(default_factory=list)  # <link rel=canonical>, og:url
    content_language: str | None = None
    json_ld: list[str] = field(default_factory=list)


def _head(tree: lxml.html.HtmlElement) -> _Head:
    """The page's <meta>, canonical links and JSON-LD, in one walk over the tree (each
    XPath query walks it again: four of them cost more than the rest of this step)."""
    head = _Head()
    for element in tree.iter("meta", "link", "script"):
        if element.tag == "meta":
            key = (
                (element.get("property") or element.get("name") or element.get("itemprop") or "")
                .strip()
                .lower()
            )
            content = (element.get("content") or "").strip()
            if not content:
                continue
            if key:
                head.metas.setdefault(key, content)
                if key == "og:url":
                    head.canonicals.append(content)
            elif (element.get("http-equiv") or "").lower() == "content-language":
                head.content_language = head.content_language or content
        elif element.tag == "link":
            href = (element.get("href") or "").strip()
            if href and (element.get("rel") or "").strip().lower() == "canonical":
                head.canonicals.append(href)
        elif element.get("type") == "application/ld+json" and element.text:
            head.json_ld.append(element.text)
    return head


def _described(
    tree: lxml.html.HtmlElement, url: str, ld_objects: list[dict], metas: dict[str, str]
) -> dict:
    """Title, author, site name and description, as the page declares them (the order of
    preference is trafilatura's: these used to come from its metadata pass)."""
    ld = next((o for o in ld_objects if is_article(o)), {})
    headline = ld.get("headline") if isinstance(ld.get("headline"), str) else None
    title = metas.get("og:title") or metas.get("twitter:title") or headline
    for tag in ("h1", "title"):
        element = None if title else tree.find(f".//{tag}")
        title = title or (element.text_content() if element is not None else None)
    author = "; ".join(_names(ld.get("author"))) or next(
        (metas[k] for k in ("author", "article:author", "byl") if metas.get(k)), None
    )
    if author and author.startswith(("http://", "https://")):
        author = None  # a profile page, not a name
    site_name = (
        metas.get("og:site_name")
        or next(iter(_names(ld.get("publisher"))), None)
        or metas.get("application-name")
        or urlsplit(url).netloc
    )
    description = (
        metas.get("description") or metas.get("og:description") or metas.get("twitter:description")
    )
    return {
        "title": _clean(title),
        "author": _clean(author),
        "site_name": _clean(site_name),
        "description": _clean(description),
    }


def _names(value: object) -> list[str]:
    """Person or organisation names from a JSON-LD value (a string, an object, a list)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def strip_boilerplate(tree: lxml.html.HtmlElement) -> None:
    """Remove captions, share bars, teasers and the like, keeping the article container."""
    body_chars = len(_paragraph_text(tree)) or 1
    # Walk the tree top-down with a stack (pages can nest deeper than Python recurses),
    # never entering a subtree already removed.
    stack = [tree]
    while stack:
        for element in list(stack.pop()):
            if not isinstance(element.tag, str):
                continue
            if _is_boilerplate(element, body_chars):
                element.drop_tree()
            else:
                stack.append(element)


def _is_boilerplate(element: lxml.html.HtmlElement, body_chars: int) -> bool:
    if element.tag in ("figure", "figcaption"):
        return True
    if element.tag not in _DROP_TAGS:
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if names == " " or not _BOILERPLATE.search(names):
            return False
    # A container holding most of the page's paragraphs is the article, whatever its name.
    return len(_paragraph_text(element)) <= 0.5 * body_chars


def not_in_future(published: str | None, now: datetime | None) -> str | None:
    """`published`, unless it lies in the future (a clock or template error)."""
    if published is None:
        return None
    now = now or datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(published)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return None if moment > now + _FUTURE_TOLERANCE else published


def split_authors(author: str | None) -> tuple[str, ...]:
    if not author:
        return ()
    parts = re.split(r"\s*(?:;|\||,|\band\b|&)\s*", author)
    seen: dict[str, None] = {}
    for part in parts:
        name = re.sub(r"^by\s+", "", part.strip(), flags=re.IGNORECASE)
        if name and len(name) < 80:
            seen.setdefault(name)
    return tuple(seen)


def detect_language(text: str) -> str | None:
    import py3langid

    code, _ = py3langid.classify(text[:5000])
    return code or None


def _language_code(value: str | None) -> str | None:
    if not value:
        return None
    code = re.split(r"[-_]", value.strip())[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def _looks_binary(text: str) -> bool:
    """Control characters or undecodable bytes in quantity: a PDF, an image, not a page."""
    head = text[:4096]
    return len(_CONTROL.findall(head)) > 0.02 * len(head)


def _link_heavy(tree: lxml.html.HtmlElement) -> bool:
    """Most of the visible text sits in links: a section front or a tag page."""
    body = tree.find("body")
    if body is None:
        return False
    paragraphs = [p for p in body.iter("p") if len((p.text_content() or "").split()) >= 25]
    unlinked = sum(
        len(p.text_content()) - sum(len(a.text_content()) for a in p.iter("a")) for p in paragraphs
    )
    linked = sum(len(a.text_content().strip()) for a in body.iter("a"))
    return unlinked < linked


def _paragraph_text(element: lxml.html.HtmlElement) -> str:
    return " ".join(p.text_content() for p in element.iter("p"))


def _json_ld(scripts: list[str]):
    for script in scripts:
        try:
            data = json.loads(script)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                if "@graph" in item:
                    stack.append(item["@graph"])


def _types(obj: dict) -> list[str]:
    value = obj.get("@type")
    return [value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)]


def _absolute(href: str, base: str) -> str:
    from urllib.parse import urljoin

    return urljoin(base, href)


def _clean(value: str | None) -> str | None:
    value = " ".join((value or "").split())
    return value or None
