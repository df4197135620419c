"""Is this page an article? The rules, as pure functions over what the page declares and
what its main text turned out to be.

A monitor that drops a real article misses the alert it exists for, so the rules lean
towards keeping: a page a feed or a sitemap presents is presumed to be an article, and
only a page that shows it is something else (most of its main text is links, it has
too little text, or it declares itself a listing and reads like one) is skipped. A
link found on a section front needs more evidence. Each skip names the rule that
decided, in its detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipelines.pagemeta import Declared

# The version of these rules. A page skipped for its content (`REEXAMINED`) under older
# rules is fetched once more and judged again: a rule that lost real articles must not
# keep them lost.
RULES_VERSION = 2
REEXAMINED = ("listing_page", "no_main_text", "too_short")
# Where the crawl found the page's URL: these present articles (a recheck fetches an
# article stored before); "front" (a link on a section page) and None (unknown) do not.
PRESENTED = ("feed", "sitemap", "recheck")
# Share of the main text's characters inside links above which a page is a listing of
# links (fronts, tag, author and search pages). Real articles measured here (Fundus's
# and Readability's 380) reach 0.18 at the 99th percentile, 0.34 at most.
LISTING_DENSITY = 0.5
# Pages found on a section front, or whose origin is unknown, need less to be a listing.
LISTING_DENSITY_UNPRESENTED = 0.4
# A page that declares itself a page of the site (og:type=website), an article by
# og:type alone (some sites put it on every page, fronts and tag pages included), or a
# listing (CollectionPage, ...), needs only this. Real articles declared so reach 0.34
# (og:type=website) and 0.29 (og:type=article); fronts in such templates 0.35 and up.
LISTING_DENSITY_DECLARED = {"website": 0.35, "og:article": 0.32, "listing": 0.25}
# A consent dialog is the page (a cookie wall) only on a page with less prose than this.
CONSENT_PROSE = 2000
# A gallery or video page with less prose than this (characters) is no article.
MEDIA_PROSE = 1500


@dataclass(frozen=True)
class MainText:
    """What the extraction found: words, the share of its characters in links, the
    characters of prose left on the page (paragraphs, not captions or lists), a password
    field, and whether its prose sits in a consent dialog."""

    words: int
    link_density: float
    prose: int = 1000
    login_form: bool = False
    consent: bool = False


def min_words_for(presented_by: str | None, min_words: int, declared: Declared) -> int:
    """A page a feed or sitemap presents is an article unless shown otherwise: half the
    minimum suffices (wire briefs of 40-79 words are real news), unless it declares the
    article is not free to read (its stub is the start of the article, no more)."""
    if presented_by in PRESENTED and declared.free:
        return min_words // 2
    return min_words


def verdict(
    declared: Declared, text: MainText, *, presented_by: str | None, min_words: int
) -> tuple[str, str] | None:
    """None for an article; else the skip reason and its detail (which rule decided)."""
    if text.consent and text.prose < CONSENT_PROSE:
        return "cookie_wall", "the main text is a consent dialog"
    if declared.kind == "media" and text.prose < MEDIA_PROSE:
        return "media_page", f"{text.prose} characters of prose; the page declares {declared.by}"
    if not declared.certain:
        limit = LISTING_DENSITY if presented_by in PRESENTED else LISTING_DENSITY_UNPRESENTED
        kind = "og:article" if declared.kind == "article" else declared.kind or ""
        limit = LISTING_DENSITY_DECLARED.get(kind, limit)
        if text.link_density >= limit:
            share = f"links are {text.link_density:.0%} of the main text"
            return "listing_page", f"{share} ({declared.by})" if declared.by else share
    needed = min_words_for(presented_by, min_words, declared)
    if text.words >= needed:
        return None
    short = f"{text.words} words, fewer than {needed}"
    if declared.kind == "article" and not declared.free:
        return "paywall_stub", f"{short}; the page declares the article is not free to read"
    if text.login_form:
        return "login_page", f"{short}; the page asks for a password"
    if declared.kind == "media":
        return "media_page", f"{short}; the page declares {declared.by}"
    if declared.kind == "listing":
        return "listing_page", f"{short} ({declared.by})"
    return "too_short", short
