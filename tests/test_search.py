"""Search takes what people type: text that is not FTS5 syntax is searched as its words,
and FTS5 syntax still works for those who use it (through the real CLI)."""

from __future__ import annotations

import hashlib
import json

import pytest

from pipelines.storage.database import open_database
from tests.helpers import run_newswatch
from tests.sites import write_config

pytestmark = pytest.mark.e2e

TEXTS = {
    "hyphen": "Talks led by Ana Ferreira-Solberg ended without agreement on Tuesday.",
    "possessive": "Lavrov's visit to the region was cut short by the weather.",
    "initials": "The U.S. delegation arrived a day early for the summit.",
    "money": "The grant of $1.4 billion was approved by the council.",
    "language": "The new compiler is written in C++ and runs on small boards.",
    "quote": 'The minister called it a "historic day" for the valley.',
}


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory):
    directory = write_config(
        tmp_path_factory.mktemp("search") / "cfg",
        '[[source]]\nname = "wire"\nfeeds = ["http://127.0.0.1:9/feed.xml"]\n',
    )
    db = open_database(directory / "data" / "newswatch.db")
    for n, (name, text) in enumerate(TEXTS.items()):
        db["articles"].insert(
            {
                "url": f"http://wire.test/{name}",
                "source": "wire",
                "title": f"Story {n}: {name}",
                "text": text,
                "text_hash": hashlib.sha256(text.encode()).hexdigest(),
                "fetched_at": "2026-11-30T10:00:00+00:00",
            }
        )
    db.close()
    return directory


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Ferreira-Solberg", "hyphen"),
        ("Lavrov's", "possessive"),
        ("U.S.", "initials"),
        ("$1.4", "money"),
        ("C++", "language"),
        ('"historic day', "quote"),  # an unclosed quote
        # FTS5 syntax still works.
        ('"historic day"', "quote"),
        ("NEAR(grant council, 10)", "money"),
        ("compil*", "language"),
        ("delegation OR nothingsuch", "initials"),
    ],
)
def test_what_people_type_finds_what_they_mean(config_dir, query, found):
    result = run_newswatch("--config", str(config_dir), "search", query)
    assert result.returncode == 0, result.stderr
    titles = [line for line in result.stdout.splitlines() if line.startswith("Story")]
    assert len(titles) == 1 and titles[0].split()[2] == found, result.stdout


def test_fts_syntax_that_matches_nothing_is_not_rewritten(config_dir):
    result = run_newswatch("--config", str(config_dir), "search", "council NOT grant")
    assert result.returncode == 0 and "no articles match" in result.stdout


def test_an_export_query_takes_the_same_text(config_dir, tmp_path):
    result = run_newswatch(
        "--config", str(config_dir), "export", "-", "--query", "Ferreira-Solberg"
    )
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stdout.splitlines() if line] and "hyphen" in result.stdout


def test_search_and_alerts_speak_json(config_dir):
    result = run_newswatch("--config", str(config_dir), "search", "Ferreira-Solberg", "--json")
    assert result.returncode == 0, result.stderr
    (hit,) = json.loads(result.stdout)
    assert hit["url"] == "http://wire.test/hyphen"
    assert hit["matched"] == ["Ferreira-Solberg"] and "\x02" not in hit["snippet"]
    alerts = run_newswatch("--config", str(config_dir), "alerts", "--json")
    assert alerts.returncode == 0 and json.loads(alerts.stdout) == []
