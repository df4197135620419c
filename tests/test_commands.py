"""`newswatch extract`, `pages` and `forget` through the real CLI, against a local site: why
a page was skipped, releasing it to be fetched again, and one page judged as the crawl would."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlite_utils import Database

from crawler.siteserver import SiteServer
from tests.helpers import run_newswatch
from tests.pages import ENGLISH, news_page
from tests.sites import generated_source

pytestmark = pytest.mark.e2e

SHORT = "/news/short-brief-on-the-harbour-council-vote-with-a-rather-long-address-indeed"


@contextmanager
def site_with_a_short_page(tmp_path: Path):
    """The generated site (two articles behind a feed, /private/ disallowed by robots.txt)
    whose feed also lists a page too short to be an article."""
    with generated_source(tmp_path, 2) as (server, config, paths):
        write_page(server, SHORT, [ENGLISH[0]])
        feed = server.root / "feed.xml"
        item = f"<item><title>Brief</title><link>{{{{BASE}}}}{SHORT}</link></item></channel>"
        feed.write_text(feed.read_text().replace("</channel>", item))
        yield server, config, paths


def write_page(server: SiteServer, path: str, paragraphs: list[str]) -> None:
    target = server.root / f"{path.lstrip('/')}.html"
    target.write_text(news_page("Harbour council vote", paragraphs), encoding="utf-8")


def newswatch(config: Path, *args: str, code: int = 0, columns: int | None = None):
    result = run_newswatch("--config", str(config), *args, columns=columns)
    assert result.returncode == code, result.stdout + result.stderr
    return result


def database(config: Path) -> Database:
    return Database(config / "data" / "newswatch.db")


def one_line_error(result) -> str:
    """The one line a bad input gives: no traceback, nothing but the error."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def skipped_pages(config: Path) -> list[tuple[str, str]]:
    return (
        database(config)
        .execute("SELECT url, reason FROM pages WHERE outcome = 'skipped'")
        .fetchall()
    )


def test_a_skipped_page_is_listed_with_its_reason_forgotten_and_stored_once_long_enough(tmp_path):
    with site_with_a_short_page(tmp_path) as (server, config, _):
        url = server.base + SHORT
        newswatch(config, "crawl")
        skipped = json.loads(newswatch(config, "pages", "--outcome", "skipped", "--json").stdout)
        assert [(p["url"], p["kind"], p["source"]) for p in skipped] == [(url, "article", "gen")]
        # The crawl's own words: a page its feed presents needs half the minimum (80).
        assert skipped[0]["reason"].startswith("too_short: "), skipped
        assert skipped[0]["reason"].endswith("words, fewer than 40"), skipped
        one = newswatch(config, "pages", url, "--reason", "TOO_SHORT", "--json").stdout
        assert json.loads(one) == skipped, "its record, by URL; a reason matches in any case"

        # In a pipe, tab-separated lines whole; on a terminal of 80 columns, no line wider.
        piped = newswatch(config, "pages").stdout.splitlines()
        assert f"skipped\t{url}\t{skipped[0]['reason']}" in "\n".join(piped), piped
        shown = newswatch(config, "pages", columns=80).stdout
        assert max(len(line) for line in shown.splitlines()) <= 80, f"over 80 columns:\n{shown}"
        assert "skipped" in shown and "too_short:" in shown and "stored" in shown, shown

        write_page(server, SHORT, ENGLISH)  # the site fixes the page
        newswatch(config, "crawl")
        assert server.paths().count(SHORT) == 1, "a skipped page is settled: not fetched again"

        dry = newswatch(config, "forget", "--source", "gen", "--dry-run")
        assert "would release 1 page(s)" in dry.stdout, dry.stdout
        assert skipped_pages(config) == [(url, skipped[0]["reason"])], "a dry run changes nothing"
        released = newswatch(config, "forget", url)
        assert "released 1 page(s)" in released.stdout, released.stdout
        assert skipped_pages(config) == []

        newswatch(config, "crawl")
        assert server.paths().count(SHORT) == 2, "a released page is fetched again"
        stored = json.loads(newswatch(config, "pages", url, "--json").stdout)
        assert [p["outcome"] for p in stored] == ["stored"], stored
        row = database(config)["articles"].get(stored[0]["article_id"])
        assert row["url"] == url and "Helena Brandt" in row["text"]

        # Forgetting never touches stored articles: they stay settled.
        kept = newswatch(config, "forget", url, "--source", "gen")
        assert "not released: " + url + " (stored)" in kept.stdout, kept.stdout
        assert "released 0 page(s)" in kept.stdout, kept.stdout
        assert database(config)["articles"].count == 3


