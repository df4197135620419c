"""Is it an article? Golden tests from the labelled set (tests/labelled.py), in both error
directions: each real non-article is skipped with its reason, and each article that looks
like one is kept, with its own text and not the page's teasers or boilerplate."""

from __future__ import annotations

from collections import Counter

import pytest

from pipelines.extract import Article, Skipped, examine_page
from tests.labelled import LabelledPage, labelled_pages

# Known limits, measured in bench/labelled_eval.py: a strict xfail fails once they are fixed.
KNOWN = {
    "plain_front": "a table-layout front without any declaration: its headlines are plain "
    "text beside one-line summaries, 38% links, under the 40% of an undeclared page",
    "plain_div_br": "a story in one <div> with <br> breaks, in a table layout: the next "
    "cell's headline list is kept with it",
}


def cases(pages: list[LabelledPage]) -> list:
    return [
        pytest.param(page, marks=pytest.mark.xfail(strict=True, reason=KNOWN[page.name]))
        if page.name in KNOWN
        else page
        for page in pages
    ]


PAGES = labelled_pages()
NON_ARTICLES = [page for page in PAGES if not page.is_article]
ARTICLES = [page for page in PAGES if page.is_article]


def examine(page: LabelledPage) -> Article | Skipped:
    return examine_page(page.html.encode("utf-8"), page.url, presented_by=page.presented_by)


def test_the_set_is_big_and_varied_enough_to_mean_something():
    assert len(NON_ARTICLES) >= 30 and len(ARTICLES) >= 30
    reasons = Counter(page.expect for page in NON_ARTICLES)
    for reason in ("listing_page", "too_short", "login_page", "paywall_stub", "media_page"):
        assert reasons[reason] >= 2, reason
    for pages in (NON_ARTICLES, ARTICLES):
        assert {page.presented_by for page in pages} >= {"feed", "sitemap", "front", None}
    for page in ARTICLES:
        assert page.present and page.absent, page.name
        for string in page.absent:
            assert string in page.html, (page.name, string)


@pytest.mark.parametrize("page", cases(NON_ARTICLES), ids=lambda page: page.name)
def test_a_non_article_is_skipped_with_its_reason(page):
    result = examine(page)
    assert isinstance(result, Skipped), (
        f"{page.kind}: kept as an article of {result.word_count} words: {result.text[:300]!r}"
    )
    assert result.reason == page.expect, (page.kind, result.reason, result.detail)


@pytest.mark.parametrize("page", cases(ARTICLES), ids=lambda page: page.name)
def test_a_look_alike_article_is_kept_with_its_own_text(page):
    result = examine(page)
    assert isinstance(result, Article), (page.kind, result.reason, result.detail)
    assert page.present in result.text, (page.kind, result.text[:300])
    for string in page.absent:
        assert string not in result.text, (page.kind, string)
