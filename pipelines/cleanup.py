"""What is not the article: the page's boilerplate, removed before trafilatura runs, and
the page around the article, trimmed from trafilatura's text after it. Pure functions
over lxml trees.

Before: containers whose class or id names boilerplate (captions, share bars, teasers,
comment sections), never the container that holds most of the article's prose nor those
around it; layout tables read as blocks. After: related-story lists, and the bylines,
datelines and link lines at either end of the text.
"""

from __future__ import annotations

import copy
import functools
import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from crawler.urls import same_site
from pipelines.textnorm import UNSPACED, word_count

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
    r"outbrain|taboola|"
    # embedded social posts (their text is a quote of another site, with its byline)
    r"twitter-tweet|instagram-media|tiktok-embed|bluesky-embed|reddit-embed|fb-post"
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
# Elements that are boilerplate by their tag, unless they hold article prose.
_BOILERPLATE_TAGS = ("aside", "nav", "footer", "figure", "iframe", "form")
# A paragraph of at least this many characters, few of them in links, is article prose.
_PROSE_CHARS = 80
# An article this long (characters of prose) may be split over several containers.
_LONG_ARTICLE = 1000
# Containers whose own text (outside child elements) can be article prose.
_TEXT_CONTAINERS = ("div", "td", "font")
# Inline styles that hide an element from readers.
_HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important\s*)?(?:;|$)",
    re.IGNORECASE,
)
# A list item this much link text to other pages of the site is a teaser (related stories).
_LINKED_ITEM = 0.7
# At either end of the text, a block this much link text, or a line of fewer words that
# ends no sentence, is the page around the article (byline, dateline, "Advertisement",
# "MORE: ...", "Follow us on ..."), not the article.
_LINKED_EDGE = 0.7
_EDGE_WORDS = 8
_EDGE_BLOCKS = ("p", "head", "list", "item", "quote")
_NOT_PAGES = ("mailto:", "tel:", "javascript:")
_SENTENCE_END = re.compile(r"[.!?…。！？।॥؟۔\"'”’»)]\s*$")


