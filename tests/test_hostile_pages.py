"""Hostile pages from the open web: a real article survives whatever else its page holds.

Each case is a realistic article page with one hostile trait (unreadable JSON-LD, a
broken canonical link, an XML prolog, a wrong charset, control characters, deep
nesting, placeholder dates); its text, title, authors and date must come out clean.
"""

from __future__ import annotations

import html
import json
import sqlite3
import unicodedata
from dataclasses import dataclass

import pytest

from crawler.siteserver import SiteServer
from pipelines.dates import parse_date
from pipelines.extract import Article, decode_html, examine_page, parse_html
from tests.helpers import run_newswatch
from tests.pages import RUSSIAN, news_page
from tests.sites import article_paragraphs, write_config

URL = "https://gazette.example/news/story"
JSON_LD_AUTHOR = '"author": {"@type": "Person", "name": "Maria Jensen"}'
XHTML_DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">'
)
PROLOG = '<?xml version="1.0" encoding="utf-8"?>\n'


def story(n: int, paragraphs: list[str] | None = None, **options) -> str:
    return news_page(f"Story number {n}", paragraphs or article_paragraphs(n), **options)


def with_json_ld(page: str, data: str) -> str:
    """The page with one more JSON-LD block in its head, before its own."""
    return page.replace("<script", f'<script type="application/ld+json">{data}</script><script', 1)


def with_author(page: str, author: str) -> str:
    """The page with `author` (JSON) as its article node's author."""
    assert JSON_LD_AUTHOR in page
    return page.replace(JSON_LD_AUTHOR, f'"author": {author}')


def nested(template: str, depth: int, leaf: str) -> str:
    """`template` (with one %s) wrapped around `leaf` `depth` times."""
    for _ in range(depth):
        leaf = template % leaf
    return leaf


def xhtml(page: str) -> str:
    """The page as an XHTML document (without its XML prolog)."""
    return page.replace("<!DOCTYPE html>", XHTML_DOCTYPE).replace(
        '<html lang="en">', '<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">'
    )


def deep(page: str, depth: int) -> str:
    """The page with its article body inside `depth` nested <div>s."""
    body = '<div class="article-body">'
    after_body = "</div>\n<section"
    assert body in page and after_body in page
    page = page.replace(body, "<div>" * depth + body)
    return page.replace(after_body, "</div>" * (depth + 1) + "\n<section")


def with_paragraph(paragraphs: list[str], index: int, at: int, inserted: str) -> list[str]:
    """The paragraphs with `inserted` put into paragraph `index` at character `at`."""
    changed = list(paragraphs)
    changed[index] = changed[index][:at] + inserted + changed[index][at:]
    return changed


def placeholder_dates(n: int, date: str) -> str:
    """A page whose every date (JSON-LD, <meta>, <time>, its teasers') is `date`."""
    page = story(n, published=date, teaser_date=date)
    return page.replace(
        "</head>",
        f'<meta property="article:published_time" content="{html.escape(date)}">'
        f'<meta name="date" content="{html.escape(date)}"></head>',
    )


def assert_clean_article(result, paragraphs: list[str]) -> Article:
    """The page gave an article holding every paragraph, and no stray characters."""
    assert isinstance(result, Article), result
    for paragraph in paragraphs:
        assert paragraph in result.text, (paragraph, result.text)
    strays = {c for c in result.text if unicodedata.category(c) in ("Cc", "Cs", "Co")}
    assert strays <= {"\n", "\t"}, strays
    assert "\ufffd" not in result.text
    return result


# 1. JSON-LD the parser cannot read


@pytest.mark.parametrize("shape", ["[%s]", '{"a": %s}'])
def test_json_ld_nested_100000_deep_is_ignored_and_the_article_read(shape):
    page = with_json_ld(story(1), nested(shape, 100_000, "1"))
    article = assert_clean_article(examine_page(page, URL), article_paragraphs(1))
    # The page's readable block is still read.
    assert article.authors == ("Maria Jensen",)
    assert article.published == "2026-11-20T09:30:00+01:00"


# 2. Authors nested or listed by the thousand

