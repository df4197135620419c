"""Hostile listings from the open web: one bad entry never loses the others."""

from __future__ import annotations

import sqlite3

from crawler.siteserver import SiteServer
from tests.conftest import run_newswatch
from tests.pages import news_page
from tests.sites import article_paragraphs, write_config

GOOD = [f"/news/story-{n}" for n in range(6)]


def _item(link: str, date: str = "Mon, 23 Nov 2026 10:00:00 GMT") -> str:
    return f"<item><title>t</title><link>{link}</link><pubDate>{date}</pubDate></item>"


def test_bad_entries_in_a_feed_and_a_sitemap_are_recorded_and_the_rest_crawled(tmp_path):
    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    for n, path in enumerate(GOOD):
        (site / f"{path[1:]}.html").write_text(
            news_page(f"Story number {n}", article_paragraphs(n)), encoding="utf-8"
        )
    bad_links = {
        "http://ex\u2100ample.invalid/a": "not a URL",  # invalid under NFKC
        "http://127.0.0.1:99999/b": "not a URL",  # not a port: never fetched as port 80
        "http://127.0.0.1/" + "x" * 3000: "a link of 3,017 characters",
    }
    items = [
        # CMS placeholders for "no date", in each field feedparser reads.
        _item("{{BASE}}" + GOOD[0], "0000-00-00T00:00:00Z"),
        _item("{{BASE}}" + GOOD[1], "0000-00-00 00:00:00"),
        *(_item(link) for link in bad_links),
        # A valid IPv6 link keeps its brackets (this server answers on 127.0.0.1 only).
        _item("http://[::1]:{{PORT}}" + GOOD[5]),
        _item("{{BASE}}" + GOOD[2]),
    ]
    (site / "feed.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>H</title>'
        + "".join(items).replace("&", "&amp;")
        + "</channel></rss>",
        encoding="utf-8",
    )
    (site / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>http://[::1/sitemap-broken</loc></url>"
        + "".join(
            f"<url><loc>{{{{BASE}}}}{path}</loc><lastmod>0001-01-01</lastmod></url>"
            for path in GOOD[3:]
        )
        + "</urlset>",
        encoding="utf-8",
    )
    with SiteServer(site) as server:
        feed = site / "feed.xml"
        feed.write_text(feed.read_text().replace("{{PORT}}", server.base.rsplit(":", 1)[1]))
        config_dir = write_config(
            tmp_path / "cfg",
            f'[[source]]\nname = "h"\nfeeds = ["{server.base}/feed.xml"]\n'
            f'sitemaps = ["{server.base}/sitemap.xml"]\n',
            "retries = 0\n",
        )
        result = run_newswatch("--config", str(config_dir), "crawl", timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(config_dir / "data" / "newswatch.db")
    stored = {
        url.split("127.0.0.1", 1)[1].split("/", 1)[1]
        for (url,) in db.execute("SELECT url FROM articles")
    }
    assert stored == {path[1:] for path in GOOD}, "every good entry, after each bad one"
    dates = [d for (d,) in db.execute("SELECT published FROM articles") if d]
    assert not [d for d in dates if d < "1900"], dates
    skipped = dict(
        db.execute(
            "SELECT url, reason FROM pages WHERE outcome = 'skipped' AND reason LIKE 'unusable%'"
        ).fetchall()
    )
    for link, reason in bad_links.items():
        recorded = next((r for u, r in skipped.items() if link.startswith(u) or u == link), None)
        assert recorded and reason in recorded, (link, skipped)
    assert any(r.startswith("unusable link in a sitemap") for r in skipped.values()), skipped
    ipv6 = db.execute("SELECT outcome FROM pages WHERE url LIKE 'http://[::1]:%'").fetchall()
    assert ipv6 == [("failed",)], ipv6
    (status,) = db.execute("SELECT status FROM crawl_runs").fetchone()
    assert status == "finished"