def without_hidden(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A copy of the page without the elements it hides (a `hidden` attribute, an inline
    display:none or visibility:hidden)."""
    tree = copy.deepcopy(tree)
    hidden = [
        element
        for element in tree.iter()
        if isinstance(element.tag, str)
        and element.tag not in ("html", "body")
        and (element.get("hidden") is not None or _HIDDEN_STYLE.search(element.get("style") or ""))
    ]
    for element in hidden:
        if element.getparent() is not None:
            element.drop_tree()
    return tree


def prune_body(body: etree._Element, url: str) -> None:
    """Drop from trafilatura's body what reads as the page around the article: list items
    mostly linking to other pages of the site (related stories), then, at either end of
    the text, blocks mostly of links or short lines that end no sentence."""
    for item in list(body.iter("item")):
        text = _block_text(item)
        if text and _linked_within_site(item, url) >= _LINKED_ITEM * len(text):
            _drop(item)
    for listing in list(body.iter("list")):
        if not _block_text(listing):
            _drop(listing)
    for from_end in (True, False):
        blocks = [block for block in body if isinstance(block.tag, str)]
        for block in reversed(blocks) if from_end else blocks:
            text = _block_text(block)
            if block.tag in _EDGE_BLOCKS and (not text or _weak_edge(block, text)):
                _drop(block)
            elif text:
                break


def _block_text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _weak_edge(block: etree._Element, text: str) -> bool:
    linked = sum(len(_block_text(ref)) for ref in block.iter("ref"))
    if linked >= _LINKED_EDGE * len(text):
        return True
    return word_count(text) < _EDGE_WORDS and not _SENTENCE_END.search(text)


def _linked_within_site(element: etree._Element, url: str) -> int:
    """Characters of link text in `element` leading to another page of `url`'s site."""
    here = urlsplit(url)
    chars = 0
    for ref in element.iter("ref"):
        target = (ref.get("target") or "").strip()
        if not target or target.startswith("#") or target.lower().startswith(_NOT_PAGES):
            continue
        absolute = urljoin(url, target)
        there = urlsplit(absolute)
        if (there.netloc, there.path) != (here.netloc, here.path) and same_site(absolute, url):
            chars += len(_block_text(ref))
    return chars


def _drop(element: etree._Element) -> None:
    """Remove `element`, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def consent_wall(tree: lxml.html.HtmlElement, container: lxml.html.HtmlElement | None) -> bool:
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


def strip_boilerplate(tree: lxml.html.HtmlElement) -> ProseMap:
    """Remove captions, share bars, teasers and the like, never the article's prose: the
    container that holds most of it, and the containers around that one, stay whatever
    their names say. Returns the prose left on the page."""
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
    return prose.remaining()


def _is_boilerplate(element: lxml.html.HtmlElement, prose: ProseMap, article_prose: int) -> bool:
    tag = element.tag
    if tag == "figcaption":
        return True
    if tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6"):
        return False  # a paragraph is text, whatever its class says ("paywall" on Wired)
    classes, id_ = element.get("class"), element.get("id")
    named = _named(f"{classes or ''} {_id_name(id_)}") if classes or id_ else 0
    if named == _NAMED_BOILERPLATE:
        # Unless it holds half a long article's prose (a second container of its text).
        held = prose.held(element)
        return article_prose < _LONG_ARTICLE or held < 0.5 * article_prose
    if named == _NAMED_PLACEMENT or tag in _BOILERPLATE_TAGS:
        # An ASP.NET <form> or an "article-widget" may hold the article's text.
        return not prose.held(element)
    return False


_NAMED_BOILERPLATE, _NAMED_PLACEMENT = 1, 2


@functools.lru_cache(maxsize=4096)
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

    def __init__(
        self,
        tree: lxml.html.HtmlElement,
        blocks: list[tuple[lxml.html.HtmlElement, int]] | None = None,
    ) -> None:
        self.tree = tree
        self.blocks = _prose_blocks(tree) if blocks is None else blocks

    @functools.cached_property
    def _held(self) -> dict[lxml.html.HtmlElement, int]:
        held: dict[lxml.html.HtmlElement, int] = {}
        for block, chars in self.blocks:
            for node in (block, *block.iterancestors()):
                held[node] = held.get(node, 0) + chars
        return held

    def remaining(self) -> ProseMap:
        """The map of what is left once boilerplate was dropped from the tree."""
        root = self.tree.getroottree().getroot()
        return ProseMap(
            self.tree,
            [(b, c) for b, c in self.blocks if b.getroottree().getroot() is root],
        )

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


def _prose_blocks(tree: lxml.html.HtmlElement) -> list[tuple[lxml.html.HtmlElement, int]]:
    blocks = []
    for block in tree.iter("p", *_TEXT_CONTAINERS):
        if block.tag == "p":
            text = block.text_content()
            chars = _weight(text)
            if chars >= _PROSE_CHARS:
                linked = sum(len(a.text_content()) for a in block.iter("a"))
                if linked < 0.3 * len(text):
                    blocks.append((block, chars))
        else:
            # Its own text, outside its child elements (the line breaks between its
            # children count: a container of many blocks is weighed up a little).
            own = [(block.text or "").strip(), *(child.tail or "" for child in block)]
            if sum(map(len, own)) * 3 >= _PROSE_CHARS:
                chars = _weight("".join(own))
                if chars >= _PROSE_CHARS:
                    blocks.append((block, chars))
    return blocks


def _weight(text: str) -> int:
    """Characters of prose, a character of Chinese, Japanese or Thai counting as three:
    each carries about as much as a word of three or four letters elsewhere."""
    if len(text) * 3 < _PROSE_CHARS:
        return len(text)  # too short to be prose in any script
    return len(text) + 2 * len(UNSPACED.findall(text))