NESTED_AUTHORS = {
    "author in author, 5,000 deep": nested(
        '{"@type": "Person", "name": "Maria Jensen", "author": %s}', 5000, '"x"'
    ),
    "worksFor chain, 5,000 deep": nested(
        '{"@type": "Person", "name": "Maria Jensen", "worksFor": %s}',
        5000,
        '{"@type": "Organization", "name": "The Test Gazette"}',
    ),
    "lists in lists, 600 deep": nested("[%s]", 600, '"Maria Jensen"'),
}


@pytest.mark.parametrize("author", NESTED_AUTHORS.values(), ids=NESTED_AUTHORS.keys())
def test_deeply_nested_authors_are_bounded(author):
    page = with_author(story(2), author)
    article = assert_clean_article(examine_page(page, URL), article_paragraphs(2))
    assert "Maria Jensen" in article.authors, article.authors
    assert len(article.authors) <= 3 and all(len(a) < 40 for a in article.authors)


def _name(n: int) -> str:
    """A distinct two-word name for each n (digits are not part of names)."""
    letters = "".join(
        "bcdfghklmnprstvz"[int(d, 16)] + "aeiou"[i % 5] for i, d in enumerate(f"{n:04x}")
    )
    return f"{letters.title()} {letters[::-1].title()}"


def test_five_thousand_authors_give_a_byline_of_the_first_few():
    names = [_name(n) for n in range(5000)]
    assert len(set(names)) == 5000
    author = json.dumps([{"@type": "Person", "name": name} for name in names])
    article = assert_clean_article(
        examine_page(with_author(story(3), author), URL), article_paragraphs(3)
    )
    assert article.authors[:3] == tuple(names[:3])
    assert len(article.authors) <= 60, len(article.authors)


def test_a_meta_byline_of_five_thousand_names_is_cut_after_a_whole_name():
    names = [_name(n) for n in range(5000)]
    page = with_author(story(4), "null").replace(
        "</head>", f'<meta name="author" content="{", ".join(names)}"></head>'
    )
    article = assert_clean_article(examine_page(page, URL), article_paragraphs(4))
    assert 3 <= len(article.authors) <= 60, len(article.authors)
    assert set(article.authors) <= set(names), "no name cut in half"


# 3. A canonical link that is no URL


@pytest.mark.parametrize(
    "tag",
    [
        '<link rel="canonical" href="http://[::1/broken">',
        '<meta property="og:url" content="http://[::1/broken">',
        '<link rel="canonical" href="http://127.0.0.1:99999/story">',
    ],
)
def test_a_canonical_that_is_not_a_url_is_ignored(tag):
    page = story(5).replace("</head>", tag + "</head>")
    article = assert_clean_article(examine_page(page, URL), article_paragraphs(5))
    assert article.url == URL


# 4. An XML prolog before an XHTML page


def _compact_xhtml(n: int) -> str:
    """An XHTML page with no <head>: its language is on <html> only."""
    paragraphs = "".join(f"<p>{p}</p>" for p in article_paragraphs(n))
    return (
        f'{XHTML_DOCTYPE}\n<html xmlns="http://www.w3.org/1999/xhtml" lang="de">'
        f"<body><article><h1>Story number {n}</h1>{paragraphs}</article></body></html>"
    )


@pytest.mark.parametrize(
    "prolog",
    [
        PROLOG,
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        '\n<?xml version="1.0" encoding="iso-8859-1"?>',
    ],
)
@pytest.mark.parametrize("page", [xhtml(story(6)), _compact_xhtml(6)], ids=["news", "compact"])
def test_an_xml_prolog_changes_nothing(prolog, page):
    without = assert_clean_article(examine_page(page, URL), article_paragraphs(6))
    assert examine_page(prolog + page, URL) == without
    body = (prolog + page).encode("utf-8")
    assert examine_page(body, URL, content_type="application/xhtml+xml") == without


# 5. A charset the header gets wrong

