"""Article extraction: from a page's bytes to its main text and metadata.

Pure functions: no network, no clock unless given, no Scrapy. The crawl runs
them in a process pool (`pipelines.extract_pipeline`); tests and benchmarks
call `extract_article` directly. What the page says about itself is read by
`pipelines.pagemeta`; whether it is an article at all is `pipelines.pagetype`'s
call, made on the main text trafilatura finds.
"""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta

import lxml.html
import trafilatura
from charset_normalizer import from_bytes
from htmldate import find_date
from lxml import etree
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt
from w3lib.encoding import html_to_unicode

from crawler.urls import canonical_url
from pipelines.dates import parse_date
from pipelines.neardup import signature
from pipelines.pagemeta import page_meta
from pipelines.pagetype import MainText, verdict
from pipelines.textnorm import normalise_text, printable, text_hash, word_count

# Class and id words that name boilerplate: such containers are removed before
# trafilatura runs, because it keeps some of them (captions, standfirst-like teasers,
# bylines). Matched as whole words of the names ("share-bar", "ShareBar"), never inside
# one ("shared", "author-sarah"). These name what they hold: removed unless they are
# (or hold) the article's container, or hold half its prose (a long article's second
# part); a comment section holds prose, and is still no article.
_BOILERPLATE = re.compile(
    r"(?:^|[-_\s])(?:"
    r"related|recommend(?:ed|ations?)?|more-?(?:from|stories|news)|read-?more|also-?read|"
    r"see-?also|most-?(?:read|popular)|popular|trending|ranking|weather|adverts?|"
    r"advertisement|advertising|ads?|ad-?slot|sponsored|sponsors?|share|sharing|share-?bar|"
    r"social|comments?|byline|author-?(?:bio|box|info)|caption|credits?|cookies?|consent|gdpr|"
    r"breadcrumbs?|tags|topics|follow-?topics?|alert-?icon|masthead|nav|navigation|menu|"
    r"outbrain|taboola"
    r")(?=$|[-_\s])",
    re.IGNORECASE,
)
# These name where a block sits, or an offer, not what it holds: removed only when they
# hold no prose at all (Politico's article sits in a "sidebar-grid", TimesLive's in
# "article-widget"s, a subscriber's text in a "subscription" wrapper).
_PLACEMENT = re.compile(
    r"(?:^|[-_\s])(?:sidebar|side|rail|widget|footer|teasers?|promos?|promoted|promotion|"
    r"newsletters?|subscribe|subscription|paywall-?offer)(?=$|[-_\s])",
    re.IGNORECASE,
)
# A consent dialog holding a page's only prose: the page is a cookie wall.
_CONSENT = re.compile(r"(?:^|[-_\s])(?:cookies?|consent|gdpr)(?=$|[-_\s])", re.IGNORECASE)
# Elements that make a table cell a layout cell rather than a datum.
_LAYOUT_BLOCKS = ("p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "form")
_CAMEL_CASE = re.compile(r"(?<=[a-z])(?=[A-Z])")
# Read by page_meta and htmldate, then never part of an article's text.
_NEVER_TEXT = ("head", "script", "style", "svg", "noscript")
# Elements that are boilerplate by their tag, unless they hold article prose.
_BOILERPLATE_TAGS = ("aside", "nav", "footer", "figure", "iframe", "form")
# Elements that hold a line of text.
_TEXT_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "blockquote", "dd", "dt")
# A paragraph of at least this many characters, few of them in links, is article prose.
_PROSE_CHARS = 80
# Scripts written without spaces (Han, kana, Thai, Lao, Khmer, Burmese).
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff]")
# An article this long (characters of prose) may be split over several containers.
_LONG_ARTICLE = 1000
# List markers and table bars that start a line of trafilatura's text.
_LINE_MARK = re.compile(r"^\s*(?:[-*•]|\d+[.)]|\|)\s+")
# Containers whose own text (outside child elements) can be article prose.
_TEXT_CONTAINERS = ("div", "td", "section", "article", "main", "blockquote", "li", "dd", "font")
_FUTURE_TOLERANCE = timedelta(days=1)
_HTML_TYPES = re.compile(r"html|xml", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")
# trafilatura's fast mode skips its fallback extractors; when its text is this much
# shorter than the page's prose (or shorter than a brief), the full mode runs too.
_FAST_ENOUGH = 0.6
_FAST_MIN_CHARS = 500


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
    min_words: int = 80,
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
    min_words: int = 80,
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
        tree = load_html(printable(text.replace("\r", "\n")))
    except (etree.ParserError, ValueError) as exc:
        return Skipped("unparseable", str(exc))
    if tree is None:
        return Skipped("unparseable", "not an HTML document")
    meta = page_meta(tree, url)
    page_url = meta.canonical or canonical_url(url)
    login_form = tree.find(".//input[@type='password']") is not None
    unwrap_layout_tables(tree)
    strip_boilerplate(tree)
    prose = ProseMap(tree)
    published, published_from = meta.published, meta.published_from
    if published is None:
        # No structured date: htmldate reads the page (what trafilatura's metadata pass
        # would run; the rest of that pass is `page_meta`'s, for a fifth of the cost).
        published = parse_date(find_date(tree, extensive_search=False, original_date=True))
        published_from = "page_text" if published else None
    # trafilatura drops these as well, but only after copying the whole tree twice:
    # dropping them first makes the copies smaller.
    etree.strip_elements(tree, *_NEVER_TEXT, with_tail=False)
    main = main_text(tree, page_url, prose.total)
    if main is None:
        return Skipped("no_main_text", meta.declared.by, page_url)
    density = link_density(main)
    etree.strip_tags(main, "ref")
    body = without_headline(xmltotxt(main, False).strip(), meta.headline)
    if not body:
        return Skipped("no_main_text", meta.declared.by, page_url)
    if not meta.declared.certain:
        # trafilatura drops links it judges boilerplate (a front's headlines among them):
        # the region of the page its text came from says what it left out.
        density = max(density, region_link_density(tree, body))
    consent = _consent_wall(tree, prose.article_container())
    words = word_count(body)
    skip = verdict(
        meta.declared,
        MainText(words, density, prose.total, login_form, consent),
        presented_by=presented_by,
        min_words=min_words,
    )
    if skip is not None:
        return Skipped(*skip, page_url)
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


def main_text(tree: lxml.html.HtmlElement, url: str, prose: int) -> etree._Element | None:
    """trafilatura's main content of the page, as its XML body (links kept as <ref>).

    Its fast mode first; the full mode, with its fallback extractors, when the fast
    text falls well short of the `prose` characters the page holds (measured on real
    pages: the full mode's text, in about a fifth of the time it would cost on every page).
    """
    for fast in (True, False):
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            fast=fast,
            include_comments=False,
            include_tables=True,
            include_links=True,
            with_metadata=False,
        )
        found = len(doc.text or "") if doc is not None else 0
        if found >= max(_FAST_ENOUGH * prose, _FAST_MIN_CHARS):
            break
    if doc is None or doc.body is None or not (doc.text or "").strip():
        return None
    return doc.body


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


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a page: a BOM first; then UTF-8 whenever the bytes are valid UTF-8 (pages
    that declare a legacy charset but are UTF-8 are common, and valid UTF-8 is almost
    never an accident); then the HTTP charset, the <meta> declaration, or detection."""
    if not body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            pass
    _, text = html_to_unicode(content_type, body, auto_detect_fun=_detect_encoding)
    return text


def _detect_encoding(body: bytes) -> str | None:
    best = from_bytes(body[:65536]).best()
    return best.encoding if best else None


def _consent_wall(tree: lxml.html.HtmlElement, container: lxml.html.HtmlElement | None) -> bool:
    """The page's prose sits in a consent dialog that holds the page's headline too: the
    dialog is the page (a cookie banner over a thin page holds no headline)."""
    if container is None:
        return False
    for node in (container, *container.iterancestors()):
        names = _CAMEL_CASE.sub("-", f"{node.get('class', '')} {node.get('id', '')}")
        if _CONSENT.search(names):
            headline = tree.find(".//h1")
            return headline is not None and node in (headline, *headline.iterancestors())
    return False


def unwrap_layout_tables(tree: lxml.html.HtmlElement) -> None:
    """A table that lays the page out (its cells hold paragraphs, lists, other tables,
    and it holds the page's headline or half its paragraphs) becomes plain blocks:
    trafilatura keeps a table whole, navigation and all. Data tables and infoboxes stay."""
    paragraphs = len(tree.findall(".//p"))
    for table in list(tree.iter("table")):
        cells = table.xpath("./tr/td | ./tr/th | ./*/tr/td | ./*/tr/th")
        if not any(cell.find(f".//{tag}") is not None for cell in cells for tag in _LAYOUT_BLOCKS):
            continue
        holds = table.find(".//h1") is not None or (
            paragraphs and len(table.findall(".//p")) >= paragraphs / 2
        )
        if not holds:
            continue
        for element in (table, *table.xpath("./tr | ./* | ./*/tr")):
            element.tag = "div"
        for cell in cells:
            cell.tag = "div"


def strip_boilerplate(tree: lxml.html.HtmlElement) -> None:
    """Remove captions, share bars, teasers and the like, never the article's prose: the
    container that holds most of it, and the containers around that one, stay whatever
    their names say."""
    prose = ProseMap(tree)
    article = prose.article_container()
    keep = {article, *article.iterancestors()} if article is not None else set()
    article_prose = prose.held(article)
    # Walk the tree top-down with a stack (pages can nest deeper than Python recurses),
    # never entering a subtree already removed.
    stack = [tree]
    while stack:
        for element in list(stack.pop()):
            if not isinstance(element.tag, str):
                continue
            if element not in keep and _is_boilerplate(element, prose, article_prose):
                element.drop_tree()
            else:
                stack.append(element)


def _is_boilerplate(element: lxml.html.HtmlElement, prose: ProseMap, article_prose: int) -> bool:
    if element.tag == "figcaption":
        return True
    if element.tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6"):
        return False  # a paragraph is text, whatever its class says ("paywall" on Wired)
    named = _named(f"{element.get('class', '')} {_id_name(element.get('id'))}")
    if named == _NAMED_BOILERPLATE:
        # Unless it holds half a long article's prose (a second container of its text).
        held = prose.held(element)
        return article_prose < _LONG_ARTICLE or held < 0.5 * article_prose
    if named == _NAMED_PLACEMENT or element.tag in _BOILERPLATE_TAGS:
        # An ASP.NET <form> or an "article-widget" may hold the article's text.
        return not prose.held(element)
    return False


_NAMED_BOILERPLATE, _NAMED_PLACEMENT = 1, 2


def _id_name(value: str | None) -> str:
    """An id that names a block ("comments", "related-posts"), not one made from a
    heading ("sharing-with-a-single-developer", an anchor for a section of the text)."""
    if not value or len(re.split(r"[-_]+", value)) > 3:
        return ""
    return value


@functools.lru_cache(maxsize=4096)
def _named(names: str) -> int:
    """What class and id names say of a block (pages repeat the same names many times)."""
    if not names.strip():
        return 0
    names = _CAMEL_CASE.sub("-", names)
    if _BOILERPLATE.search(names):
        return _NAMED_BOILERPLATE
    return _NAMED_PLACEMENT if _PLACEMENT.search(names) else 0


class ProseMap:
    """The page's blocks of prose, and how much of it each element holds.

    A block of prose is a paragraph of `_PROSE_CHARS` or more, few of them link text; or
    a container whose own text (outside its child elements) is that long, as in
    `<div>text<br>text</div>`.
    """

    def __init__(self, tree: lxml.html.HtmlElement) -> None:
        self.blocks: list[tuple[lxml.html.HtmlElement, int]] = []
        for block in tree.iter("p", *_TEXT_CONTAINERS):
            if block.tag == "p":
                text = block.text_content()
                chars = _weight(text)
                if chars >= _PROSE_CHARS:
                    linked = sum(len(a.text_content()) for a in block.iter("a"))
                    if linked < 0.3 * len(text):
                        self.blocks.append((block, chars))
            else:
                own = [(block.text or "").strip(), *(c.tail or "" for c in block)]
                if sum(map(len, own)) * 3 >= _PROSE_CHARS:  # most containers: no own text
                    chars = _weight("".join(own))
                    if chars >= _PROSE_CHARS:
                        self.blocks.append((block, chars))
        self._held: dict[lxml.html.HtmlElement, int] = {}
        for block, chars in self.blocks:
            for node in (block, *block.iterancestors()):
                self._held[node] = self._held.get(node, 0) + chars

    def held(self, element: lxml.html.HtmlElement | None) -> int:
        """Characters of prose inside `element`."""
        return self._held.get(element, 0) if element is not None else 0

    @property
    def total(self) -> int:
        return sum(chars for _, chars in self.blocks)

    def article_container(self) -> lxml.html.HtmlElement | None:
        """The element that holds most of the prose: each block counts for its parent, and
        half for its grandparent (Readability's scoring, on text length)."""
        scores: dict[lxml.html.HtmlElement, float] = {}
        for block, chars in self.blocks:
            parent = block.getparent()
            if parent is not None:
                scores[parent] = scores.get(parent, 0) + chars
                grandparent = parent.getparent()
                if grandparent is not None:
                    scores[grandparent] = scores.get(grandparent, 0) + chars / 2
        return max(scores, key=scores.__getitem__) if scores else None


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


def _weight(text: str) -> int:
    """Characters of prose, a character of Chinese, Japanese or Thai counting as three:
    each carries about as much as a word of three or four letters elsewhere."""
    if len(text) * 3 < _PROSE_CHARS:
        return len(text)  # too short to be prose in any script
    return len(text) + 2 * len(_UNSPACED.findall(text))


def _looks_binary(text: str) -> bool:
    """Control characters or undecodable bytes in quantity: a PDF, an image, not a page."""
    head = text[:4096]
    return len(_CONTROL.findall(head)) > 0.02 * len(head)
