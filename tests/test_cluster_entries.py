"""The cluster's messages: stream entries round-trip and hostile ones are refused; a
snapshot holds what a crawl of its source reads, and nothing of other sources."""

from __future__ import annotations

import sqlite3
import zlib

import orjson
import pytest

from config import load_config
from crawler.cluster.entries import (
    BadEntry,
    decode,
    dropped_entry,
    end_entry,
    page_entry,
)
from crawler.cluster.snapshot import make_snapshot, write_snapshot
from crawler.items import ArticlePage, FailedPage, ListingPage
from crawler.run import crawl_sources
from pipelines.extract import Article, Skipped
from pipelines.extract_pipeline import ExtractionFailed, NotAnArticle


def article_page() -> ArticlePage:
    page = ArticlePage(
        url="http://127.0.0.1/a",
        source="ledger",
        status=200,
        body=b"\x00\xff<html>",
        content_type="text/html",
        fetched_at="2026-11-30T10:00:00+00:00",
        hints={"published": "2026-11-29", "presented_by": "feed"},
        headers=[("Content-Type", "text/html")],
        listed="http://127.0.0.1/a?utm=1",
    )
    page.article = Article(url=page.url, text="Text.", authors=("A. B.",), minhash=b"\x01\x02")
    page.boilerplate = ("key",)
    return page


def redis_fields(fields: dict[str, bytes]) -> dict[bytes, bytes]:
    return {k.encode(): v for k, v in fields.items()}  # as XREAD gives them back


def test_pages_and_drops_and_ends_come_back_as_they_were_sent():
    page = article_page()
    back = decode(redis_fields(page_entry(page, 7)))
    assert (back.kind, back.run_id, back.item) == ("page", 7, page)
    listing = ListingPage("http://h/feed", "ledger", "feed", 200, "t", links=3, body=b"<rss/>")
    assert decode(page_entry(listing, 7)).item == listing
    failed = FailedPage("http://h/x", "ledger", "article", "HTTP 404", "t", status=404)
    assert decode(page_entry(failed, 7)).item == failed

    skipped = decode(dropped_entry(page, NotAnArticle(Skipped("too_short", "12 words")), 7))
    assert isinstance(skipped.dropped, NotAnArticle)
    assert (skipped.dropped.reason, skipped.dropped.detail) == ("too_short", "12 words")
    failure = decode(dropped_entry(page, ExtractionFailed("worker died"), 7)).dropped
    assert isinstance(failure, ExtractionFailed) and str(failure) == "worker died"

    end = decode(end_entry(7, "finished", {"newswatch/feeds": 1, "t": object()}, "w1"))
    assert (end.kind, end.reason, end.worker) == ("end", "finished", "w1")
    assert end.stats["newswatch/feeds"] == 1


def test_the_worker_near_duplicate_guess_is_not_sent():
    page = article_page()
    page.nearest = object()  # what the worker found on its snapshot, not the database
    assert decode(page_entry(page, 1)).item.nearest is None


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"kind": b"page", "run": b"1", "data": b"{}"}, "not a newswatch entry"),
        ({"v": b"9", "kind": b"page", "run": b"1", "data": b"{}"}, "version"),
        ({"v": b"1", "kind": b"page", "run": b"x", "data": b"{}"}, "not a newswatch entry"),
        ({"v": b"1", "kind": b"rm", "run": b"1", "data": b"{}"}, "unknown kind"),
        ({"v": b"1", "kind": b"page", "run": b"1", "data": b"[1]"}, "not an object"),
        ({"v": b"1", "kind": b"page", "run": b"1", "data": b"{not json"}, "entry 'page'"),
        (
            {"v": b"1", "kind": b"page", "run": b"1", "data": b'{"type": "shell", "item": {}}'},
            "shell",
        ),
        (
            {
                "v": b"1",
                "kind": b"page",
                "run": b"1",
                "data": orjson.dumps({"type": "failed", "item": {"url": "u", "__class__": 1}}),
            },
            "unknown fields",
        ),
        (
            {
                "v": b"1",
                "kind": b"page",
                "run": b"1",
                "data": orjson.dumps(
                    {
                        "type": "listing",
                        "item": {
                            "url": 5,
                            "source": "s",
                            "kind": "feed",
                            "status": 200,
                            "fetched_at": "t",
                        },
                    }
                ),
            },
            "expected a string",
        ),
        (
            {
                "v": b"1",
                "kind": b"dropped",
                "run": b"1",
                "data": orjson.dumps(
                    {
                        "type": "failed",
                        "item": {
                            "url": "u",
                            "source": "s",
                            "kind": "k",
                            "reason": "r",
                            "fetched_at": "t",
                        },
                        "why": {"kind": "extraction_failed", "message": "m"},
                    }
                ),
            },
            "no article page",
        ),
    ],
)
def test_an_entry_no_worker_wrote_is_refused_with_its_reason(fields, says):
    with pytest.raises(BadEntry, match=says):
        decode(fields)


def test_a_snapshot_holds_its_source_settled_pages_and_validators_only(demo_config, tmp_path):
    config = load_config(demo_config)
    crawl_sources(config, config.enabled_sources)
    source = config.enabled_sources[0]
    path = write_snapshot(make_snapshot(config.storage.database, source), tmp_path / "s.db")
    snap = sqlite3.connect(path)
    main = sqlite3.connect(config.storage.database)
    query = (
        "SELECT url, outcome, etag, last_modified, body FROM pages WHERE source = ? ORDER BY url"
    )
    assert (
        snap.execute(query, [source.name]).fetchall()
        == main.execute(query, [source.name]).fetchall()
    )
    assert snap.execute(
        "SELECT count(*) FROM pages WHERE source != ?", [source.name]
    ).fetchone() == (0,)
    assert snap.execute("SELECT count(*) FROM pages").fetchone()[0] > 0
    assert snap.execute("SELECT count(*) FROM sightings").fetchone()[0] > 0
    assert snap.execute("SELECT count(*) FROM articles").fetchone() == (0,)  # no recheck


def test_a_damaged_snapshot_is_refused(tmp_path):
    with pytest.raises(ValueError, match="snapshot cannot be read"):
        write_snapshot(b"not zlib", tmp_path / "s.db")
    with pytest.raises(ValueError, match="snapshot"):
        write_snapshot(zlib.compress(b"SQLite format 3\x00" + b"\x00" * 100), tmp_path / "t.db")


def test_an_article_page_body_goes_only_when_asked_for_and_a_listing_body_always():
    page = article_page()
    assert decode(page_entry(page, 1, body=False)).item.body == b""
    assert decode(page_entry(page, 1)).item.body == page.body
    listing = ListingPage("http://h/feed", "ledger", "feed", 200, "t", body=b"<rss/>")
    assert decode(page_entry(listing, 1, body=False)).item.body == b"<rss/>"