CYRILLIC_TITLE = "Новости региона"
# A second story in Russian: two copies of one would be stored as one.
RUSSIAN_WEATHER = [
    "Синоптики предупредили жителей столицы о сильном снегопаде, который начнётся в ночь на "
    "четверг и продлится не меньше двух суток, сообщает пресс-служба городского метеобюро.",
    "По прогнозу, за это время выпадет до половины месячной нормы осадков, а порывы ветра на "
    "открытых участках местности могут достигать пятнадцати метров в секунду.",
    "Городские службы перевели снегоуборочную технику на усиленный режим работы, водителей "
    "просят без необходимости не выезжать на личном транспорте и заранее менять шины.",
    "Энергетики предупредили о возможных перебоях с электричеством в пригородах, где в "
    "прошлом году непогода повредила несколько десятков линий электропередачи.",
    "К выходным, как ожидается, снегопад ослабнет, однако температура опустится до минус "
    "пятнадцати градусов, и коммунальным службам предстоит бороться с гололёдом на улицах.",
]


def russian(charset: str | None, paragraphs: list[str] = RUSSIAN) -> str:
    return news_page(CYRILLIC_TITLE, paragraphs, lang="ru", charset=charset)


@pytest.mark.parametrize("meta_charset", ["windows-1251", None, "utf-8"])
def test_a_windows_1251_page_served_as_utf8_is_read_as_windows_1251(meta_charset):
    body = russian(meta_charset).encode("cp1251")
    result = examine_page(body, URL, content_type="text/html; charset=utf-8")
    article = assert_clean_article(result, RUSSIAN)
    assert article.title == CYRILLIC_TITLE
    assert article.language == "ru"


def test_a_utf8_page_served_as_windows_1251_is_read_as_utf8():
    body = russian("utf-8").encode("utf-8")
    assert decode_html(body, "text/html; charset=windows-1251") == russian("utf-8")
    result = examine_page(body, URL, content_type="text/html; charset=windows-1251")
    article = assert_clean_article(result, RUSSIAN)
    assert article.title == CYRILLIC_TITLE, "not mojibake (РќРѕРІРѕСЃС‚Рё)"


# 6. and 8. Control characters and NUL bytes


@pytest.mark.parametrize("inserted", ["\x1b[31m", "\x1b[0m\x07", "\x00", "\x00\x00\x0b\x7f"])
@pytest.mark.parametrize("as_bytes", [False, True], ids=["str", "bytes"])
def test_control_characters_are_dropped_and_the_article_kept(inserted, as_bytes):
    paragraphs = article_paragraphs(7)
    page = story(7, with_paragraph(paragraphs, 2, 40, inserted))
    body = page.encode("utf-8") if as_bytes else page
    assert_clean_article(examine_page(body, URL, content_type="text/html"), paragraphs)


# 7. An article inside 300 nested <div>s


@pytest.mark.parametrize("depth", [300, 1000])
def test_an_article_deep_in_nested_divs_is_extracted(depth):
    assert_clean_article(examine_page(deep(story(8), depth), URL), article_paragraphs(8))


def test_a_page_nested_past_libxml2s_limit_keeps_the_article_before_it():
    """Unclosed <div>s by the thousand (a template bug) end the parse at 2,048 levels."""
    page = story(10).replace('<footer class="site-footer">', "<div>" * 3000 + "<footer>")
    tree, cut_short = parse_html(page)
    assert cut_short and tree is not None
    assert_clean_article(examine_page(page, URL), article_paragraphs(10))
    assert parse_html(deep(story(10), 1000))[1] is False


# 9. Placeholder dates

PLACEHOLDERS = ["0001-01-01T00:00:00Z", "0001-01-01", "Mon, 01 Jan 0001 00:00:00 GMT"]


@pytest.mark.parametrize("date", PLACEHOLDERS)
def test_a_placeholder_date_is_no_date(date):
    article = assert_clean_article(
        examine_page(placeholder_dates(9, date), URL), article_paragraphs(9)
    )
    assert article.published is None and article.published_from is None


@pytest.mark.parametrize(
    "value",
    [*PLACEHOLDERS, "0000-00-00", "Sat, 01 Jan 0000 00:00:00 +0000", "1899-12-31T23:00:00Z"],
)
def test_parse_date_reads_no_year_before_1900(value):
    assert parse_date(value) is None


def test_parse_date_still_reads_rfc822_dates():
    assert parse_date("Tue, 05 Mar 2024 08:00:00 +0000") == "2024-03-05T08:00:00+00:00"
    assert parse_date("Mon, 01 Jan 99 00:00:00 GMT") == "1999-01-01T00:00:00+00:00"


# End to end: each page served by a real local server, crawled, and stored


