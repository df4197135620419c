"""Hostile input from the open web: one bad entry never loses the others, every URL fetched
or refused gets a row with a reason a person understands, and a listing costs a bounded time."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawler.siteserver import SiteServer
from tests.helpers import newswatch_command, run_newswatch
from tests.pages import news_page
from tests.sites import article_paragraphs, write_config

pytestmark = pytest.mark.e2e

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


class HostileSite:
    """A site that misbehaves in every way a crawler meets on the open web, one path per
    case; it counts the requests for each path."""

    ARTICLES = ("/news/moved-story", "/news/escaped", *(f"/news/n{i}" for i in range(40)))

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                with site.lock:
                    site.hits[self.path] += 1
                site.answer(self, self.path)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> HostileSite:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, h: BaseHTTPRequestHandler, path: str) -> None:
        base = self.base
        raw = h.wfile.write
        if path.split("?")[0] in self.ARTICLES:
            n = self.ARTICLES.index(path.split("?")[0])
            return _send(h, 200, news_page(f"Story {path}", article_paragraphs(n)).encode())
        match path:
            case "/feed.xml":
                links = [
                    "/loop-a",
                    "/moved",
                    "/busy",
                    "/broken",
                    "/http09",
                    "/big-header",
                    "/data-loss",
                    "/too-large",
                    "/too-large-unannounced",
                    "/feed.xml#top",  # an item pointing back at its feed
                    "/news/escaped?q=%e2%82",  # an escape that is not UTF-8
                ]
                return _send(h, 200, _rss(base, links), "application/rss+xml")
            case "/loop-a" | "/loop-b":
                other = "/loop-b" if path == "/loop-a" else "/loop-a"
                return _send(h, 302, b"", headers={"Location": base + other})
            case "/moved":
                return _send(h, 301, b"", headers={"Location": base + "/news/moved-story"})
            case "/busy":
                return _send(h, 503, b"busy", headers={"Retry-After": "999999"})
            case "/broken":
                return _send(h, 500, b"oops", headers={"Retry-After": "999999"})
            case "/http09":
                raw(b"<html><body>no status line, no headers</body></html>")
            case "/big-header":
                raw(b"HTTP/1.1 200 OK\r\nX-Big: " + b"x" * 65536 + b"\r\n\r\n")
            case "/data-loss":
                raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 50000\r\n\r\n")
                raw(b"<html><body><p>the rest never comes")
            case "/too-large":
                _send(h, 200, b"<html>" + b" " * (9 * 1024 * 1024))
            case "/too-large-unannounced":
                raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n")
                with contextlib.suppress(OSError):
                    for _ in range(9 * 16):
                        raw(b" " * 65536)
            case "/big-feed.xml":  # 100,000 items
                return _send(h, 200, _rss(base, [f"/news/n{i}" for i in range(100_000)]))
            case "/front":  # 200,000 links
                anchors = "".join(f'<a href="/news/n{i}">{i}</a>' for i in range(200_000))
                return _send(h, 200, f"<html><body>{anchors}</body></html>".encode())
            case "/sitemap-index.xml":  # lists itself ten times
                entries = [f"{base}/sitemap-index.xml"] * 10 + [f"{base}/sitemap-news.xml"]
                return _send(h, 200, _sitemap("sitemapindex", "sitemap", entries))
            case "/sitemap-news.xml":
                entries = [f"{base}/news/n{i}" for i in range(5)]
                return _send(h, 200, _sitemap("urlset", "url", entries))
            case _:
                return _send(h, 404, b"not here")
        h.close_connection = True


def _send(h, status: int, body: bytes, content_type="text/html", headers=None) -> None:
    h.send_response(status)
    h.send_header("Content-Type", content_type)
    h.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    h.end_headers()
    with contextlib.suppress(OSError):
        h.wfile.write(body)


def _rss(base: str, paths: list[str]) -> bytes:
    items = "".join(f"<item><title>t</title><link>{base}{p}</link></item>" for p in paths)
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()


def _sitemap(root: str, entry: str, urls: list[str]) -> bytes:
    xmlns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    entries = "".join(f"<{entry}><loc>{url}</loc></{entry}>" for url in urls)
    return f'<?xml version="1.0"?><{root} xmlns="{xmlns}">{entries}</{root}>'.encode()


# The whole corpus, crawled: bounds far above what it costs (5 s and 250 MB here, the largest
# process) and far below what its listings alone cost before they were bounded (a 100,000-item
# feed, 213 s and 563 MB; a 200,000-link front, 361 s and 993 MB).
TIME_BOUND, MEMORY_BOUND_MB = 120, 500


def test_a_hostile_site_is_crawled_with_each_case_recorded_in_bounded_time_and_memory(tmp_path):
    with HostileSite() as site:
        base = site.base
        config_dir = write_config(
            tmp_path / "cfg",
            f'[[source]]\nname = "odd"\nfeeds = ["{base}/feed.xml"]\n\n'
            f'[[source]]\nname = "huge"\nfeeds = ["{base}/big-feed.xml"]\n'
            f'sitemaps = ["{base}/sitemap-index.xml"]\nstart_urls = ["{base}/front"]\n'
            'follow = ["/news/"]\nmax_pages = 20\n',
            'retries = 1\nmax_page_size = "8MB"\nmax_retry_after = 30\n',
        )
        # The crawl's peak memory, from a process whose only child is the crawl.
        measure = (
            "import resource, subprocess, sys, time; t = time.monotonic(); "
            "code = subprocess.run(sys.argv[1:]).returncode; "
            "print(time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
            "; sys.exit(code)"
        )
        args = ["--config", str(config_dir), "crawl"]
        env = {k: v for k, v in os.environ.items() if k != "NEWSWATCH_CONFIG"}
        result = subprocess.run(
            [sys.executable, "-c", measure, *newswatch_command(), "--log-format", "json", *args],
            capture_output=True,
            text=True,
            timeout=TIME_BOUND * 2,
            env=env,
        )
        assert "Traceback" not in result.stderr, result.stderr[-3000:]
        seconds, peak_kb = map(float, result.stdout.split()[-2:])
        assert seconds < TIME_BOUND and peak_kb / 1024 < MEMORY_BOUND_MB, (seconds, peak_kb)

        db = sqlite3.connect(config_dir / "data" / "newswatch.db")
        pages = {
            url.removeprefix(base): (kind, outcome, reason)
            for url, kind, outcome, reason in db.execute(
                "SELECT url, kind, outcome, reason FROM pages"
            )
        }

        def reason(path: str) -> str:
            return pages[path][2] or ""

        assert pages["/loop-a"][1] == "failed" and "redirect loop" in reason("/loop-a")
        assert pages["/moved"][1:] == ("redirected", f"redirected to {base}/news/moved-story")
        assert pages["/news/moved-story"][1] == "stored"
        assert reason("/busy") == "HTTP 503, asked to retry after 999,999 s"
        assert site.hits["/busy"] == 1, "a site asking for 11 days is asked again next run"
        assert reason("/broken") == "HTTP 500" and site.hits["/broken"] == 2
        for path in ("/http09", "/big-header"):
            assert "before a valid HTTP response" in reason(path), pages[path]
        assert reason("/data-loss") == "the connection closed before the whole page arrived"
        for path in ("/too-large", "/too-large-unannounced"):
            assert reason(path) == "larger than max_page_size (8,388,608 bytes)", pages[path]
        # The feed's own row is the feed's, not an article's.
        assert pages["/feed.xml"][:2] == ("feed", "listed")
        # An escape that is not UTF-8 reaches the site as it was written.
        assert site.hits["/news/escaped?q=%E2%82"] == 1
        assert pages["/news/escaped?q=%E2%82"][1] == "stored"

        # Bounded listings: read in part, named, and no more pages than the budget.
        assert reason("/big-feed.xml") == "lists more than 1,000 links: the first 1,000 read"
        assert reason("/front") == "lists more than 1,000 links: the first 1,000 read"
        assert site.hits["/sitemap-index.xml"] == 1 and site.hits["/sitemap-news.xml"] == 1
        fetched = [p for p in site.hits if p.startswith("/news/n")]
        assert len(fetched) == 20, len(fetched)
        (problems,) = db.execute(
            "SELECT listing_problems FROM crawl_runs WHERE source = 'huge'"
        ).fetchone()
        assert "/big-feed.xml" in problems and "/front" in problems

        # A second run fetches none of what the first settled, the redirect's listed URL too.
        site.hits.clear()
        run_newswatch(*args, timeout=TIME_BOUND)
        assert site.hits["/moved"] == 0 and site.hits["/news/moved-story"] == 0
        assert not set(site.hits) & set(fetched), "settled pages fetched again"
