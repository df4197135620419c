"""`newswatch demo`: serve the bundled sample site on 127.0.0.1, crawl it, show the result."""

from __future__ import annotations

import shutil
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from config import Config, ConfigError, load_config
from crawler.report import line, results_table, shown_time, table
from crawler.run import crawl_once
from crawler.siteserver import SiteServer
from pipelines.alerts.delivery import list_alerts
from pipelines.storage.database import open_database

DEMO_SITE = Path(__file__).parent / "demo_site"
MARKER = ".newswatch-demo"

SETTINGS = """\
# Written by `newswatch demo` for the bundled sample site.
[storage]
database = "data/newswatch.db"

[crawl]
user_agent = "newswatch-demo/0.1"
obey_robots = true
concurrency_per_domain = 8
delay = 0
autothrottle = false
timeout = 10
retries = 1

[extract]
min_words = 80
workers = 2
"""

# Watches without notify URLs: their alerts are recorded, for `newswatch alerts`.
WATCHLIST = """\
# Written by `newswatch demo`. Add notify = ["json://...", "mailto://..."] to be told.

[[watch]]
name = "Khaled Meshal"
aliases = ["Meshaal", "Mashal", "Mishal", "Машал*"]

[[watch]]
name = "Sergei Lavrov"
aliases = ["Lavrov"]

# Named only in teasers for other stories on the sample site: never alerts.
[[watch]]
name = "Joe Biden"
aliases = ["Biden"]
"""

SOURCES = """\
# Written by `newswatch demo`: two publications of the sample site on {base}.

[[source]]
name = "ledger"
feeds = ["{base}/ledger/feeds/rss.xml"]
start_urls = ["{base}/ledger/news/"]
follow = ['/ledger/news/\\d{{4}}/', '/ledger/tag/']
deny = ['/ledger/account/']
schedule = "15m"

[[source]]
name = "courier"
feeds = ["{base}/courier/feeds/atom.xml"]
sitemaps = ["{base}/courier/sitemap.xml"]
schedule = "1h"
"""


def prepare(directory: Path) -> Path:
    """Make `directory` the demo's folder and return its config folder, starting afresh."""
    directory = directory.expanduser().resolve()
    if directory.exists() and any(directory.iterdir()) and not (directory / MARKER).exists():
        raise ConfigError(
            f"{directory} is not empty and was not made by `newswatch demo`; "
            "choose another folder with --dir"
        )
    config_dir = directory / "config"
    (config_dir / "data").mkdir(parents=True, exist_ok=True)
    (directory / MARKER).touch()
    # The site's port changes each run, so the previous demo database is replaced.
    for leftover in (config_dir / "data").glob("newswatch.db*"):
        if leftover.is_dir():
            shutil.rmtree(leftover)  # the crawls' lock files
        else:
            leftover.unlink()
    return config_dir


def write_demo_config(config_dir: Path, base: str) -> Config:
    """The demo's configuration for the sample site served at `base`."""
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "settings.toml").write_text(SETTINGS, encoding="utf-8")
    (config_dir / "sources.toml").write_text(SOURCES.format(base=base), encoding="utf-8")
    (config_dir / "watchlist.toml").write_text(WATCHLIST, encoding="utf-8")
    return load_config(config_dir)


def run_demo(directory: Path, console: Console, progress: Console | None = None) -> None:
    """Crawl the sample site into `directory` and show the result on `console` (with
    `progress`, the crawl's live display there meanwhile)."""
    config_dir = prepare(directory)
    started = time.monotonic()
    with SiteServer(DEMO_SITE) as server:
        config = write_demo_config(config_dir, server.base)
        console.print(f"Serving the sample news site on {server.base}; crawling it…")
        done = crawl_once(config, config.sources, progress=progress)
    elapsed = time.monotonic() - started
    console.print(results_table(done.results))
    story = show_collection(config.storage.database, console, [w.name for w in config.watches])
    console.print(f"\nDone in {elapsed:.1f} s. Try next:")
    for command in (
        "sources",
        "status",
        "watches",
        "alerts",
        *([f"cluster {story}"] if story else []),
        'search "Lavrov"',
        'search "Машаль"',
        'search "NEAR(Lavrov Meshal, 5)"',
    ):
        console.print(line(f"  newswatch --config {config_dir} {command}"))
    console.print(line(f"  sqlite3 {config.storage.database} 'SELECT * FROM crawl_runs'"))


def show_collection(database: Path, console: Console, watches: Sequence[str] = ()) -> int | None:
    """Print what the crawl collected; returns the first story carried by two outlets."""
    db = open_database(database, migrate=False)
    try:
        articles = table(
            "id", "source", "published", "lang", "words", "title",
            title="Articles collected", wrap=["title"],
        )  # fmt: skip
        for row in db.query(
            "SELECT id, source, substr(published, 1, 10) AS day, language, word_count, title "
            "FROM articles ORDER BY source, published"
        ):
            articles.add_row(*(str(v or "") for v in row.values()))
        console.print(articles)

        pages = table(
            "outcome", "url", "reason",
            title="Duplicates and skipped pages", wrap=["reason"], urls=["url"],
        )  # fmt: skip
        for row in db.query(
            "SELECT outcome, url, reason FROM pages WHERE outcome IN ('duplicate', 'skipped', "
            "'failed') ORDER BY outcome, url"
        ):
            pages.add_row(row["outcome"], row["url"], row["reason"] or "")
        console.print(pages)
        tracked = db.execute(
            "SELECT count(*) FROM sightings GROUP BY article_id HAVING count(*) > 1"
        ).fetchall()
        console.print(
            f"{len(tracked)} article(s) were seen at more than one URL (see `sightings`)."
        )

        stories = table(
            "story",
            "articles",
            "outlets",
            "first published as",
            title="Stories carried by more than one outlet (near-duplicates)",
            wrap=["outlets", "first published as"],
        )
        shared = []
        for row in db.query(
            "SELECT a.cluster_id, count(*) AS n, group_concat(coalesce(a.site_name, a.source), "
            "', ') AS outlets, (SELECT title FROM articles WHERE id = a.cluster_id) AS title "
            "FROM articles a GROUP BY a.cluster_id HAVING count(*) > 1 ORDER BY a.cluster_id"
        ):
            stories.add_row(str(row["cluster_id"]), str(row["n"]), row["outlets"], row["title"])
            shared.append(row["cluster_id"])
        console.print(stories)

        alerts = table(
            "watch", "matched", "article", title="Alerts (watchlist.toml)", wrap=["article"]
        )  # fmt: skip
        alerted = set()
        for row in sorted(list_alerts(db), key=lambda a: (a["watch"], a["id"])):
            alerts.add_row(row["watch"], row["found"], row["title"])
            alerted.add(row["watch"])
        console.print(alerts)
        for name in (w for w in watches if w not in alerted):
            console.print(
                f"No alert for {name}: the sample site names him only in teasers "
                "for other stories, which are not article text."
            )

        sample = next(
            iter(
                db.query("SELECT * FROM articles ORDER BY (title LIKE '%Hamas%') DESC, id LIMIT 1")
            ),
            None,
        )
        if sample:
            console.print(line("\n", ("Sample article", "bold"), ": ", sample["title"]))
            console.print(
                line(
                    f"{sample['url']}\nauthors {sample['authors']} · published "
                    f"{shown_time(sample['published'])} (from {sample['published_from']}) · "
                    f"{sample['word_count']} words"
                )
            )
            console.print(line(textwrap.shorten(sample["text"], 600, placeholder=" …")))
        return shared[0] if shared else None
    finally:
        db.close()