@dataclass(frozen=True)
class Served:
    path: str
    page: str | bytes
    paragraphs: list[str]
    content_type: str | None = None  # what the server says, when not text/html
    dated: bool = True  # the page carries a real publication date


SERVED = [
    Served(
        "/news/deep-json-ld",
        with_json_ld(story(11), nested("[%s]", 100_000, "1")),
        article_paragraphs(11),
    ),
    Served(
        "/news/nested-authors",
        with_author(story(12), NESTED_AUTHORS["worksFor chain, 5,000 deep"]),
        article_paragraphs(12),
    ),
    Served(
        "/news/broken-canonical",
        story(13).replace("</head>", '<link rel="canonical" href="http://[::1/broken"></head>'),
        article_paragraphs(13),
    ),
    Served("/news/xml-prolog", PROLOG + xhtml(story(14)), article_paragraphs(14)),
    Served(
        "/news/windows-1251",
        russian("windows-1251").encode("cp1251"),
        RUSSIAN,
        "text/html; charset=utf-8",
    ),
    Served(
        "/news/utf-8",
        russian("utf-8", RUSSIAN_WEATHER).encode("utf-8"),
        RUSSIAN_WEATHER,
        "text/html; charset=windows-1251",
    ),
    Served(
        "/news/ansi-escape",
        story(16, with_paragraph(article_paragraphs(16), 2, 40, "\x1b[31m")),
        article_paragraphs(16),
    ),
    Served("/news/nested-divs", deep(story(17), 300), article_paragraphs(17)),
    Served(
        "/news/nul-bytes",
        story(18, with_paragraph(article_paragraphs(18), 1, 30, "\x00")),
        article_paragraphs(18),
    ),
    Served(
        "/news/placeholder-date",
        placeholder_dates(19, "Mon, 01 Jan 0001 00:00:00 GMT"),
        article_paragraphs(19),
        dated=False,
    ),
]


@pytest.mark.e2e
def test_hostile_pages_crawled_from_a_real_server_are_stored_clean(tmp_path):
    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    for served in SERVED:
        body = served.page if isinstance(served.page, bytes) else served.page.encode("utf-8")
        (site / f"{served.path[1:]}.html").write_bytes(body)
    items = "".join(
        f"<item><title>t</title><link>{{{{BASE}}}}{s.path}</link></item>" for s in SERVED
    )
    (site / "feed.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>H</title>{items}</channel></rss>',
        encoding="utf-8",
    )
    with SiteServer(site) as server:
        for served in SERVED:
            if served.content_type:
                server.content_types[served.path] = served.content_type
        config_dir = write_config(
            tmp_path / "cfg",
            f'[[source]]\nname = "h"\nfeeds = ["{server.base}/feed.xml"]\n',
            "retries = 0\n",
        )
        result = run_newswatch("--config", str(config_dir), "crawl", timeout=180)
        assert result.returncode == 0, result.stderr[-3000:]
        fetched = set(server.paths(200))
    assert fetched >= {s.path for s in SERVED}, fetched
    db = sqlite3.connect(config_dir / "data" / "newswatch.db")
    for served in SERVED:
        url = server.base + served.path
        row = db.execute(
            "SELECT p.outcome, p.reason, a.url, a.text, a.published, a.authors FROM pages p "
            "LEFT JOIN articles a ON a.id = p.article_id WHERE p.url = ?",
            [url],
        ).fetchone()
        assert row is not None, f"{served.path}: no page recorded"
        outcome, reason, article_url, text, published, authors = row
        assert outcome == "stored", (served.path, outcome, reason)
        assert article_url == url, (served.path, article_url)
        for paragraph in served.paragraphs:
            assert paragraph in text, (served.path, paragraph, text)
        strays = {c for c in text if unicodedata.category(c) == "Cc"} - {"\n", "\t"}
        assert not strays and "\ufffd" not in text, (served.path, strays)
        authors = json.loads(authors)
        assert "Maria Jensen" in authors and len(authors) <= 3, (served.path, authors)
        if served.dated:
            assert published and published.startswith("2026-11-20"), (served.path, published)
        else:
            assert published is None, (served.path, published)
    (status,) = db.execute("SELECT status FROM crawl_runs").fetchone()
    assert status == "finished"
