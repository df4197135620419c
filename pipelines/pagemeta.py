"""What a page says about itself: canonical URL, language, date, title, authors, and what
kind of page it declares to be. Pure functions over a parsed tree.

A page's structured data describes many things: the site (`WebSite`, `Organization`),
its navigation (`BreadcrumbList`), images. Only the page's own node says what the page
is: the node whose URL is the page's, or that is the `mainEntityOfPage`; failing that,
an article node anywhere on the page; failing that, `og:type`.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import extract_author

from crawler.urls import canonical_url, same_site
from pipelines.dates import is_article, structured_date

# Nodes that describe the page as one of many: its own node of these types (or, with no
# own node and no article node, any of them) declares a listing.
LISTING_TYPES = {"CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage"}
# What separates a title from its section and site: "Headline | Site", "Headline - Site".
_SEPARATOR = re.compile(r"\s*(?:[|\-–—:·»/]|::)\s")
# A byline names a few people (at most 9 on Fundus's 258 pages); a longer one is cut after
# its last whole name within this length: trafilatura's normalize_authors compares every
# name with every other, and a hostile page lists thousands (3 s for 5,000).
_BYLINE_CHARS = 1000
_LAST_NAME_ON = re.compile(r"[;,][^;,]*\Z")
# Nodes whose page is a gallery or a video rather than a story told in text.
MEDIA_TYPES = {"ImageGallery", "MediaGallery", "VideoGallery", "VideoObject"}


@dataclass(frozen=True)
class Declared:
    """What the page declares itself to be (`article`, `listing`, `media`, `website`, or
    None) and by which node or tag ("json_ld NewsArticle", "og:type=article")."""

    kind: str | None = None
    by: str = ""
    free: bool = True  # False when the article node says isAccessibleForFree: false

    @property
    def certain(self) -> bool:
        """An article node in the structured data says so. og:type=article alone is not
        certain: some sites put it on every page, fronts and tag pages included."""
        return self.kind == "article" and self.by.startswith("json_ld")


@dataclass(frozen=True)
class PageMeta:
    """What the page says about itself before extraction."""

    canonical: str | None = None
    language: str | None = None
    published: str | None = None
    published_from: str | None = None
    declared: Declared = field(default_factory=Declared)
    title: str | None = None
    headline: str | None = None  # the article's own headline (JSON-LD, og:title, <h1>)
    author: str | None = None
    site_name: str | None = None
    description: str | None = None


def page_meta(tree: lxml.html.HtmlElement, url: str) -> PageMeta:
    """Canonical URL, declared language, kind and date, title and authors, from the page."""
    head = _head(tree)
    canonical = None
    for href in head.canonicals:
        try:
            candidate = canonical_url(urljoin(url, href))
        except ValueError:
            continue  # "http://[::1/broken": no page of this site
        # Only a page of the same site may claim to be the original (a syndicated
        # copy pointing elsewhere stays at its own URL and is matched by its text).
        if candidate.startswith(("http://", "https://")) and same_site(candidate, url):
            canonical = candidate
            break
    metas = head.metas
    lang = tree.get("lang") or head.content_language or metas.get("og:locale")
    ld_objects = list(_json_ld(head.json_ld))
    published, published_from = structured_date(tree, ld_objects, metas)
    own_urls = {canonical_url(url), *([canonical] if canonical else [])}
    return PageMeta(
        canonical=canonical,
        language=_language_code(lang),
        published=published,
        published_from=published_from,
        declared=declared(ld_objects, metas.get("og:type", "").strip().lower(), own_urls),
        **_described(tree, url, ld_objects, metas),
    )


def declared(ld_objects: list[dict], og_type: str, own_urls: set[str]) -> Declared:
    """What the page's own node, or failing it its article node or og:type, says it is."""
    own = [o for o in ld_objects if _is_own(o, own_urls)]
    for candidates in (own, ld_objects):
        for obj in candidates:
            main = obj.get("mainEntity")
            for node in (obj, main) if isinstance(main, dict) else (obj,):
                if is_article(node):
                    free = node.get("isAccessibleForFree", obj.get("isAccessibleForFree"))
                    return Declared("article", f"json_ld {_type_name(node)}", free=_free(free))
        kinds = {t for obj in candidates for t in _types(obj)}
        for kind, types in (("media", MEDIA_TYPES), ("listing", LISTING_TYPES)):
            if candidates is own and kinds & types:
                return Declared(kind, f"json_ld {sorted(kinds & types)[0]}")
    if og_type.startswith("article"):
        return Declared("article", f"og:type={og_type}")
    kinds = {t for obj in ld_objects for t in _types(obj)}
    if kinds & LISTING_TYPES:
        return Declared("listing", f"json_ld {sorted(kinds & LISTING_TYPES)[0]}")
    if og_type in ("video", "video.other", "video.episode"):
        return Declared("media", f"og:type={og_type}")
    if og_type in ("website", "profile"):
        # A page of the site (a front, a tag or author page) unless its text says otherwise.
        return Declared("website", f"og:type={og_type}")
    return Declared(None, f"og:type={og_type}" if og_type else "")


