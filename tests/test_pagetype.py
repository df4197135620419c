"""Is it an article? Each cause that once dropped real articles, as a page in our own
realistic template, and the non-articles that must still be skipped, each with its reason."""

from __future__ import annotations

import html
import json

import pytest

from pipelines.extract import Article, Skipped, examine_page
from pipelines.pagemeta import Declared
from pipelines.pagetype import MainText, verdict
from tests.pages import BOILERPLATE, ENGLISH, JAPANESE, THAI, news_page

URL = "http://gazette.test/world/2026/11/20/story"


def examine(page: str, presented_by: str | None = "feed", url: str = URL):
    return examine_page(page.encode("utf-8"), url, presented_by=presented_by)


def with_ld(page: str, *nodes: dict) -> str:
    """The page with more JSON-LD in its head, as SEO plugins add it."""
    scripts = "".join(
        f'<script type="application/ld+json">{json.dumps(node)}</script>' for node in nodes
    )
    return page.replace("</head>", f"{scripts}</head>")


YOAST_GRAPH = {
    "@context": "https://schema.org",
    "@graph": [
        {"@type": "WebSite", "@id": "http://gazette.test/#website", "url": "http://gazette.test/"},
        {"@type": "Organization", "@id": "http://gazette.test/#org", "name": "The Test Gazette"},
        {"@type": "BreadcrumbList", "itemListElement": []},
        {"@type": "ImageObject", "url": "http://gazette.test/img/lead.jpg"},
    ],
}


def test_a_website_node_beside_the_article_does_not_make_a_listing():
    """Every WordPress/Yoast page carries WebSite, Organization and BreadcrumbList nodes."""
    page = with_ld(news_page("Transport reform passes", ENGLISH), YOAST_GRAPH)
    assert isinstance(examine(page, presented_by="front"), Article)
    # Without its NewsArticle node, og:type=article still says what the page is.
    bare = page.replace('"@type": "NewsArticle"', '"@type": "Thing"')
    assert isinstance(examine(bare, presented_by="front"), Article)


def test_a_live_blog_is_an_article():
    entries = [f"{10 + n}:0{n} Update: {p}" for n, p in enumerate(ENGLISH)]
    page = news_page("Live: the budget vote", entries).replace(
        '"@type": "NewsArticle"', '"@type": "LiveBlogPosting"'
    )
    page = page.replace('content="article"', 'content="website"')
    result = examine(page, presented_by="front")
    assert isinstance(result, Article), result
    assert entries[2] in result.text


def test_short_paragraphs_and_unspaced_scripts_are_articles():
    """The old rule counted only paragraphs of 25 spaced words: it failed briefs written in
    short paragraphs, and Chinese, Japanese or Thai text."""
    short = [sentence.strip() + "." for p in ENGLISH for sentence in p.split(",")]
    for paragraphs, lang in ((short, "en"), (JAPANESE, "ja"), (THAI, "th")):
        page = news_page("Story", paragraphs, lang=lang)
        result = examine(page, presented_by="front")
        assert isinstance(result, Article), (lang, result)
        assert result.language == lang
    thai = examine(news_page("ข่าว", THAI, lang="th"))
    assert 60 <= thai.word_count <= 200, thai.word_count  # not 3: Thai is written unspaced


@pytest.mark.parametrize(
    ("name", "change"),
    [
        # Reuters: the rest of the body sits in a container that says "paywall-article".
        (
            "paywall-article",
            lambda p: p.replace(
                f"<p>{html.escape(ENGLISH[3])}</p>",
                f'<div class="body paywall-article"><p>{html.escape(ENGLISH[3])}</p>',
            ).replace("</div>\n<section", "</div></div>\n<section"),
        ),
        # Wired and the New Yorker: every paragraph says "paywall".
        ("p.paywall", lambda p: p.replace("<p>", '<p class="paywall">')),
        # Politico Europe: the article sits in a "sidebar-grid" container.
        (
            "sidebar-grid",
            lambda p: p.replace(
                '<main><article class="article">',
                '<main><div class="sidebar-grid__container"><article class="article">',
            ).replace("</article>", "</article></div>"),
        ),
        # An ASP.NET page: one <form> around the whole page.
        (
            "form",
            lambda p: p.replace("<body>", '<body><form id="aspnetForm" method="post">').replace(
                "</body>", "</form></body>"
            ),
        ),
        # A class that merely contains a boilerplate word.
        (
            "shared",
            lambda p: p.replace(
                '<div class="article-body">', '<div class="article-body shared-content">'
            ),
        ),
    ],
)
def test_boilerplate_removal_never_removes_the_article(name, change):
    page = change(news_page("Transport reform passes", ENGLISH))
    result = examine(page)
    assert isinstance(result, Article), (name, result)
    for paragraph in ENGLISH:
        assert paragraph in result.text, (name, paragraph)
    for kind in ("caption", "byline", "share", "teaser", "comment", "subscribe"):
        assert BOILERPLATE[kind] not in result.text, (name, kind)


