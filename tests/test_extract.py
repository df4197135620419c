"""extract_article: the main text of news pages, without their boilerplate, in any encoding."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipelines.extract import Skipped, examine_page, extract_article
from pipelines.textnorm import word_count
from tests.pages import (
    BOILERPLATE,
    ENGLISH,
    HEBREW,
    JAPANESE,
    POLISH,
    RUSSIAN,
    THAI,
    UNSPACED_SENTENCES,
    news_page,
)

URL = "http://gazette.test/world/2026/11/20/story"


def assert_clean(text: str, must_contain: list[str]) -> None:
    for sentence in must_contain:
        assert sentence in text, f"missing from the text: {sentence!r}\n---\n{text}"
    for name, boilerplate in BOILERPLATE.items():
        assert boilerplate not in text, f"{name} boilerplate kept: {boilerplate!r}\n---\n{text}"


def test_english_news_page_text_and_metadata():
    page = news_page("Parliament approves transport reform", ENGLISH)
    article = extract_article(page.encode("utf-8"), URL)
    assert article is not None
    assert_clean(article.text, ENGLISH)
    assert article.title == "Parliament approves transport reform"
    assert article.authors == ("Maria Jensen",)
    assert article.published == "2026-11-20T09:30:00+01:00"
    assert article.published_from == "json_ld"
    assert article.language == "en"
    assert article.url == URL
    assert article.word_count == sum(len(p.split()) for p in ENGLISH)


@pytest.mark.parametrize(
    ("charset", "lang", "paragraphs"),
    [
        ("windows-1251", "ru", RUSSIAN),
        ("koi8-r", "ru", RUSSIAN),
        ("windows-1255", "he", HEBREW),
        ("iso-8859-2", "pl", POLISH),
        ("shift_jis", "ja", JAPANESE),
        ("euc-jp", "ja", JAPANESE),
        ("utf-8", "ja", JAPANESE),
    ],
)
def test_pages_are_decoded_by_their_declared_charset(charset, lang, paragraphs):
    page = news_page("—", paragraphs, lang=lang, charset=charset).replace("—", paragraphs[0][:40])
    # Characters outside the charset are written as entities, as real sites do.
    article = extract_article(page.encode(charset, errors="xmlcharrefreplace"), URL)
    assert article is not None, f"{charset} page rejected"
    assert_clean(article.text, paragraphs)
    assert article.language == lang


def test_charset_from_http_header_wins_over_none_declared():
    page = news_page("Лавров и Машаль", RUSSIAN, lang="ru", charset=None)
    article = extract_article(
        page.encode("windows-1251"), URL, content_type="text/html; charset=windows-1251"
    )
    assert article is not None
    assert_clean(article.text, RUSSIAN)
    assert article.title == "Лавров и Машаль"


def test_undeclared_charset_is_detected():
    page = news_page("Лавров и Машаль", RUSSIAN, lang="ru", charset=None)
    article = extract_article(page.encode("windows-1251"), URL)
    assert article is not None
    assert "Машалем" in article.text


def test_language_is_detected_when_not_declared():
    page = news_page("Transport", ENGLISH).replace('<html lang="en">', "<html>")
    assert extract_article(page, URL).language == "en"
    page = news_page("Машаль", RUSSIAN, lang="ru").replace('<html lang="ru">', "<html>")
    assert extract_article(page, URL).language == "ru"


def test_date_comes_from_the_article_not_from_teasers():
    page = news_page("Transport", ENGLISH, teaser_date="2031-01-01")
    page = page.replace('"datePublished": "2026-11-20T09:30:00+01:00",', "")
    page = page.replace('<time datetime="2026-11-20T09:30:00+01:00">', '<time datetime="">')
    article = extract_article(page, URL)
    assert article is not None
    assert not (article.published or "").startswith("2031"), article.published


def test_a_date_in_the_future_is_dropped():
    page = news_page("Transport", ENGLISH, published="2027-06-01T10:00:00+00:00")
    now = datetime(2026, 11, 28, tzinfo=UTC)
    article = extract_article(page, URL, now=now)
    assert article.published is None and article.published_from is None
    later = extract_article(page, URL, now=datetime(2027, 7, 1, tzinfo=UTC))
    assert later.published == "2027-06-01T10:00:00+00:00"


def test_same_site_canonical_link_wins_and_other_sites_are_ignored():
    page = news_page("Transport", ENGLISH)
    own = page.replace(
        "</head>", '<link rel="canonical" href="https://www.gazette.test/s?utm_source=x#c"></head>'
    )
    assert extract_article(own, URL).url == "https://www.gazette.test/s"
    other = page.replace(
        "</head>", '<link rel="canonical" href="https://other.test/original"></head>'
    )
    assert extract_article(other, URL).url == URL


def test_section_front_is_a_listing():
    links = "".join(
        f'<li><h2><a href="/world/2026/11/{n}/story-{n}">Headline number {n} about the world '
        f"today</a></h2><p>Summary of story {n} in a sentence.</p></li>"
        for n in range(40)
    )
    page = (
        '<html><head><title>World</title><meta property="og:type" content="website"></head>'
        f"<body><h1>World</h1><ul>{links}</ul></body></html>"
    )
    for presented_by in (None, "front", "feed"):
        result = examine_page(page, "http://gazette.test/world/", presented_by=presented_by)
        assert isinstance(result, Skipped) and result.reason == "listing_page", result
        assert result.detail.startswith("links are ") and "og:type=website" in result.detail
    assert extract_article(page, "http://gazette.test/world/") is None


@pytest.mark.parametrize("lang", sorted(UNSPACED_SENTENCES))
def test_words_of_scripts_written_unspaced_are_counted_from_their_characters(lang):
    """Thai, Lao, Khmer and Burmese: about four characters a word, not one word a sentence."""
    sentence, words = UNSPACED_SENTENCES[lang]
    assert len(sentence.split()) == 1
    assert words / 2 <= word_count(sentence) <= words * 2, (word_count(sentence), words)
    assert word_count(f"Reuters: {sentence} (AFP)") == 2 + word_count(sentence)
    assert word_count(f"{sentence} {sentence}") in range(
        2 * word_count(sentence) - 1, 2 * word_count(sentence) + 1
    )


def test_thai_news_article_is_an_article_not_too_short():
    page = news_page("กรุงเทพฯ ปรับปรุงระบบขนส่งสาธารณะ", THAI, lang="th")
    for presented_by in (None, "front", "feed"):
        result = examine_page(page.encode("utf-8"), URL, presented_by=presented_by)
        assert not isinstance(result, Skipped), (presented_by, result)
    article = extract_article(page.encode("utf-8"), URL, min_words=100)
    assert article is not None
    assert_clean(article.text, THAI)
    assert article.language == "th"
    assert article.title == "กรุงเทพฯ ปรับปรุงระบบขนส่งสาธารณะ"
    assert 120 <= article.word_count <= 250, article.word_count  # ~680 characters of Thai


def test_short_page_is_too_short():
    page = news_page("Login", ["Log in to your account to continue reading. Forgot your password?"])
    result = examine_page(page, "http://gazette.test/login")
    assert isinstance(result, Skipped) and result.reason == "too_short", result
    assert "fewer than 80" in result.detail


@pytest.mark.parametrize("body", [b"", b"   ", b"\x00\x01\x02garbage", b"<html></html>"])
def test_broken_pages_are_skipped_not_crashed_on(body):
    result = examine_page(body, URL)
    assert isinstance(result, Skipped), result


@pytest.mark.parametrize(
    ("body", "content_type", "detail"),
    [
        (bytes(range(256)) * 200, None, "binary content"),
        (b"%PDF-1.7 ...", "application/pdf", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10, "text/html", "binary content"),
    ],
)
def test_binary_content_is_not_html(body, content_type, detail):
    result = examine_page(body, URL, content_type=content_type)
    assert isinstance(result, Skipped) and result.reason == "not_html", result
    assert result.detail == detail


def test_control_characters_and_escape_sequences_are_not_text():
    """One control character used to make the parser drop the whole body."""
    paragraphs = [ENGLISH[0].replace("Tuesday", "Tuesday\x1b[31m\x07"), *ENGLISH[1:]]
    page = news_page("Reform \x1b]0;retitled\x07passes", paragraphs).replace("ending", "end\x00ing")
    article = extract_article(page.encode("utf-8"), URL, presented_by="feed")
    assert article is not None
    assert article.title == "Reform passes"
    assert "Tuesday, end" in article.text and ENGLISH[1] in article.text
    assert not any(ch in article.text for ch in "\x1b\x07\x00")


def test_the_page_around_the_article_is_trimmed_from_its_text():
    """Related-story lists inside the body, and link lines or short lines that end no
    sentence at either end of it, are the page's, not the article's; a list of links to
    other sites is the article's."""
    related = (
        '<ul class="x-list"><li><a href="/world/2026/11/19/other">Floods close the coast road '
        'for a week</a></li><li><a href="/world/2026/11/18/more">Council elects a new mayor '
        "after a long night</a></li></ul>"
    )
    sources = (
        '<ul><li><a href="https://ministry.example/report">The ministry\'s report on fares, '
        "published on Monday</a></li><li>A statement from the opposition, read in parliament."
        "</li></ul>"
    )
    page = news_page("Transport reform passes", ENGLISH).replace(
        f"<p>{ENGLISH[2]}</p>", f"<p>{ENGLISH[2]}</p>{related}{sources}"
    )
    page = page.replace(
        '<div class="article-body">', '<div class="article-body"><p>Berlin, Tuesday</p>'
    ).replace(
        "</div>\n<section",
        '<p><a href="/world/">MORE: All the world news</a></p><p>Follow us on Mastodon</p>'
        "</div>\n<section",
    )
    article = extract_article(page.encode("utf-8"), URL, presented_by="feed")
    assert article is not None
    assert_clean(article.text, ENGLISH)
    for gone in ("Floods close the coast road", "Council elects", "MORE:", "Follow us", "Berlin,"):
        assert gone not in article.text, gone
    assert "report on fares" in article.text and "statement from the opposition" in article.text
