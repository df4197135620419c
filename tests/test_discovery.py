"""Feeds and sitemaps: every common format read; hostile input refused, not crashed on."""

from __future__ import annotations

import gzip
import re

import pytest

from crawler.discovery import DiscoveryError, feed_links, front_links, sitemap_links

BASE = "http://news.test/feed"

RSS2 = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>http://news.test/a/1</link><pubDate>Tue, 03 Nov 2026 08:00:00 +0100</pubDate></item>
<item><title>Two</title><link>/a/2</link></item>
<item><title>No link</title></item></channel></rss>"""

RSS1 = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://news.test/"><title>T</title><link>http://news.test/</link></channel>
<item rdf:about="http://news.test/r/1"><title>R1</title><link>http://news.test/r/1</link><dc:date>2026-11-02T10:00:00Z</dc:date></item>
</rdf:RDF>"""

RSS091 = b"""<?xml version="1.0"?><rss version="0.91"><channel><title>T</title><link>http://news.test/</link>
<item><title>Old</title><link>http://news.test/old/1</link></item></channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>T</title><id>urn:x</id><updated>2026-11-05T00:00:00Z</updated>
<entry><title>A</title><link rel="alternate" href="http://news.test/atom/1"/><id>urn:1</id>
<published>2026-11-05T09:30:00+02:00</published><updated>2026-11-06T00:00:00Z</updated></entry>
</feed>"""


def test_rss2_links_dates_and_relative_urls():
    links = feed_links(RSS2, BASE).links
    assert [link.url for link in links] == ["http://news.test/a/1", "http://news.test/a/2"]
    assert links[0].published == "2026-11-03T07:00:00+00:00"
    assert links[0].published_from == "feed"
    assert links[1].published is None


@pytest.mark.parametrize(
    ("body", "url"),
    [
        (RSS1, "http://news.test/r/1"),
        (RSS091, "http://news.test/old/1"),
        (ATOM, "http://news.test/atom/1"),
    ],
)
def test_other_feed_formats(body, url):
    assert [link.url for link in feed_links(body, BASE).links] == [url]


def test_atom_prefers_published_over_updated():
    assert feed_links(ATOM, BASE).links[0].published == "2026-11-05T07:30:00+00:00"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "not an RSS or Atom feed: the answer is empty"),
        (b"\x00\xff" * 50, "not a readable RSS or Atom feed: "),
        (
            b"<html><body>Not a feed</body></html>",
            "not an RSS or Atom feed (it is an HTML page; it advertises no feed)",
        ),
        (
            b"<!DOCTYPE html>\n<html><head><link rel='stylesheet' href='/s.css'>"
            b"<link rel='alternate' type='application/rss+xml' href='/rss/world.xml'></head>"
            b"<body>The world section</body></html>",
            "not an RSS or Atom feed (it is an HTML page; its advertised feed is "
            "http://news.test/rss/world.xml)",
        ),
    ],
)
def test_not_a_feed_is_a_named_error_that_says_what_it_is(body, reason):
    with pytest.raises(DiscoveryError) as caught:
        feed_links(body, BASE)
    assert str(caught.value).startswith(reason), caught.value


NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://news.test/s/1</loc><lastmod>2026-11-09</lastmod>
<news:news><news:publication><news:name>T</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2026-11-08T12:00:00Z</news:publication_date><news:title>S1</news:title></news:news></url>
<url><loc>http://news.test/s/2</loc><lastmod>2026-11-07</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://news.test/sitemap-1.xml</loc></sitemap><sitemap><loc>http://news.test/sitemap-2.xml.gz</loc></sitemap>
</sitemapindex>"""


def test_news_sitemap_dates_come_from_publication_date_then_lastmod():
    listing = sitemap_links(NEWS_SITEMAP, BASE)
    assert listing.kind == "urlset"
    links = listing.links
    assert [(link.url, link.published, link.published_from) for link in links] == [
        ("http://news.test/s/1", "2026-11-08T12:00:00+00:00", "news_sitemap"),
        ("http://news.test/s/2", "2026-11-07", "sitemap_lastmod"),
    ]
    assert links[0].title == "S1"


def test_sitemap_index():
    listing = sitemap_links(INDEX, BASE)
    assert listing.kind == "index"
    links = listing.links
    assert [link.url for link in links] == [
        "http://news.test/sitemap-1.xml",
        "http://news.test/sitemap-2.xml.gz",
    ]


def test_sitemap_entities_are_not_expanded():
    """A hostile sitemap cannot read local files through an external entity (XXE)."""
    hostile = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://news.test/&e;</loc></url></urlset>"""
    links = sitemap_links(hostile, BASE).links
    assert all("root:" not in link.url for link in links)


@pytest.mark.parametrize(
    "body", [b"", b"<html><body>x</body></html>", gzip.compress(b"junk", mtime=0)]
)
def test_not_a_sitemap_is_a_named_error(body):
    with pytest.raises(DiscoveryError):
        sitemap_links(body, BASE)


def _rss(n: int) -> bytes:
    items = "".join(f"<item><title>{i}</title><link>/n/{i}</link></item>" for i in range(n))
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()


def test_a_feed_is_read_up_to_its_limit_and_says_it_lists_more():
    listing = feed_links(_rss(30), BASE, limit=10)
    assert [link.url for link in listing.links] == [f"http://news.test/n/{i}" for i in range(10)]
    assert listing.more
    whole = feed_links(_rss(10), BASE, limit=10)
    assert len(whole.links) == 10 and not whole.more


def test_a_sitemap_is_read_up_to_its_limit():
    body = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>/s/{i}</loc></url>" for i in range(30))
        + "</urlset>"
    ).encode()
    listing = sitemap_links(body, BASE, limit=10)
    assert len(listing.links) == 10 and listing.more
    assert not sitemap_links(body, BASE, limit=30).more


def test_front_links_are_the_sites_own_matching_pages_once_in_page_order():
    body = b"""<html><head><base href="http://news.test/world/"></head><body>
    <a href="a-story">one</a><a href="a-story#comments">again</a>
    <a href="http://other.test/b-story">elsewhere</a><a href="/photo.jpg">picture</a>
    <a href="javascript:void(0)">menu</a><a href="mailto:x@news.test">mail</a><a href="">empty</a>
    <a href="/world/c-story">three</a><a href="/about/d-story">not followed</a>
    <a href="/world/e-story?print=1">denied</a><area href="/world/f-story">
    </body></html>"""
    listing = front_links(
        body,
        "http://www.news.test/world",
        follow=[re.compile("/world/")],
        deny=[re.compile("print=")],
    )
    assert [link.url for link in listing.links] == [
        "http://news.test/world/a-story",
        "http://news.test/world/c-story",
        "http://news.test/world/f-story",
    ]
    assert not listing.more


def test_a_front_of_many_links_costs_a_bounded_read():
    anchors = "".join(f'<a href="/n/{i}">{i}</a>' for i in range(50))
    listing = front_links(f"<html><body>{anchors}</body></html>".encode(), BASE, limit=20)
    assert len(listing.links) == 20 and listing.more
