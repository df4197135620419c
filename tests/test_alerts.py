"""Alerts on a real SQLite file: matching new articles once, delivery, retries, digests, backfill."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from config import ConfigError, Watch, load_config, parse_schedule
from pipelines.alerts.delivery import deliver_digest, deliver_pending
from pipelines.alerts.recording import backfill, match_new_articles, register_watches
from pipelines.storage.database import open_database
from pipelines.storage.writer import Store
from tests.helpers import add_article, run_newswatch

T0 = "2026-11-28T10:00:00+00:00"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
HOOK = "json://127.0.0.1:9/hook"
MAIL = "mailto://user:hunter2@example.com"


class Channels:
    """A notifier that records what it was asked to send and fails the URLs it is told to."""

    def __init__(self, failing: set[str] = frozenset()) -> None:
        self.failing = set(failing)
        self.sent: list[tuple[str, str, str]] = []
        self.keys: list[str] = []

    def __call__(self, urls, title, body, key):
        results = {}
        for url in urls:
            if url in self.failing:
                results[url] = "Connection refused"
            else:
                self.sent.append((url, title, body))
                self.keys.append(key)
                results[url] = None
        return results


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "nw.db")
    yield database
    database.close()


LAVROV = Watch(name="Sergei Lavrov", aliases=("Lavrov",), notify=(HOOK,))
MESHAL = Watch(name="Khaled Meshal", aliases=("Машал*",), notify=(HOOK, MAIL))


def test_new_articles_are_matched_once(db):
    store = Store(db)
    register_watches(db, [LAVROV, MESHAL], T0)
    first = add_article(store, "http://a.test/1", "Sergei Lavrov met Khaled Meshal in Doha.")
    add_article(store, "http://a.test/2", "Переговоры с Машалем продолжались два часа.")
    add_article(store, "http://a.test/3", "Nothing to see here: the Lavrovsky gallery reopens.")
    assert match_new_articles(db, [LAVROV, MESHAL], now=T0) == 3
    assert match_new_articles(db, [LAVROV, MESHAL], now=T0) == 0, "the cursor moved on"
    rows = {(a["watch"], a["article_id"]): a for a in db["alerts"].rows}
    assert set(rows) == {("Sergei Lavrov", first), ("Khaled Meshal", first), ("Khaled Meshal", 2)}
    assert rows[("Khaled Meshal", 2)]["found"] == "Машалем"
    assert rows[("Khaled Meshal", 2)]["matched"] == "Машал*"
    assert "Машалем" in rows[("Khaled Meshal", 2)]["snippet"]
    assert all(a["status"] == "pending" for a in rows.values())


def test_a_watch_alerts_only_on_articles_fetched_after_it_was_added(db):
    store = Store(db)
    add_article(store, "http://a.test/old", "Lavrov spoke.", fetched_at="2026-11-01T00:00:00+00:00")
    register_watches(db, [LAVROV], T0)
    add_article(store, "http://a.test/new", "Lavrov spoke again.")
    assert match_new_articles(db, [LAVROV], now=T0) == 1
    assert [a["article_id"] for a in db["alerts"].rows] == [2]
    # The old article is reached on request only; a preview records nothing.
    preview = backfill(db, LAVROV, now=T0)
    assert [a["url"] for a in preview] == ["http://a.test/old"]
    assert db["alerts"].count == 1
    assert [a["url"] for a in backfill(db, LAVROV, now=T0, notify=True)] == ["http://a.test/old"]
    statuses = sorted(a["status"] for a in db["alerts"].rows)
    assert statuses == ["pending", "pending"]
    assert backfill(db, LAVROV, now=T0, notify=True) == [], "one alert per story, ever"


def test_sources_filter(db):
    store = Store(db)
    watch = Watch(name="Lavrov", notify=(HOOK,), sources=("courier",))
    register_watches(db, [watch], T0)
    add_article(store, "http://a.test/1", "Lavrov spoke.", source="ledger")
    add_article(store, "http://a.test/2", "Lavrov spoke twice.", source="courier")
    match_new_articles(db, [watch], now=T0)
    assert [a["article_id"] for a in db["alerts"].rows] == [2]


def test_delivery_retries_with_backoff_and_never_resends_to_a_channel_that_succeeded(db):
    store = Store(db)
    register_watches(db, [MESHAL], T0)
    add_article(store, "http://a.test/1", "Khaled Meshal arrived.", title="Meshal in Moscow")
    match_new_articles(db, [MESHAL], now=T0)
    channels = Channels(failing={MAIL})
    result = deliver_pending(db, [MESHAL], now=NOW, retry=(30, 3600), notifier=channels)
    assert (result.sent, result.failed) == (0, 1)
    alert = next(db["alerts"].rows)
    assert alert["status"] == "pending" and alert["attempts"] == 1
    assert alert["next_attempt"] == (NOW + timedelta(seconds=30)).isoformat()
    assert "Connection refused" in alert["last_error"] and "hunter2" not in alert["last_error"]
    assert [url for url, *_ in channels.sent] == [HOOK]
    # Not due yet: nothing is attempted.
    deliver_pending(
        db, [MESHAL], now=NOW + timedelta(seconds=10), retry=(30, 3600), notifier=channels
    )
    assert next(db["alerts"].rows)["attempts"] == 1
    # Due, still failing: the wait doubles.
    deliver_pending(
        db, [MESHAL], now=NOW + timedelta(seconds=31), retry=(30, 3600), notifier=channels
    )
    alert = next(db["alerts"].rows)
    assert alert["attempts"] == 2
    assert alert["next_attempt"] == (NOW + timedelta(seconds=31 + 60)).isoformat()
    # The channel is back: delivered, and the webhook got exactly one message.
    channels.failing.clear()
    deliver_pending(
        db, [MESHAL], now=NOW + timedelta(seconds=100), retry=(30, 3600), notifier=channels
    )
    alert = next(db["alerts"].rows)
    assert alert["status"] == "delivered" and alert["delivered_at"]
    assert [url for url, *_ in channels.sent] == [HOOK, MAIL]
    url, title, body = channels.sent[0]
    assert "Khaled Meshal" in title and "Meshal in Moscow" in title
    assert "http://a.test/1" in body and "ledger" in body and "Khaled Meshal arrived" in body


def test_digest_sends_one_message_listing_every_hit(db):
    store = Store(db)
    watch = Watch(name="Lavrov", notify=(HOOK,), mode="digest", digest=parse_schedule("0 8 * * *"))
    register_watches(db, [watch], T0)
    for n in range(3):
        add_article(store, f"http://a.test/{n}", f"Lavrov, story {n}.", title=f"Story {n}")
    match_new_articles(db, [watch], now=T0)
    channels = Channels()
    assert deliver_pending(db, [watch], now=NOW, retry=(30, 60), notifier=channels).sent == 0
    assert deliver_digest(db, watch, now=NOW, retry=(30, 60), notifier=channels)
    assert len(channels.sent) == 1
    _, title, body = channels.sent[0]
    assert "3 new articles" in title
    assert all(f"Story {n}" in body for n in range(3))
    assert {a["status"] for a in db["alerts"].rows} == {"delivered"}


def test_one_alert_per_story_and_the_digest_names_the_other_outlets(db):
    pairs = json.loads((Path(__file__).parent / "data/neardup_pairs.json").read_text("utf-8"))
    story = pairs["articles"]
    store = Store(db)
    watch = Watch(name="Marrow Creek", notify=(HOOK,), mode="digest")
    register_watches(db, [watch], T0)
    for key, site in (
        ("flood-wire", "Northern Wire"),
        ("flood-wire-added-para", "Dunhallow Gazette"),
        ("flood-wire-trimmed", "Harlow Post"),
        ("flood-mayor", "Harlow Post"),
    ):
        store.save_article(
            {
                "url": f"http://x.test/{key}",
                "title": key,
                "text": story[key]["text"],
                "text_hash": key,
                "site_name": site,
            },
            source="wire",
            now="2026-11-28T11:00:00+00:00",
        )
    store.flush()
    assert match_new_articles(db, [watch], now=T0) == 2, "the wire story once, the mayor once"
    channels = Channels()
    assert deliver_digest(db, watch, now=NOW, retry=(30, 60), notifier=channels)
    _, title, body = channels.sent[0]
    assert "2 new articles" in title
    wire_item = next(item for item in body.split("\n\n") if "flood-wire" in item)
    assert "Also carried by: Dunhallow Gazette, Harlow Post" in wire_item
    mayor_item = next(item for item in body.split("\n\n") if "flood-mayor" in item)
    assert "Also carried by" not in mayor_item


def write_watchlist(directory: Path, watchlist: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sources.toml").write_text(
        '[[source]]\nname = "ledger"\nfeeds = ["https://example.com/rss"]\n'
    )
    (directory / "watchlist.toml").write_text(watchlist, encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    ("watchlist", "expected"),
    [
        (
            '[[watch]]\nname = "A"\nsources = ["nope"]\n',
            "watchlist.toml: watch 'A': sources: no source named 'nope' (configured: ledger)",
        ),
        (
            '[[watch]]\nname = "A"\nnotify = ["bogus://user:topsecret@host"]\n',
            "watchlist.toml: watch 'A': notify: 'bogus://user:****@host' is not a notification "
            "URL apprise knows: no service has the scheme 'bogus://'",
        ),
        (
            '[[watch]]\nname = "A"\nmode = "weekly"\n',
            "watchlist.toml: watch 'A': mode: 'weekly' is not one of instant, digest",
        ),
        (
            '[[watch]]\nname = "A"\ndigest = "0 8 * * *"\n',
            "watchlist.toml: watch 'A': digest: is only used with mode = \"digest\"",
        ),
        (
            '[[watch]]\nname = "A"\nmode = "digest"\ndigest = "8am"\n',
            "watchlist.toml: watch 'A': digest: '8am' is neither a cron expression",
        ),
        ('[[watch]]\nname = "A"\n[[watch]]\nname = "a"\n', "watch 'a': name is used twice"),
        ('[[watch]]\nname = "A"\nalias = ["B"]\n', "watch 'A': unknown key 'alias'"),
        ('[[watch]]\nname = "A"\naliases = ["Ma*shal"]\n', "Ma*shal"),
        ('[[watch]]\nname = ""\n', "watchlist.toml: watch #1: name: is required"),
    ],
)
def test_watchlist_errors_are_named(tmp_path, watchlist, expected):
    with pytest.raises(ConfigError) as info:
        load_config(write_watchlist(tmp_path, watchlist))
    assert expected in str(info.value), str(info.value)
    assert "topsecret" not in str(info.value)


def test_watchlist_loads_and_hides_secrets(tmp_path):
    config = load_config(
        write_watchlist(
            tmp_path,
            (
                '[[watch]]\nname = "Khaled Meshal"\naliases = ["Машал*"]\n'
                f'notify = ["{MAIL}", "{HOOK}"]\nmode = "digest"\n'
            ),
        )
    )
    watch = config.watch("khaled meshal")
    assert watch.digest.cron == "0 8 * * *"
    assert watch.notify_redacted == ("mailto://user:****@example.com", "json://127.0.0.1:9/hook")
    assert "hunter2" not in repr(watch) and "hunter2" not in repr(config)


@pytest.mark.e2e
def test_a_backfill_preview_records_nothing_and_notify_then_finds_the_same(tmp_path):
    config_dir = write_watchlist(
        tmp_path / "cfg", '[[watch]]\nname = "Lavrov"\nnotify = ["json://127.0.0.1:9/hook"]\n'
    )
    db = open_database(config_dir / "data" / "newswatch.db")
    add_article(Store(db), "http://a.test/old", "Lavrov spoke at the old summit.")
    db.close()
    cli = ["--config", str(config_dir), "backfill", "Lavrov"]
    preview = run_newswatch(*cli)
    assert preview.returncode == 0, preview.stderr
    assert "1 alert(s) would be raised" in preview.stdout and "nothing recorded" in preview.stdout
    assert Database(config_dir / "data" / "newswatch.db")["alerts"].count == 0
    sent = run_newswatch(*cli, "--notify")
    assert sent.returncode == 0 and "1 new alert(s)" in sent.stdout, sent.stdout
    (alert,) = Database(config_dir / "data" / "newswatch.db")["alerts"].rows
    assert alert["status"] == "pending"


def test_alerts_given_up_on_are_retried_or_dropped_by_watch(db):
    from pipelines.alerts.delivery import settle_failed

    store = Store(db)
    for n, watch in enumerate(("Lavrov", "Meshal", "Meshal")):
        article_id = add_article(store, f"http://a.test/{n}", f"{watch} spoke, story {n}.")
        db["alerts"].insert(
            {"watch": watch, "article_id": article_id, "created_at": T0, "status": "failed",
             "attempts": 50, "next_attempt": None},
        )  # fmt: skip
    assert settle_failed(db, retry=False, watch="Meshal") == 2
    assert settle_failed(db, retry=True) == 1
    rows = {(a["watch"], a["status"], a["attempts"]) for a in db["alerts"].rows}
    assert rows == {("Lavrov", "pending", 0), ("Meshal", "dropped", 50)}