def test_the_headline_is_not_the_first_line_of_the_body():
    """A syndicated copy whose <h1> sits inside the content container used to carry its
    headline as the body's first line, so its exact duplicate was missed."""
    original = examine(news_page("Transport reform passes", ENGLISH))
    copy = news_page("Transport reform passes", ENGLISH).replace(
        '<div class="article-body">',
        '<div class="article-body"><h1>Transport reform passes</h1>',
    )
    copied = examine(copy, url="http://mirror.test/transport")
    assert not copied.text.startswith("Transport reform passes")
    assert copied.text_hash == original.text_hash


def test_a_wire_brief_from_a_feed_is_kept_but_needs_more_words_from_a_front():
    brief = [ENGLISH[0], ENGLISH[1], "More details were not immediately available."]
    page = news_page("Parliament passes transport reform", brief)
    kept = examine(page, presented_by="feed")
    assert isinstance(kept, Article) and 40 <= kept.word_count < 80, kept
    skipped = examine(page, presented_by="front")
    assert (skipped.reason, skipped.detail) == (
        "too_short",
        f"{kept.word_count} words, fewer than 80",
    )


def test_non_articles_are_skipped_each_with_its_reason():
    teaser = [ENGLISH[0]]
    stub = with_ld(
        news_page("Exclusive: the reform's hidden costs", teaser),
        {"@type": "NewsArticle", "headline": "x", "isAccessibleForFree": False},
    ).replace('"@type": "NewsArticle"', '"@type": "NewsArticle", "isAccessibleForFree": false', 1)
    login = news_page("Log in", ["Log in to continue reading."]).replace(
        '<div class="article-body">',
        '<div class="article-body"><form action="/login"><input name="user">'
        '<input type="password" name="pw"><button>Log in</button></form>',
    )
    video = news_page("Watch: the vote", ["The moment the reform passed."]).replace(
        '"@type": "NewsArticle"', '"@type": "VideoObject"'
    )
    video = video.replace('content="article"', 'content="video.other"')
    reasons = {
        name: examine(page, presented_by="feed")
        for name, page in (("stub", stub), ("login", login), ("video", video))
    }
    assert {name: r.reason for name, r in reasons.items()} == {
        "stub": "paywall_stub",
        "login": "login_page",
        "video": "media_page",
    }, reasons
    assert "not free to read" in reasons["stub"].detail
    assert reasons["video"].detail.endswith("the page declares og:type=video.other")


def test_verdict_rules():
    article, website = (
        Declared("article", "json_ld NewsArticle"),
        Declared("website", "og:type=website"),
    )
    listing = Declared("listing", "json_ld CollectionPage")
    undeclared = Declared()

    def decide(declared, density, words=300, presented_by="feed"):
        return verdict(declared, MainText(words, density), presented_by=presented_by, min_words=80)

    assert decide(article, 0.9) is None  # a declared article is never a listing
    assert decide(undeclared, 0.45) is None  # from a feed: presumed an article
    assert decide(undeclared, 0.45, presented_by="front")[0] == "listing_page"
    assert decide(undeclared, 0.55)[0] == "listing_page"
    assert decide(website, 0.36)[1] == "links are 36% of the main text (og:type=website)"
    assert decide(listing, 0.26)[0] == "listing_page"
    assert decide(listing, 0.1) is None  # declared a listing, but reads as prose
    assert decide(article, 0.0, words=39) == ("too_short", "39 words, fewer than 40")
    assert decide(article, 0.0, words=79, presented_by="front")[0] == "too_short"
    assert decide(article, 0.0, words=40) is None


def test_every_page_gets_a_verdict_not_an_error():
    for body in (b"<html><body><form><input type=password></form></body></html>", b"<p>x</p>"):
        assert isinstance(examine_page(body, URL, presented_by="feed"), Skipped)