def test_extract_judges_a_page_as_the_crawl_did_and_stores_nothing(tmp_path):
    with site_with_a_short_page(tmp_path) as (server, config, paths):
        newswatch(config, "crawl")
        db = database(config)
        url = server.base + paths[0]
        row = next(db["articles"].rows_where("url = ?", [url]))
        before = {t: db[t].count for t in ("articles", "pages", "crawl_runs", "sightings")}

        fetched = json.loads(newswatch(config, "extract", url, "--json").stdout)
        assert fetched["outcome"] == "article" and fetched["source"] == "gen", fetched
        assert fetched["presented_by"] == "feed", "as the crawl found it: in the feed"
        assert (fetched["title"], fetched["text"]) == (row["title"], row["text"])
        assert fetched["word_count"] == row["word_count"]
        assert fetched["stored_as"] == row["id"]

        saved = tmp_path / "saved.html"
        saved.write_bytes((server.root / f"{paths[0].lstrip('/')}.html").read_bytes())
        from_file = json.loads(
            newswatch(config, "extract", str(saved), "--url", url, "--json").stdout
        )
        assert (from_file["title"], from_file["text"]) == (row["title"], row["text"])
        assert from_file["url"] == url and from_file["source"] == "gen"

        shown = newswatch(config, "extract", url).stdout
        assert shown.startswith(row["title"] + "\n"), shown
        assert f"{row['word_count']} words" in shown and "Maria Jensen" in shown
        assert ENGLISH[3].split(",")[0] in shown, shown

        # A page the crawl skipped: why, in the words it recorded; exit status 1.
        short = server.base + SHORT
        (recorded,) = [reason for page, reason in skipped_pages(config) if page == short]
        skipped = newswatch(config, "extract", short, code=1)
        assert skipped.stdout.startswith(f"skipped: {recorded}\n"), skipped.stdout
        as_json = json.loads(newswatch(config, "extract", short, "--json", code=1).stdout)
        assert (as_json["outcome"], as_json["reason"]) == ("skipped", recorded), as_json
        assert "title" not in as_json and "text" not in as_json
        # Saved, with no address or source, it is a page found nowhere: the whole minimum.
        saved.write_bytes((server.root / f"{SHORT.lstrip('/')}.html").read_bytes())
        strict = json.loads(newswatch(config, "extract", str(saved), "--json", code=1).stdout)
        assert strict["reason"].endswith("words, fewer than 80"), strict
        # A page that is no HTML is skipped in the crawl's words too.
        text = newswatch(config, "extract", server.base + "/robots.txt", code=1)
        assert text.stdout.startswith("skipped: not_html: text/plain"), text.stdout

        after = {t: db[t].count for t in before}
        assert after == before, "extract stores nothing"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("extract", "{base}/news/nosuch"), "{base}/news/nosuch: HTTP 404"),
        (("extract", "{base}/private/page"), "{base}/private/page: forbidden by robots.txt"),
        (("extract", "http://127.0.0.1:9/page"), "http://127.0.0.1:9/page: connection refused"),
        (("extract", "{tmp}/nosuch.html"), "{tmp}/nosuch.html: No such file or directory"),
        (("extract", "--source", "nosuch", "{base}/news/story-0"), "configured: gen"),
        (("extract", "{base}/news/story-0", "--url", "{base}/x"), "TARGET is a URL already"),
        (("pages", "--outcome", "nosuch"), "is not one of: stored, duplicate, skipped, failed"),
        (("pages", "--source", "nosuch"), "the choices are: gen"),
        (("pages", "--since", "someday"), "is not a date or time like"),
        (("forget",), "name the pages to forget: URLs, or --source NAME"),
        (("forget", "--source", "nosuch"), "the choices are: gen"),
        (("forget", "--source", "gen", "--outcome", "stored"), "is not one of: skipped, failed"),
    ],
)
def test_bad_input_is_a_one_line_error(tmp_path, args, says):
    with generated_source(tmp_path, 1, crawl="retries = 0\n") as (server, config, _):
        values = {"base": server.base, "tmp": tmp_path}
        result = run_newswatch("--config", str(config), *(a.format(**values) for a in args))
        assert says.format(**values) in one_line_error(result), result.stderr
