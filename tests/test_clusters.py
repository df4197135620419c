"""Near-duplicate clusters and article updates: the database index and the real CLI crawling
local outlets (the pure signatures: tests/test_neardup.py)."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from config import load_config
from crawler.siteserver import SiteServer
from pipelines.alerts.delivery import deliver_pending
from pipelines.neardup import DEFAULT_THRESHOLD, signature
from pipelines.storage.clusters import nearest_committed
from pipelines.storage.database import open_database
from pipelines.storage.schema import migrations
from pipelines.storage.writer import Store
from tests.helpers import run_newswatch
from tests.pages import news_page
from tests.receivers import Receiver, free_port
from tests.sites import write_config

LABELLED = json.loads((Path(__file__).parent / "data/neardup_pairs.json").read_text("utf-8"))
ARTICLES = LABELLED["articles"]


def paragraphs(key: str) -> list[str]:
    return [p.strip() for p in ARTICLES[key]["text"].split("\n\n") if p.strip()]


def test_the_database_index_clusters_the_labelled_articles_as_labelled(tmp_path):
    store = Store(open_database(tmp_path / "n.db"))
    saved = {
        key: store.save_article(
            {
                "url": f"http://{a['outlet'].replace(' ', '').lower()}.test/{key}",
                "title": a["title"],
                "text": a["text"],
                "text_hash": key,
            },
            source="labelled",
            now="2026-11-28T10:00:00+00:00",
        )
        for key, a in ARTICLES.items()
    }
    store.flush()
    ids = {key: article_id for key, (article_id, _) in saved.items()}
    clusters = {key: cluster_id for key, (_, cluster_id) in saved.items()}
    stored = dict(store.db.execute("SELECT id, cluster_id FROM articles").fetchall())
    assert stored == {ids[key]: clusters[key] for key in ids}
    wrong = [
        p for p in LABELLED["pairs"] if (clusters[p["a"]] == clusters[p["b"]]) != p["duplicate"]
    ]
    assert not wrong
    # The cluster id is the id of the story's first stored article.
    assert clusters["flood-wire-added-para"] == ids["flood-wire"]
    assert clusters["flood-mayor"] == ids["flood-mayor"]


def test_an_existing_database_is_clustered_when_it_is_migrated(tmp_path):
    db = Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m005_clusters_and_versions")
    for n, key in enumerate(("flood-wire", "flood-mayor", "flood-wire-trimmed"), start=1):
        db["articles"].insert(
            {
                "id": n,
                "url": f"http://x.test/{n}",
                "source": "s",
                "text": ARTICLES[key]["text"],
                "text_hash": key,
                "fetched_at": "2026-11-01T00:00:00+00:00",
            }
        )
    db.close()
    db = open_database(tmp_path / "old.db")
    assert [r[0] for r in db.execute("SELECT cluster_id FROM articles ORDER BY id")] == [1, 2, 1]
    assert db.execute("SELECT count(*) FROM lsh_bands").fetchone()[0] > 0
    # Metadata updates no longer touch the full-text index; text updates still do.
    db.execute("UPDATE articles SET text = 'replaced wording entirely' WHERE id = 2")
    assert [
        r[0]
        for r in db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'wording'")
    ] == [2]


# Three outlets with their own templates, carrying one wire story (as sent, with a
# paragraph added, trimmed) and two other stories about the same flood.
OUTLETS = {
    "gazette": [
        ("flood-wire", "2026-11-24T08:00:00+00:00"),
        ("flood-mayor", "2026-11-24T12:00:00+00:00"),
    ],
    "herald": [
        ("flood-wire-added-para", "2026-11-24T09:30:00+00:00"),
        ("flood-followup", "2026-11-25T07:00:00+00:00"),
    ],
    "courier": [("flood-wire-trimmed", "2026-11-24T10:15:00+00:00")],
}


def herald_page(title: str, body: list[str], published: str) -> str:
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in body)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} - Valley Herald</title>
<meta property="og:site_name" content="Valley Herald">
<meta property="article:published_time" content="{published}">
</head><body><div class="masthead">Valley Herald · Local news since 1901</div>
<div id="content"><div class="story"><h1>{html.escape(title)}</h1>
<p class="dek">Latest updates from our newsroom</p><div class="story-text">{paras}</div>
<div class="tags">Tags: weather, local</div></div>
<div class="sidebar"><h3>Most read</h3><ul><li><a href="/x">Council backs new bus lanes</a></li>
<li><a href="/y">School roof repairs to start in spring</a></li></ul></div></div>
<div class="footer">Valley Herald Ltd. All rights reserved.</div></body></html>"""


