"""The item pipelines, built directly around a real SQLite file: extract, then store (and dedupe)."""

from __future__ import annotations

import asyncio

import pytest
from scrapy.utils.test import get_crawler
from sqlite_utils import Database

from crawler.items import ArticlePage, FailedPage, ListingPage
from pipelines.extract_pipeline import ExtractPipeline, NotAnArticle
from pipelines.store_pipeline import StorePipeline
from tests.pages import ENGLISH, news_page

NOW = "2026-11-28T10:00:00+00:00"


def page(url: str, html: str, **hints) -> ArticlePage:
    return ArticlePage(
        url=url,
        source="gazette",
        status=200,
        body=html.encode("utf-8"),
        content_type="text/html",
        fetched_at=NOW,
        hints={"presented_by": "feed", **hints},
    )


@pytest.fixture
def pipelines(tmp_path):
    crawler = get_crawler(
        settings_dict={"NEWSWATCH_DB_PATH": str(tmp_path / "nw.db"), "NEWSWATCH_SOURCE": "gazette"}
    )
    extract = ExtractPipeline(workers=0, min_words=40)
    store = StorePipeline.from_crawler(crawler)
    for pipeline in (extract, store):
        pipeline.open_spider()
    yield extract, store, crawler
    store.close_spider()
    store.spider_closed("finished")


def run(pipelines, item):
    """One item through the pipelines; a drop is recorded as Scrapy's signal would."""
    extract, store, _ = pipelines
    try:
        item = asyncio.run(extract.process_item(item))
        return store.process_item(item)
    except NotAnArticle as drop:
        store.item_dropped(item, drop)
        return drop


def test_article_copy_and_non_article(pipelines, tmp_path):
    html = news_page("Transport reform passes", ENGLISH)
    stored = run(
        pipelines, page("http://gazette.test/a", html, published="2026-11-19T00:00:00+00:00")
    )
    assert isinstance(stored, ArticlePage) and stored.article_id == 1
    copy = run(pipelines, page("http://mirror.test/copy", html.replace("Gazette", "Mirror")))
    assert isinstance(copy, ArticlePage) and copy.article_id == 1  # a sighting of article 1
    login = run(
        pipelines, page("http://gazette.test/login", news_page("Log in", ["Log in to read."]))
    )
    assert isinstance(login, NotAnArticle) and login.reason == "too_short"
    run(
        pipelines,
        ListingPage(
            url="http://gazette.test/rss",
            source="gazette",
            kind="feed",
            status=200,
            fetched_at=NOW,
            links=3,
            etag='"x"',
            body=b"<rss/>",
        ),
    )
    run(
        pipelines,
        FailedPage(
            url="http://gazette.test/gone",
            source="gazette",
            kind="article",
            reason="HTTP 404",
            status=404,
            fetched_at=NOW,
        ),
    )
    *_, store, crawler = pipelines
    store.store.flush()

    db = Database(tmp_path / "nw.db")
    article = db["articles"].get(1)
    # The page's own JSON-LD date wins over the feed's.
    assert (
        article["published"] == "2026-11-20T09:30:00+01:00"
        and article["published_from"] == "json_ld"
    )
    assert [s["url"] for s in db["sightings"].rows] == [
        "http://gazette.test/a",
        "http://mirror.test/copy",
    ]
    outcomes = {r["url"]: (r["outcome"], r["reason"]) for r in db["pages"].rows}
    assert outcomes == {
        "http://gazette.test/a": ("stored", None),
        "http://mirror.test/copy": ("duplicate", "same article as http://gazette.test/a"),
        "http://gazette.test/login": ("skipped", "too_short: 4 words, fewer than 20"),
        "http://gazette.test/rss": ("listed", None),
        "http://gazette.test/gone": ("failed", "HTTP 404"),
    }
    store.spider_closed("finished")
    run_row = db["crawl_runs"].get(store.run_id)
    assert (
        run_row["status"],
        run_row["articles_new"],
        run_row["duplicates"],
        run_row["skipped"],
        run_row["errors"],
    ) == ("finished", 1, 1, 1, 1)
    assert crawler.stats.get_value("newswatch/status") == "finished"


def test_feed_date_fills_a_page_without_one(pipelines, tmp_path):
    html = news_page("Transport", ENGLISH).replace(
        '"datePublished": "2026-11-20T09:30:00+01:00",', ""
    )
    html = html.replace('<time datetime="2026-11-20T09:30:00+01:00">', "<time>")
    item = run(
        pipelines,
        page(
            "http://gazette.test/b",
            html,
            published="2026-11-19T06:00:00+00:00",
            published_from="feed",
        ),
    )
    assert item.article.published == "2026-11-19T06:00:00+00:00"
    assert item.article.published_from == "feed"


@pytest.mark.e2e
def test_extraction_in_a_process_pool():
    """Workers are real spawned processes; the pool is shared and shut down on the last close."""
    extract = ExtractPipeline(workers=2, min_words=40)
    extract.open_spider()
    try:
        item = asyncio.run(
            extract.process_item(page("http://gazette.test/a", news_page("Transport", ENGLISH)))
        )
        assert item.article.title == "Transport" and ENGLISH[0] in item.article.text
    finally:
        extract.close_spider()
