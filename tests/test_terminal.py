"""What a crawled page says reaches the terminal as text: never as rich markup, never as an
escape sequence. Hostile titles and text go through every command that prints them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from rich.console import Console

from crawler.report import line, plain, table
from crawler.siteserver import SiteServer
from pipelines.textnorm import printable
from tests.helpers import run_newswatch
from tests.pages import ENGLISH, news_page
from tests.sites import write_config

# Markup rich would read (and choke on), and an escape sequence that would turn the
# user's terminal red and retitle its window.
TITLE = "Live: council budget vote [updated] [/b] \x1b[31mred\x1b]0;pwned\x07"
SHOWN_TITLE = "Live: council budget vote [updated] [/b] red"
HOSTILE = (
    "The council praised the plan for the new tram line [bold] on Tuesday,\x1b[2J "
    "[link=http://evil.example]click here[/link] said the banner [/b]."
)


def render(renderable) -> str:
    out = StringIO()
    Console(file=out, width=100, force_terminal=True).print(renderable)
    return out.getvalue()


def test_printable_drops_escape_sequences_and_control_characters():
    assert printable("a\x1b[31mred\x1b[0m b") == "ared b"
    assert printable("x\x1b]0;window title\x07y") == "xy"  # OSC: retitles the window
    assert printable("c1 \x9b31m csi") == "c1  csi"
    assert printable("bell\x07 back\x08 cr\r nul\x00") == "bell back cr nul"
    assert printable("keeps [b] tabs\tand\nnewlines, ü, 中文, עברית") == (
        "keeps [b] tabs\tand\nnewlines, ü, 中文, עברית"
    )


def test_plain_text_lines_and_tables_show_markup_as_written():
    """`[/b]` would raise MarkupError, `[tram]` would vanish, if read as markup."""
    text = render(line(("#1 ", "bold"), "[/b] the [tram] line [link=http://x]x[/link]"))
    assert "[/b] the [tram] line [link=http://x]x[/link]" in text
    assert "\x1b]8;" not in text, "no hyperlink was made"
    listing = table("title", "url")
    listing.add_row(TITLE, "http://x/[bold]")
    shown = render(listing)
    assert "[updated] [/b]" in shown and "http://x/[bold]" in shown
    assert "\x1b[31m" not in shown and "pwned" not in shown
    assert plain(None).plain == "" and plain(3).plain == "3"


@pytest.mark.e2e
def test_hostile_titles_and_text_through_every_command(tmp_path):
    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    published = (datetime.now(UTC) - timedelta(hours=3)).isoformat(timespec="seconds")
    page = site / "news" / "vote.html"
    page.write_text(news_page(TITLE, [HOSTILE, *ENGLISH], published=published), encoding="utf-8")
    (site / "feed.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>{{BASE}}/</link>'
        "<item><link>{{BASE}}/news/vote</link></item></channel></rss>",
        encoding="utf-8",
    )
    with SiteServer(site) as server:
        config_dir = write_config(
            tmp_path / "cfg",
            f'[[source]]\nname = "hostile"\nfeeds = ["{server.base}/feed.xml"]\nrecheck = "48h"\n',
        )
        (config_dir / "watchlist.toml").write_text('[[watch]]\nname = "Helena Brandt"\n')
        cli = ("--config", str(config_dir))
        first = run_newswatch(*cli, "--log-format", "console", "crawl")
        update = "An amendment [/i] on night routes [red] was tabled by the [opposition]."
        page.write_text(
            news_page(TITLE, [HOSTILE, update, *ENGLISH], published=published), encoding="utf-8"
        )
        second = run_newswatch(*cli, "--log-format", "console", "-v", "crawl")

    outputs = {
        "crawl": first,
        "crawl (recheck, console log)": second,
        "search": run_newswatch(*cli, "search", "budget"),
        "search tram": run_newswatch(*cli, "search", "tram"),
        "alerts": run_newswatch(*cli, "alerts"),
        "history": run_newswatch(*cli, "history", "1", "--diff"),
        "cluster": run_newswatch(*cli, "cluster", "1"),
        "status": run_newswatch(*cli, "status", "--runs", "2"),
        "stats": run_newswatch(*cli, "stats"),
    }
    for command, result in outputs.items():
        everything = result.stdout + result.stderr
        assert result.returncode == 0, f"{command}: {everything}"
        assert "Traceback" not in everything and "MarkupError" not in everything, command
        assert "\x1b" not in everything and "\x07" not in everything, f"{command}: {everything!r}"
        assert "pwned" not in everything, command
    assert "article_stored" in first.stderr and SHOWN_TITLE in first.stderr, first.stderr
    for command in ("search", "alerts", "history"):
        assert SHOWN_TITLE in " ".join(outputs[command].stdout.split()), outputs[command].stdout
    # The snippet keeps its brackets and the matched word (lower case: once deleted as a tag).
    tram = " ".join(outputs["search tram"].stdout.split())
    assert "new tram line [bold] on Tuesday" in tram, tram
    assert "[link=http://evil.example]click here[/link]" in tram, tram
    assert "Helena Brandt" in outputs["alerts"].stdout
    history = outputs["history"].stdout
    assert "+An amendment [/i] on night routes [red] was tabled by the [opposition]." in history