def courier_page(title: str, body: list[str], published: str) -> str:
    paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in body)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)}</title><meta property="og:site_name" content="County Courier">
<script type="application/ld+json">{{"@type": "NewsArticle", "datePublished": "{published}"}}</script>
</head><body><header><a href="/">County Courier</a></header><main><article>
<header><h1>{html.escape(title)}</h1><p class="meta">Wire report</p></header>
<section class="content">{paras}</section>
<footer class="article-footer"><p>Copyright 2026 Northern Wire. All rights reserved.</p></footer>
</article><section class="more"><h2>More stories</h2><a href="/z">Farmers count cost of dry summer</a></section>
</main></body></html>"""


TEMPLATES = {
    "gazette": lambda title, body, published: news_page(title, body, published=published),
    "herald": herald_page,
    "courier": courier_page,
}


def write_outlets(root: Path) -> None:
    for outlet, stories in OUTLETS.items():
        (root / outlet).mkdir(parents=True)
        items = []
        for key, published in stories:
            page = TEMPLATES[outlet](ARTICLES[key]["title"], paragraphs(key), published)
            (root / outlet / f"{key}.html").write_text(page, encoding="utf-8")
            items.append(f"<item><title>x</title><link>{{{{BASE}}}}/{outlet}/{key}</link></item>")
        (root / outlet / "feed.xml").write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>{outlet}</title>'
            f"<link>{{{{BASE}}}}/{outlet}/</link>{''.join(items)}</channel></rss>",
            encoding="utf-8",
        )


@pytest.mark.e2e
def test_one_wire_story_on_three_outlets_is_one_cluster_and_alerts_once(tmp_path):
    write_outlets(tmp_path / "site")
    with SiteServer(tmp_path / "site") as server:
        sources = "".join(
            f'[[source]]\nname = "{o}"\nfeeds = ["{server.base}/{o}/feed.xml"]\n\n' for o in OUTLETS
        )
        cfg = write_config(tmp_path / "cfg", sources)
        (cfg / "watchlist.toml").write_text('[[watch]]\nname = "Marrow Creek"\n', encoding="utf-8")
        result = run_newswatch("--config", str(cfg), "crawl")
        assert result.returncode == 0, result.stderr
    db = open_database(load_config(cfg).storage.database)
    by_url = {
        row["url"].rsplit("/", 1)[-1]: row
        for row in db.query("SELECT id, url, cluster_id FROM articles")
    }
    assert len(by_url) == 5
    wire = {
        by_url[k]["cluster_id"]
        for k in ("flood-wire", "flood-wire-added-para", "flood-wire-trimmed")
    }
    assert len(wire) == 1, "one story, whichever outlet was stored first"
    others = {by_url["flood-mayor"]["cluster_id"], by_url["flood-followup"]["cluster_id"]}
    assert len(others) == 2 and not others & wire

    # One alert for the wire story however many outlets ran it, one per other story.
    alerted = [
        r[0] for r in db.execute("SELECT article_id FROM alerts WHERE watch = 'Marrow Creek'")
    ]
    story_of = {row["id"]: row["cluster_id"] for row in by_url.values()}
    assert sorted(story_of[a] for a in alerted) == sorted([*wire, *others])

    shown = run_newswatch("--config", str(cfg), "cluster", str(by_url["flood-wire-trimmed"]["id"]))
    assert shown.returncode == 0, shown.stderr
    lines = [line for line in shown.stdout.splitlines() if "/flood-" in line]
    assert len(lines) == 3 and "3 articles" in shown.stdout
    assert lines[0].split("\t")[0].endswith(" first") and "/gazette/flood-wire" in lines[0]
    # Outlets by the site's own name; the Gazette's template gives none: its host.
    assert "Valley Herald" in shown.stdout and "County Courier" in shown.stdout
    assert "127.0.0.1" in lines[0].split("http://")[0]
    missing = run_newswatch("--config", str(cfg), "cluster", "999")
    assert missing.returncode == 1 and "no article has the id 999" in missing.stderr

    # One row per story, the earliest article, the others' URLs beside it.
    out = tmp_path / "stories.jsonl"
    exported = run_newswatch("--config", str(cfg), "export", str(out), "--dedupe", "cluster")
    assert exported.returncode == 0, exported.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 3
    wire_row = next(r for r in rows if r["id"] == by_url["flood-wire"]["id"])
    assert sorted(u.rsplit("/", 1)[-1] for u in wire_row["cluster_urls"]) == [
        "flood-wire-added-para",
        "flood-wire-trimmed",
    ]
    manifest = json.loads((tmp_path / "stories.jsonl.manifest.json").read_text())
    assert manifest["filters"]["dedupe"] == "cluster" and manifest["rows"] == 3


def recent(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="seconds")


@pytest.mark.e2e
def test_an_updated_article_keeps_its_versions_and_alerts_on_a_name_it_added(tmp_path):
    site = tmp_path / "site"
    (site / "news").mkdir(parents=True)
    story = paragraphs("strike-wire")
    page = site / "news" / "strike.html"
    page.write_text(news_page("Rail strike", story, published=recent(5)), encoding="utf-8")
    (site / "news" / "old.html").write_text(
        news_page("Old news", paragraphs("merger-wire"), published=recent(24 * 5)), encoding="utf-8"
    )
    (site / "feed.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>{{BASE}}/</link>'
        "<item><link>{{BASE}}/news/strike</link></item><item><link>{{BASE}}/news/old</link></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    receiver = Receiver(free_port()).start()
    try:
        with SiteServer(site) as server:
            cfg = write_config(
                tmp_path / "cfg",
                f'[[source]]\nname = "rail"\nfeeds = ["{server.base}/feed.xml"]\nrecheck = "48h"\n',
            )
            hook = f"json://127.0.0.1:{receiver.port}/hook"
            (cfg / "watchlist.toml").write_text(
                f'[[watch]]\nname = "Ilse Brandt"\nnotify = ["{hook}"]\n\n'
                f'[[watch]]\nname = "Colin Maddox"\nnotify = ["{hook}"]\n',
                encoding="utf-8",
            )
            first = run_newswatch("--config", str(cfg), "crawl")
            assert first.returncode == 0, first.stderr

            update = "Transport minister Ilse Brandt said late on Thursday that talks would resume."
            page.write_text(
                news_page(
                    "Rail strike: talks to resume",
                    [*story[:2], update, *story[2:]],
                    published=recent(5),
                ),
                encoding="utf-8",
            )
            second = run_newswatch("--config", str(cfg), "crawl")
            assert second.returncode == 0, second.stderr
            third = run_newswatch("--config", str(cfg), "crawl")
            assert third.returncode == 0, third.stderr
            # The recheck is conditional: unchanged, the page costs the site a 304.
            assert server.paths().count("/news/strike") == 3
            assert "/news/strike" in server.paths(304)
            assert server.paths().count("/news/old") == 1, "outside the recheck window"

        config = load_config(cfg)
        db = open_database(config.storage.database)
        article_id = db.execute(
            "SELECT id FROM articles WHERE url LIKE '%/news/strike'"
        ).fetchone()[0]
        versions = list(db.query("SELECT version, title, text FROM article_versions"))
        assert [(v["version"], v["title"]) for v in versions] == [(1, "Rail strike")]
        assert "Ilse Brandt" not in versions[0]["text"]
        current = db.execute(
            "SELECT title, text, updated_at FROM articles WHERE id = ?", [article_id]
        ).fetchone()
        assert current[0] == "Rail strike: talks to resume" and update in current[1] and current[2]

        shown = run_newswatch("--config", str(cfg), "history", str(article_id), "--diff")
        assert shown.returncode == 0, shown.stderr
        assert "2 (current)" in shown.stdout
        assert f"+{update}" in shown.stdout.replace("\n", "")
        assert (
            "-# Rail strike" in shown.stdout and "+# Rail strike: talks to resume" in shown.stdout
        )

        alerts = {r["watch"]: r for r in db.query("SELECT watch, version, status FROM alerts")}
        assert alerts["Ilse Brandt"]["version"] == 2, "the name came with the update"
        assert alerts["Colin Maddox"]["version"] is None, "in the first version: alerted then, once"

        delivered = deliver_pending(db, config.watches, now=datetime.now(UTC), retry=(1, 2))
        assert delivered.failed == 0
        titles = [m["title"] for m in receiver.messages]
        assert any("Ilse Brandt" in t and "(updated, version 2)" in t for t in titles), titles
    finally:
        receiver.stop()


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ("[dedupe]\nthreshold = 0.2\n", "[dedupe]: threshold: must be at least 0.4, got 0.2"),
        ("[dedupe]\nthreshold = 1.5\n", "[dedupe]: threshold: must be at most 1"),
        ("[dedupe]\nthreshhold = 0.5\n", "threshhold"),
    ],
)
def test_a_bad_threshold_is_named(tmp_path, settings, expected):
    cfg = write_config(
        tmp_path / "cfg", '[[source]]\nname = "s"\nfeeds = ["http://x.test/f"]\n', settings
    )
    result = run_newswatch("--config", str(cfg), "sources")
    assert result.returncode == 1 and expected in result.stderr and "Traceback" not in result.stderr


@pytest.mark.e2e
def test_a_bad_recheck_window_is_named(tmp_path):
    cfg = write_config(
        tmp_path / "cfg",
        '[[source]]\nname = "s"\nfeeds = ["http://x.test/f"]\nrecheck = "2 fortnights"\n',
    )
    result = run_newswatch("--config", str(cfg), "sources")
    assert (
        result.returncode == 1 and "recheck" in result.stderr and "'2 fortnights'" in result.stderr
    )


def test_a_copy_stored_after_the_workers_snapshot_still_finds_its_story(tmp_path):
    """Workers look stories up on a committed snapshot; the store checks what came since."""
    path = tmp_path / "n.db"
    store = Store(open_database(path), batch_size=1000)
    texts = {key: ARTICLES[key]["text"] for key in ("merger-wire", "merger-wire-trimmed")}
    # Both looked up before either is committed, as when they are extracted side by side.
    nearest = {
        key: nearest_committed(str(path), signature(text), DEFAULT_THRESHOLD)
        for key, text in texts.items()
    }
    assert all(n is not None and n.match is None for n in nearest.values())
    saved = {
        key: store.save_article(
            {"url": f"http://x.test/{key}", "text": text, "text_hash": key},
            source="s",
            now="2026-11-28T10:00:00+00:00",
            nearest=nearest[key],
        )
        for key, text in texts.items()
    }
    assert saved["merger-wire-trimmed"][1] == saved["merger-wire"][0]
    store.flush()
    # Committed, a later copy is found by the worker itself.
    later = nearest_committed(str(path), signature(ARTICLES["merger-wire-heavy"]["text"]), 0.4)
    assert later.match is not None and later.match[0] == saved["merger-wire"][0]
