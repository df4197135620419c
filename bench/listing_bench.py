"""Listing benchmark: what one feed, sitemap or section front costs the crawl's only thread.

    .venv/bin/python bench/listing_bench.py

A listing is parsed on the crawl's event-loop thread: while it is read, nothing else in
that crawl moves. newswatch reads a bounded number of entries of each listing
(`crawler.discovery.MAX_LINKS`), so a hostile listing costs what one of that size costs.
This times each parser, in this process, on an ordinary listing and on huge ones (the
issue's 100,000-item feed and 200,000-link front), and reports the time of the slowest
of three runs and the growth of peak RSS. Figures go to bench/results/listings.json.
"""

from __future__ import annotations

import json
import re
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.discovery import feed_links, front_links, sitemap_links  # noqa: E402

BASE = "http://news.example"
RESULTS = Path(__file__).parent / "results" / "listings.json"


def feed(n: int) -> bytes:
    items = "".join(
        f"<item><title>Story {i}</title><link>{BASE}/news/{i}</link>"
        f"<pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate>"
        f"<description>A teaser for story {i}, as feeds carry.</description></item>"
        for i in range(n)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()


def sitemap(n: int) -> bytes:
    urls = "".join(
        f"<url><loc>{BASE}/news/{i}</loc><lastmod>2026-11-23</lastmod></url>" for i in range(n)
    )
    xmlns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    return f'<?xml version="1.0"?><urlset xmlns="{xmlns}">{urls}</urlset>'.encode()


def front(n: int, *, offsite: bool = False) -> bytes:
    host = "http://elsewhere.example" if offsite else ""
    anchors = "".join(f'<a href="{host}/news/{i}">Story {i}</a>' for i in range(n))
    return f"<html><body>{anchors}</body></html>".encode()


FOLLOW = [re.compile("/news/")]
CASES = {
    "feed, 50 items": (feed_links, lambda: feed(50)),
    "feed, 100,000 items": (feed_links, lambda: feed(100_000)),
    "sitemap, 1,000 URLs": (sitemap_links, lambda: sitemap(1_000)),
    "sitemap, 100,000 URLs": (sitemap_links, lambda: sitemap(100_000)),
    "front, 200 links": (front_links, lambda: front(200)),
    "front, 200,000 links": (front_links, lambda: front(200_000)),
    "front, 200,000 off-site links": (front_links, lambda: front(200_000, offsite=True)),
}


def read(parser, body: bytes):
    if parser is front_links:
        return front_links(body, BASE, follow=FOLLOW)
    return parser(body, BASE)


def main() -> None:
    figures = {}
    print(f"{'listing':32} {'MB':>5} {'read':>7} {'more':>5} {'slowest':>9} {'RSS growth':>11}")
    for name, (parser, build) in CASES.items():
        body = build()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        times = []
        for _ in range(3):
            start = time.perf_counter()
            listing = read(parser, body)
            times.append(time.perf_counter() - start)
        growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        figures[name] = {
            "bytes": len(body),
            "links": len(listing.links),
            "more": listing.more,
            "seconds": round(max(times), 3),
            "rss_growth_mb": round(growth, 1),
        }
        print(
            f"{name:32} {len(body) / 1e6:>5.1f} {len(listing.links):>7,} {listing.more!s:>5} "
            f"{max(times):>8.3f}s {growth:>9.1f} MB"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
