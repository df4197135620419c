"""The web face in a real browser: headless Chromium (Debian's), driven by Playwright, over
`newswatch serve` on a database a real crawl filled. A browser that cannot start fails
these tests: they are never skipped."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import feedparser
import pytest

from tests.webface import WATCH, Served

pytestmark = pytest.mark.e2e

# Screenshots, kept as test artefacts (not committed); the home page's is the README's.
ARTIFACTS = Path(
    os.environ.get("NEWSWATCH_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts")
)
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # This machine's network is closed: without these Chromium keeps calling out.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Chromium is not installed (Debian: apt-get install chromium; .ci/run does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_a_reader_finds_a_watched_name_reads_the_article_and_follows_its_feed(corpus, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    dialogs: list[str] = []
    with Served(corpus) as web:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(web.url("/"))
        home = page.inner_text("body")
        assert "Latest alerts" in home and WATCH in home
        assert "gazette" in home and "Newest articles" in home
        page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)

        # Search for the watched name, open the article.
        page.fill("input[name=q]", "Lovelace")
        page.press("input[name=q]", "Enter")
        page.wait_for_load_state()
        assert "Engine notes by Ada Lovelace found" in page.inner_text("body")
        page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)
        page.goto(web.url("/"))
        page.click("text=Engine notes by Ada Lovelace found")
        page.wait_for_load_state()
        article = page.inner_text("body")
        assert "Ada Lovelace wrote the notes." in article
        assert "Alerts it raised" in article and f"{WATCH}:" in article
        assert "The story's other outlets" in article
        assert "Lovelace's engine notes found in archive" in article, "the wire's copy"
        page.screenshot(path=str(ARTIFACTS / "article.png"), full_page=True)

        # The watch's feed, from the link on the home page.
        page.goto(web.url("/"))
        href = page.get_attribute(f"h3:has-text('{WATCH}') >> text=Atom feed", "href")
        response = page.request.get(web.url(href))
        assert response.ok
        feed = feedparser.parse(response.body())
        assert not feed.bozo and len(feed.entries) == 2

        # The page made to run script: its title and text shown, nothing run.
        page.goto(web.url("/"))
        page.click("text=<script>")
        page.wait_for_load_state()
        hostile = page.inner_text("body")
        assert '<script>alert("text")</script>' in hostile
        page.screenshot(path=str(ARTIFACTS / "hostile.png"), full_page=True)
    assert dialogs == [], "a crawled page's text ran as script"
