"""Article extraction: from a page's bytes to its main text and metadata.

Pure functions: no network, no clock unless given, no Scrapy. The crawl runs
them in a process pool (`pipelines.extract_pipeline`); tests and benchmarks
call `extract_article` directly. What the page says about itself is read by
`pipelines.pagemeta`; whether it is an article at all is `pipelines.pagetype`'s
call, made on the main text trafilatura finds; what is not the article is removed
by `pipelines.cleanup`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta

import lxml.html
import trafilatura
from charset_normalizer import from_bytes
from htmldate import find_date
from lxml import etree
from trafilatura.settings import Extractor
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt
from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    to_unicode,
)

from config import ExtractSettings
from crawler.urls import canonical_url
from pipelines.cleanup import (
    consent_wall,
    prune_body,
    strip_boilerplate,
    unwrap_layout_tables,
    without_hidden,
)
from pipelines.dates import parse_date
from pipelines.neardup import signature
from pipelines.pagemeta import page_meta
from pipelines.pagetype import MainText, verdict
from pipelines.textnorm import normalise_text, printable, text_hash, word_count

# Read by page_meta and htmldate, then never part of an article's text.
_NEVER_TEXT = ("head", "script", "style", "svg", "noscript")
# Elements that hold a line of text.
_TEXT_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "blockquote", "dd", "dt")
# List markers and table bars that start a line of trafilatura's text.
_LINE_MARK = re.compile(r"^\s*(?:[-*•]|\d+[.)]|\|)\s+")
_FUTURE_TOLERANCE = timedelta(days=1)
_HTML_TYPES = re.compile(r"html|xml", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")
# trafilatura's parser options, with libxml2's deeper limit: past 256 levels (an article
# inside 300 nested <div>s) its default drops the rest of the page. huge_tree allows 2,048
# levels; the page itself is bounded by the crawl's max_page_size.
_PARSER = lxml.html.HTMLParser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
    huge_tree=True,
)
_RESOURCE_LIMIT = etree.ErrorTypes.ERR_RESOURCE_LIMIT
# lxml refuses a str that declares its encoding (moot once decoded), and before <html> the
# declaration makes it take the page for a fragment.
_XML_DECLARATION = re.compile(r"\s*<\?xml\b[^>]*>")
# trafilatura's fast mode skips its fallback extractors; when its text is this much
# shorter than the page's prose (or shorter than a brief), the full mode runs too.
_FAST_ENOUGH = 0.6
_FAST_MIN_CHARS = 500
# A fast text this long is an article already: the full mode's fallbacks (readability,
# justext), which prefer the longest text, would add the next story of an endless page or
# a column of teasers to it. On Fundus's and Readability's 380 pages it changed three fast
# texts longer than this, all for the worse; none it improved was over 1,100 characters.
_FAST_LONG = 2000
# trafilatura's extraction: the main text only (its metadata is page_meta's), links kept.
_FAST, _FULL = (
    Extractor(output_format="python", fast=fast, comments=False, links=True, with_metadata=False)
    for fast in (True, False)
)


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


def extract_article(
    html: bytes | str,
    url: str,
    *,
    content_type: str | None = None,
    min_words: int = ExtractSettings.min_words,
    now: datetime | None = None,
    presented_by: str | None = None,
) -> Article | None:
    """The article in `html` fetched from `url`, or None when the page is not an article."""
    result = examine_page(
        html,
        url,
        content_type=content_type,
        min_words=min_words,
        now=now,
        presented_by=presented_by,
    )
    return result if isinstance(result, Article) else None


def examine_page(
    html: bytes | str,
    url: str,
    *,
    content_type: str | None = None,
    min_words: int = ExtractSettings.min_words,
    now: datetime | None = None,
    presented_by: str | None = None,
) -> Article | Skipped:
    """Extract the article from a page, or say why the page is not one.

    `presented_by` is where the crawl found the URL: "feed" or "sitemap" (presumed an
    article), "front" (a link on a section page), or None (unknown).
    """
    if content_type and not _HTML_TYPES.search(content_type):
        return Skipped("not_html", content_type.split(";")[0].strip())
    text = decode_html(html, content_type) if isinstance(html, bytes) else html
    if not text.strip():
        return Skipped("empty_page")
    if _looks_binary(text):
        return Skipped("not_html", "binary content")
    try:
        # Control characters (one can make lxml drop the body) and terminal escape
        # sequences are not text; a lone carriage return is a line break.
        tree, cut_short = parse_html(printable(text.replace("\r", "\n")))
    except (etree.ParserError, ValueError) as exc:
        return Skipped("unparseable", str(exc))
    if tree is None:
        return Skipped("unparseable", "not an HTML document")
    meta = page_meta(tree, url)
    page_url = meta.canonical or canonical_url(url)
    login_form = tree.find(".//input[@type='password']") is not None
    unwrap_layout_tables(tree)
    prose = strip_boilerplate(tree)
    published, published_from = meta.published, meta.published_from
    if published is None:
        # No structured date: htmldate reads the page (what trafilatura's metadata pass
        # would run; the rest of that pass is `page_meta`'s, for a fifth of the cost).
        published = parse_date(find_date(tree, extensive_search=False, original_date=True))
        published_from = "page_text" if published else None
    # trafilatura drops these as well, but only after copying the whole tree twice:
    # dropping them first makes the copies smaller.
    etree.strip_elements(tree, *_NEVER_TEXT, with_tail=False)
    # On a tree cut short at 2,048 levels, trafilatura's fallbacks would take seconds
    # (jusText's cost is depth times blocks).
    main = main_text(tree, page_url, prose.total, fallbacks=not cut_short)
    if main is None:
        return Skipped("no_main_text", meta.declared.by, page_url)
    density = link_density(main)
    article_body = copy.deepcopy(main)  # pruned once the page is judged an article
    etree.strip_tags(main, "ref")
    body = without_headline(xmltotxt(main, False).strip(), meta.headline)
    if not body:
        return Skipped("no_main_text", meta.declared.by, page_url)
    if not meta.declared.certain:
        # trafilatura drops links it judges boilerplate (a front's headlines among them):
        # the region of the page its text came from says what it left out.
        density = max(density, region_link_density(tree, body))
    consent = consent_wall(tree, prose.article_container())
    words = word_count(body)
    skip = verdict(
        meta.declared,
        MainText(words, density, prose.total, login_form, consent),
        presented_by=presented_by,
        min_words=min_words,
    )
    if skip is not None:
        return Skipped(*skip, page_url)
    # What page it is was judged on all trafilatura found; the article is its text less
    # the related-story lists and the page's lines at either end.
    prune_body(article_body, page_url)
    etree.strip_tags(article_body, "ref")
    pruned = without_headline(xmltotxt(article_body, False).strip(), meta.headline)
    if pruned:
        body, words = pruned, word_count(pruned)
    published = not_in_future(published, now)
    if published is None:
        published_from = None
    normalised = normalise_text(body)
    return Article(
        url=page_url,
        text=body,
        title=meta.title,
        authors=tuple(meta.author.split("; ")) if meta.author else (),
        published=published,
        published_from=published_from,
        language=meta.language or detect_language(body),
        description=meta.description,
        site_name=meta.site_name,
        word_count=words,
        text_hash=text_hash(body, normalised=normalised),
        minhash=signature(body, normalised=normalised),
    )


def with_text(article: Article, text: str) -> Article:
    """The article with another text (its source's boilerplate taken out), and the
    figures that follow from the text."""
    normalised = normalise_text(text)
    return replace(
        article,
        text=text,
        word_count=word_count(text),
        text_hash=text_hash(text, normalised=normalised),
        minhash=signature(text, normalised=normalised),
    )


def main_text(
    tree: lxml.html.HtmlElement, url: str, prose: int, *, fallbacks: bool = True
) -> etree._Element | None:
    """trafilatura's main content of the page, as its XML body (links kept as <ref>).

    Its fast mode first; the full mode, with its fallback extractors, when the fast
    text falls well short of the `prose` characters the page holds (measured on real
    pages: the full mode's text, in about a fifth of the time it would cost on every page)
    and is shorter than an article, unless `fallbacks` is False. The full mode reads the
    page without its hidden elements: its fallbacks, unlike trafilatura's own extractor,
    would keep them.
    """
    doc = trafilatura.bare_extraction(tree, options=_options(_FAST, url))
    found = len(doc.text or "") if doc is not None else 0
    if fallbacks and found < min(max(_FAST_ENOUGH * prose, _FAST_MIN_CHARS), _FAST_LONG):
        doc = trafilatura.bare_extraction(without_hidden(tree), options=_options(_FULL, url))
    if doc is None or doc.body is None or not (doc.text or "").strip():
        return None
    return doc.body


def _options(base: Extractor, url: str) -> Extractor:
    """trafilatura's options for one page: made once (reading its configuration on every
    call costs a twentieth of the extraction), with the page's address."""
    options = copy.copy(base)
    options.url = options.source = url
    return options


def link_density(body: etree._Element) -> float:
    """The share of the main text's characters that are link text."""
    total = len("".join(body.itertext()))
    linked = sum(len("".join(ref.itertext())) for ref in body.iter("ref"))
    return linked / total if total else 0.0


def region_link_density(tree: lxml.html.HtmlElement, text: str) -> float:
    """The share of link text in the page region the main text came from: the deepest
    element holding most (80%) of the blocks whose text starts a line of `text`."""
    starts = {_start(line) for line in text.split("\n")}
    starts.discard("")
    held: dict[lxml.html.HtmlElement, int] = {}
    total = 0
    for block in tree.iter(*_TEXT_BLOCKS):
        content = block.text_content()
        if _start(content) in starts:
            total += len(content)
            for node in (block, *block.iterancestors()):
                held[node] = held.get(node, 0) + len(content)
    regions = [node for node, chars in held.items() if chars >= 0.8 * total]
    if not total or not regions:
        return 0.0
    region = max(regions, key=lambda node: sum(1 for _ in node.iterancestors()))
    chars = len(" ".join(region.text_content().split()))
    linked = sum(len(" ".join(a.text_content().split())) for a in region.iter("a"))
    return linked / chars if chars else 0.0


def _start(text: str) -> str:
    """A block's first words, as a key to find it again (short blocks give none); a text
    line's list marker or table bar is not part of its block."""
    words = " ".join(_LINE_MARK.sub("", text).split())[:40].casefold()
    return words if len(words) >= 15 else ""


def without_headline(text: str, headline: str | None) -> str:
    """The text without the article's headline as its first line (a copy whose <h1> sits
    in the body would otherwise differ from its original by that line)."""
    first, _, rest = text.partition("\n")
    if headline and normalise_text(first) == normalise_text(headline):
        return rest.strip()
    return text


def parse_html(text: str) -> tuple[lxml.html.HtmlElement | None, bool]:
    """The page's tree, parsed as trafilatura parses it (comments and processing
    instructions dropped) but as deep as libxml2 goes, and whether libxml2 stopped at one
    of its limits before the end; trafilatura's own loader, which repairs broken
    documents first, when lxml refuses the text."""
    declaration = _XML_DECLARATION.match(text)
    if declaration:
        text = text[declaration.end() :]
    try:
        tree = lxml.html.fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return load_html(text), False
    return tree, any(e.type == _RESOURCE_LIMIT for e in _PARSER.error_log)


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a page: a BOM first; then UTF-8 whenever the bytes are valid UTF-8 (pages
    that declare a legacy charset but are UTF-8 are common, and valid UTF-8 is almost
    never an accident); then the HTTP charset, the <meta> declaration, or detection,
    passing over a declaration of UTF-8 (the bytes have just shown it wrong)."""
    if body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return html_to_unicode(content_type, body)[1]
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Obeyed, a wrong UTF-8 declaration would turn every non-ASCII byte into U+FFFD (a
    # windows-1251 page served as utf-8 would be skipped as binary).
    declared = (http_content_type_encoding(content_type), html_body_declared_encoding(body))
    encoding = next((e for e in declared if e and e != "utf-8"), None)
    return to_unicode(body, encoding or _detect_encoding(body) or "cp1252")


def _detect_encoding(body: bytes) -> str | None:
    best = from_bytes(body[:65536]).best()
    return best.encoding if best else None


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


def detect_language(text: str) -> str | None:
    import py3langid

    code, _ = py3langid.classify(text[:5000])
    return code or None


def _looks_binary(text: str) -> bool:
    """Control characters or undecodable bytes in quantity: a PDF, an image, not a page."""
    head = text[:4096]
    return len(_CONTROL.findall(head)) > 0.02 * len(head)