def _is_own(obj: dict, own_urls: set[str]) -> bool:
    """The node is the page's: its URL or id is the page's, or it names the page as the
    entity it is the main subject of."""
    refs = [obj.get("url"), obj.get("@id"), obj.get("mainEntityOfPage")]
    for ref in refs:
        if isinstance(ref, dict):
            ref = ref.get("@id") or ref.get("url")
        if isinstance(ref, str) and ref.startswith(("http://", "https://")):
            with contextlib.suppress(ValueError):
                if canonical_url(ref.split("#")[0]) in own_urls:
                    return True
    return False


def _free(value: object) -> bool:
    return not (value is False or str(value).strip().lower() == "false")


def _type_name(obj: dict) -> str:
    return next(iter(_types(obj)), "Article")


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
    """Title, headline, author, site name and description, as the page declares them."""
    ld = next((o for o in ld_objects if is_article(o)), {})
    ld_headline = ld.get("headline") if isinstance(ld.get("headline"), str) else None
    h1 = tree.find(".//h1")
    h1_text = h1.text_content() if h1 is not None else None
    title = metas.get("og:title") or metas.get("twitter:title") or ld_headline or h1_text
    if not title:
        element = tree.find(".//title")
        title = element.text_content() if element is not None else None
    title = _headline_only(_clean(title), _clean(h1_text) or _clean(ld_headline))
    author = "; ".join(_people(ld.get("author"))) or next(
        (metas[k] for k in ("author", "article:author", "byl") if metas.get(k)), None
    )
    if author and len(author) > _BYLINE_CHARS:
        author = _LAST_NAME_ON.sub("", author[:_BYLINE_CHARS])
    author = normalize_authors(None, author) if author else None  # no URLs, e-mails, "By"
    if not author:
        # A byline in the page itself (rel=author, itemprop=author, an author class).
        author = extract_author(tree)
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
        "headline": _clean(h1_text or ld_headline or title),
        "author": _clean(author),
        "site_name": _clean(site_name),
        "description": _clean(description),
    }


def _headline_only(title: str | None, headline: str | None) -> str | None:
    """The headline, not "Headline - Section | Site": a title that starts with the page's
    own headline and goes on after a separator is cut there."""
    if not title or not headline or len(headline) >= len(title):
        return title
    if title.casefold().startswith(headline.casefold()) and _SEPARATOR.match(
        title[len(headline) :]
    ):
        return headline
    return title


def _people(value: object) -> list[str]:
    """The names of a JSON-LD author value, people first: the publisher named as the
    author is a fallback, not a byline."""
    nodes = value if isinstance(value, list) else [value]
    people = [n for n in nodes if not (isinstance(n, dict) and "Organization" in _types(n))]
    return _names(people or nodes)


def _names(value: object, depth: int = 3) -> list[str]:
    """Person or organisation names from a JSON-LD value (a string, an object, a list),
    nested at most `depth` levels: a list of objects whose name is a list. Deeper values
    name no one (a hostile page nests them past Python's recursion limit)."""
    if isinstance(value, str):
        return [value]
    if depth == 0:
        return []
    if isinstance(value, dict):
        return _names(value.get("name"), depth - 1)
    if isinstance(value, list):
        return [name for item in value for name in _names(item, depth - 1)]
    return []


def _json_ld(scripts: list[str]) -> Iterator[dict]:
    for script in scripts:
        try:
            data = json.loads(script)
        except (ValueError, RecursionError):
            continue  # not JSON, or nested deeper than the parser goes: no data to read
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


def _language_code(value: str | None) -> str | None:
    if not value:
        return None
    code = re.split(r"[-_]", value.strip())[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def _clean(value: str | None) -> str | None:
    value = " ".join((value or "").split())
    return value or None
