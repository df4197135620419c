"""Each source's own boilerplate, learned from its articles and kept out of the new ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from config import load_config
from crawler.siteserver import SiteServer
from pipelines.boilerplate import block_keys, is_learned, without_blocks
from tests.helpers import run_newswatch
from tests.pages import news_page
from tests.sites import article_paragraphs, write_config

# In-body boilerplate written as plain paragraphs, as trafilatura keeps it.
PITCH = "Click the alert icon to follow topics you care about and be told first."
ORIGIN = "This story originally appeared in The Evening Courier and is republished here."
# A quote two stories share, and a background paragraph a series of stories reuses.
QUOTE = "We will not stop until every family on the estate has a safe home, she said."
BACKGROUND = (
    "The estate was built in 1968 and has been the subject of repeated complaints about damp "
    "and mould, according to council records seen by this newspaper."
)


def paragraphs(n: int) -> list[str]:
    text = article_paragraphs(n)
    if n in (2, 9):
        text.insert(1, QUOTE)
    if n % 4 == 0:
        text.insert(2, BACKGROUND)
    return [*text[:3], PITCH, *text[3:], ORIGIN]


def publish(site: Path, count: int) -> None:
    """The site with `count` stories, each carrying the in-body boilerplate."""
    (site / "news").mkdir(parents=True, exist_ok=True)
    items = ""
    for n in range(count):
        page = news_page(f"Estate story number {n}", paragraphs(n))
        (site / "news" / f"story-{n}.html").write_text(page, encoding="utf-8")
        items += f"<item><link>{{{{BASE}}}}/news/story-{n}</link></item>"
    (site / "feed.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>',
        encoding="utf-8",
    )


@pytest.mark.e2e
def test_blocks_in_most_of_a_sources_articles_are_learned_and_taken_out_of_new_ones(tmp_path):
    publish(tmp_path / "site", 8)
    with SiteServer(tmp_path / "site") as server:
        sources = f'[[source]]\nname = "estate"\nfeeds = ["{server.base}/feed.xml"]\n'
        config_dir = write_config(tmp_path / "cfg", sources)
        first = run_newswatch("--config", str(config_dir), "crawl")
        assert first.returncode == 0, first.stderr
        publish(tmp_path / "site", 16)
        second = run_newswatch("--config", str(config_dir), "crawl")
        assert second.returncode == 0, second.stderr

    db = Database(load_config(config_dir).storage.database)
    texts = {
        int(row["url"].rsplit("-", 1)[1]): row["text"]
        for row in db.query("SELECT url, text FROM articles")
    }
    assert len(texts) == 16
    before = [n for n in range(8) if PITCH in texts[n] and ORIGIN in texts[n]]
    assert len(before) >= 5, "trafilatura keeps it: the first articles carry it"
    for n in range(8, 16):
        assert PITCH not in texts[n] and ORIGIN not in texts[n], texts[n]
        assert article_paragraphs(n)[0] in texts[n] and article_paragraphs(n)[-1] in texts[n]
    # Never learned: a quote two stories share, background three of sixteen reuse.
    assert QUOTE in texts[9] and BACKGROUND in texts[12], "not boilerplate"
    learned = {
        row["block"]
        for row in db.query(
            "SELECT block FROM source_blocks WHERE source = 'estate' AND articles >= 5"
        )
    }
    assert {PITCH, ORIGIN} <= learned
    # The watch matcher and the duplicates see the clean text: its hash is the text's.
    row = next(db.query("SELECT text, text_hash FROM articles WHERE url LIKE '%story-12'"))
    from pipelines.textnorm import text_hash

    assert row["text_hash"] == text_hash(row["text"])


def test_the_learning_rule():
    assert not is_learned(4, 4), "too few articles"
    assert is_learned(5, 5) and is_learned(6, 12)
    assert not is_learned(6, 13), "in less than half the articles since it appeared"
    keys = block_keys(f"First line of the story.\n{PITCH}\nShort\n{PITCH.upper()}")
    assert len(keys) == 2, keys  # the same block whatever its case; short lines ignored
    text, removed = without_blocks(f"Story text here.\n{PITCH}\nMore story.", keys)
    assert text == "Story text here.\nMore story." and len(removed) == 1
    assert without_blocks(PITCH, keys) == (PITCH, ()), "a text is never all boilerplate"
