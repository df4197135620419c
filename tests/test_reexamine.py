"""Pages that older page-type rules skipped for their content are judged again, once."""

from __future__ import annotations

import pytest
from sqlite_utils import Database

from config import load_config
from pipelines.pagetype import RULES_VERSION
from pipelines.storage.database import open_database
from tests.helpers import run_newswatch
from tests.sites import generated_source

pytestmark = pytest.mark.e2e


def crawl(config_dir):
    result = run_newswatch("--config", str(config_dir), "crawl")
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_pages_skipped_by_older_rules_are_fetched_once_more_and_judged_again(tmp_path):
    with generated_source(tmp_path, 4) as (server, config_dir, paths):
        crawl(config_dir)
        path = load_config(config_dir).storage.database
        db = open_database(path)
        stored = {r["url"]: r for r in db["pages"].rows_where("kind = 'article'")}
        assert len(stored) == 4 and all(r["rules"] == RULES_VERSION for r in stored.values())
        assert {r["presented_by"] for r in stored.values()} == {"feed"}
        # As a database written before the rules changed holds them: two of the stories
        # were skipped as listings, one was skipped for a reason that is not about its
        # content (robots.txt), and the newest rules skipped one as too short.
        urls = sorted(stored)
        with db.atomic():
            gone = [
                r[0] for r in db.execute("SELECT id FROM articles WHERE url IN (?, ?, ?)", urls[:3])
            ]
            marks = ", ".join("?" * len(gone))
            for table in ("sightings", "minhashes", "lsh_bands"):
                db.execute(f"DELETE FROM {table} WHERE article_id IN ({marks})", gone)
            db.execute(f"DELETE FROM articles WHERE id IN ({marks})", gone)
            old = {"outcome": "skipped", "article_id": None, "rules": None, "presented_by": None}
            db["pages"].update(urls[0], {**old, "reason": "listing_page: og:type=article"})
            db["pages"].update(urls[1], {**old, "reason": "too_short: 79 words, fewer than 80"})
            db["pages"].update(urls[2], {**old, "reason": "forbidden by robots.txt"})
            db["pages"].update(urls[3], {"outcome": "skipped", "reason": "too_short: 9 words"})
        db.close()
        before = len(server.paths())

        crawl(config_dir)
        fetched = server.paths()[before:]
        crawl(config_dir)
        again = server.paths()[before + len(fetched) :]

    judged = [url.removeprefix(server.base) for url in urls[:2]]
    assert sorted(p for p in fetched if p.startswith("/news/")) == sorted(judged), fetched
    assert not [p for p in again if p.startswith("/news/")], "judged again once, not every run"
    db = Database(path)
    rows = {r["url"]: r for r in db["pages"].rows}
    for url in urls[:2]:
        assert rows[url]["outcome"] == "stored" and rows[url]["rules"] == RULES_VERSION
        assert rows[url]["previous"].startswith("skipped (")
        assert rows[url]["previous"].endswith(") by older rules")
        assert rows[url]["presented_by"] == "feed"  # the source has feeds only
    assert rows[urls[2]]["reason"] == "forbidden by robots.txt"
    assert rows[urls[3]]["outcome"] == "skipped"  # judged by the current rules already


def test_reextract_judges_archived_pages_again_without_fetching(tmp_path):
    with generated_source(tmp_path, 3, crawl="[storage]\n") as (server, config_dir, paths):
        refused = run_newswatch("--config", str(config_dir), "reextract")
        assert refused.returncode == 1 and "archive_html = true" in refused.stderr, refused.stderr
        settings = config_dir / "settings.toml"
        settings.write_text(
            settings.read_text().replace("[storage]\n", "[storage]\narchive_html = true\n")
        )
        crawl(config_dir)
        path = load_config(config_dir).storage.database
        db = open_database(path)
        first, second, _ = sorted(r["url"] for r in db["articles"].rows)
        # As older versions left them: one page skipped as a listing (its article gone),
        # one article stored with a line of boilerplate in its text.
        with db.atomic():
            (gone,) = [r[0] for r in db.execute("SELECT id FROM articles WHERE url = ?", [first])]
            for table in ("sightings", "minhashes", "lsh_bands"):
                db.execute(f"DELETE FROM {table} WHERE article_id = ?", [gone])
            db.execute("DELETE FROM articles WHERE id = ?", [gone])
            db["pages"].update(
                first,
                {"outcome": "skipped", "reason": "listing_page: og:type=article", "rules": None,
                 "article_id": None},
            )  # fmt: skip
            old_text = (
                "Share on Facebook\n"
                + db.execute("SELECT text FROM articles WHERE url = ?", [second]).fetchone()[0]
            )
            db.execute("UPDATE articles SET text = ? WHERE url = ?", [old_text, second])
        db.close()
        requests = len(server.paths())
        result = run_newswatch("--config", str(config_dir), "reextract")
        assert result.returncode == 0, result.stdout + result.stderr
        assert len(server.paths()) == requests, result.stderr[-3000:]

    db = Database(path)
    assert db["articles"].count == 3
    page = db["pages"].get(first)
    assert page["outcome"] == "stored" and page["previous"].startswith("skipped (listing_page")
    article = next(db.query("SELECT * FROM articles WHERE url = ?", [second]))
    assert not article["text"].startswith("Share on Facebook")
    versions = list(
        db.query("SELECT text FROM article_versions WHERE article_id = ?", [article["id"]])
    )
    assert [v["text"] for v in versions] == [old_text]
    assert db["raw_pages"].count == 3, "a page judged again is not archived twice"
    run = next(db.query("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1"))
    assert run["status"] == "reextract" and run["articles_new"] == 1, run
    status = run_newswatch("--config", str(config_dir), "status", "--json")
    (row,) = __import__("json").loads(status.stdout)["sources"]
    assert row["last_status"] == "finished", "a reextract is not a crawl of the source"
