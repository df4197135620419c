"""Exports of a real database, filled by a real crawl of the sample site: every format and filter."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlite_utils import Database

from crawler.demo import DEMO_SITE, write_demo_config
from crawler.siteserver import SiteServer
from pipelines.corpus.export import ExportError, ExportFilter, export
from pipelines.storage.database import open_database
from tests.helpers import run_newswatch


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A configuration whose database holds the crawled sample site (and its alerts)."""
    config_dir = tmp_path_factory.mktemp("export") / "config"
    with SiteServer(DEMO_SITE) as server:
        write_demo_config(config_dir, server.base)
        settings = config_dir / "settings.toml"
        settings.write_text(
            settings.read_text().replace(
                'database = "data/newswatch.db"',
                'database = "data/newswatch.db"\narchive_html = true',
            )
        )
        result = run_newswatch("--config", str(config_dir), "crawl")
        (config_dir / "base.txt").write_text(server.base)
    assert result.returncode == 0, result.stderr
    return config_dir


def export_cli(corpus, *args):
    return run_newswatch("--config", str(corpus), "export", *args)


def articles(corpus) -> dict[int, dict]:
    return {row["id"]: row for row in Database(corpus / "data" / "newswatch.db")["articles"].rows}


def manifest_of(path):
    return json.loads(path.with_name(path.name + ".manifest.json").read_text())


@pytest.mark.e2e
def test_jsonl_gz_round_trip_with_a_manifest_that_matches(corpus, tmp_path):
    target = tmp_path / "corpus.jsonl.gz"
    result = export_cli(corpus, str(target))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in gzip.open(target, "rt", encoding="utf-8")]
    stored = articles(corpus)
    assert {r["id"] for r in rows} == set(stored)
    for row in rows:
        assert row["text"] == stored[row["id"]]["text"]
        assert row["authors"] == json.loads(stored[row["id"]]["authors"])
    manifest = manifest_of(target)
    assert manifest["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()
    assert manifest["rows"] == len(rows)
    assert manifest["sources"] == {"courier": 5, "ledger": 7}
    assert manifest["published_range"][0].startswith("2015-08-03")
    assert set(manifest["fields"]) == set(rows[0]) and manifest["newswatch_version"]
    seed = next(r for r in rows if r["title"].startswith("Russian Foreign Minister"))
    assert seed["watches"] == ["Khaled Meshal", "Sergei Lavrov"]
    wire = next(r for r in rows if r["title"].startswith("Reserve Bank Holds"))
    assert any("/courier/" in url for url in wire["sightings"]), "the syndicated copy"


@pytest.mark.e2e
def test_csv_survives_a_round_trip_through_the_csv_module(corpus, tmp_path):
    target = tmp_path / "corpus.csv"
    assert export_cli(corpus, str(target)).returncode == 0
    raw = target.read_bytes()
    assert raw.split(b"\n", 1)[0].endswith(b"\r"), "RFC 4180 line ends"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    stored = articles(corpus)
    assert len(rows) == len(stored)
    for row in rows:
        original = stored[int(row["id"])]
        assert row["text"] == original["text"], "newlines, quotes and commas survive"
        assert json.loads(row["authors"]) == json.loads(original["authors"])
    assert any("\n" in r["text"] and "," in r["text"] for r in rows)


@pytest.mark.e2e
def test_parquet_has_real_types(corpus, tmp_path):
    target = tmp_path / "corpus.parquet"
    assert export_cli(corpus, str(target)).returncode == 0
    table = pq.read_table(target)
    assert table.num_rows == len(articles(corpus))
    assert table.schema.field("published").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("authors").type == pa.list_(pa.string())
    assert table.schema.field("id").type == pa.int64()
    rows = table.to_pylist()
    seed = next(r for r in rows if r["title"].startswith("Russian Foreign Minister"))
    assert seed["authors"] == ["Jack Khoury"]
    assert seed["published"].isoformat() == "2015-08-03T07:15:00+00:00"
    assert manifest_of(target)["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--source", "courier"], lambda r: r["source"] == "courier"),
        (["--language", "ru"], lambda r: r["language"] == "ru"),
        (
            ["--since", "2026-11-06", "--until", "2026-11-09"],
            lambda r: "2026-11-06" <= r["published"][:10] <= "2026-11-09",
        ),
        (["--query", "Lavrov OR Машаль"], lambda r: "Lavrov" in r["text"] or "Машал" in r["text"]),
        (["--watch", "Khaled Meshal"], lambda r: "Khaled Meshal" in r["watches"]),
    ],
)
def test_filters(corpus, args, expected):
    result = export_cli(corpus, "-", *args)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows, f"no rows for {args}"
    assert all(expected(r) for r in rows), args
    everything = [json.loads(line) for line in export_cli(corpus, "-").stdout.splitlines()]
    assert [r for r in everything if expected(r)] == rows, f"{args} left rows out"


@pytest.mark.e2e
def test_fields_option_and_stdout(corpus):
    result = export_cli(corpus, "-", "--format", "csv", "--fields", "id,title,watches")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == "id,title,watches"


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fields", "id,nope"], "unknown field 'nope'"),
        (["--since", "last week"], "--since: 'last week' is not a date or time"),
        (["--query", "+++ --"], "has no words to search for"),
        (["--format", "xml"], "Invalid value for '--format'"),
    ],
)
def test_bad_input_exits_2_and_leaves_no_file(corpus, tmp_path, args, message):
    target = tmp_path / "out.jsonl"
    result = export_cli(corpus, str(target), *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.e2e
def test_unwritable_path_and_unknown_extension(corpus, tmp_path):
    missing = export_cli(corpus, str(tmp_path / "nowhere" / "out.jsonl"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    unknown = export_cli(corpus, str(tmp_path / "out.xlsx"))
    assert unknown.returncode == 2 and "cannot tell the format" in unknown.stderr
    piped = export_cli(corpus, "-", "--format", "warc")
    assert piped.returncode == 2 and "warc cannot be written to stdout" in piped.stderr


@pytest.mark.e2e
def test_an_interrupted_export_leaves_no_file(corpus, tmp_path):
    db = open_database(corpus / "data" / "newswatch.db")
    seen = []

    def ctrl_c(n):
        seen.append(n)
        if len(seen) == 3:
            raise KeyboardInterrupt

    for name in ("out.jsonl", "out.csv.gz", "out.parquet"):
        fmt = {"out.jsonl": "jsonl", "out.csv.gz": "csv", "out.parquet": "parquet"}[name]
        seen.clear()
        with pytest.raises(KeyboardInterrupt):
            export(
                db,
                str(tmp_path / name),
                fmt,
                ExportFilter(),
                ["id", "text"],
                version="t",
                progress=ctrl_c,
            )
        assert list(tmp_path.iterdir()) == [], name


@pytest.mark.e2e
def test_stats_command(corpus):
    result = run_newswatch("--config", str(corpus), "stats")
    assert result.returncode == 0, result.stderr
    assert "12 articles" in result.stdout
    for line in ("ledger", "courier", "2015-08", "2026-11", "ru"):
        assert line in result.stdout


@pytest.mark.e2e
def test_warc_holds_the_original_responses(corpus, tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    target = tmp_path / "pages.warc.gz"
    result = export_cli(corpus, str(target), "--source", "ledger")
    assert result.returncode == 0, result.stderr
    base = (corpus / "base.txt").read_text()
    responses, requests = {}, 0
    with target.open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "response":
                responses[record.rec_headers.get_header("WARC-Target-URI")] = (
                    record.http_headers.get_statuscode(),
                    record.content_stream().read(),
                )
                assert record.rec_headers.get_header("WARC-Date").endswith("Z")
            elif record.rec_type == "request":
                requests += 1
    db = Database(corpus / "data" / "newswatch.db")
    # Every archived response of a ledger article: its own page and any copy seen elsewhere.
    archived = [
        url
        for (url,) in db.execute(
            "SELECT r.url FROM raw_pages r JOIN articles a ON a.id = r.article_id "
            "WHERE a.source = 'ledger'"
        )
    ]
    ledger = [r["url"] for r in articles(corpus).values() if r["source"] == "ledger"]
    assert set(ledger) < set(archived), "the syndicated copy is archived with its article"
    assert sorted(responses) == sorted(archived) and requests == len(archived)
    for url in archived:
        status, body = responses[url]
        path = url.removeprefix(base).lstrip("/")
        original = (DEMO_SITE / f"{path}.html").read_bytes().replace(b"{{BASE}}", base.encode())
        assert (status, body) == ("200", original), url
    assert manifest_of(target)["rows"] == len(archived)


def test_no_archived_page_is_an_error_not_an_empty_warc(tmp_path):
    db = open_database(tmp_path / "nw.db")
    with pytest.raises(ExportError, match="archive_html = true"):
        export(db, str(tmp_path / "x.warc"), "warc", ExportFilter(), ["id"], version="t")
    assert not (tmp_path / "x.warc").exists()


@pytest.mark.e2e
def test_parquet_reads_back_in_pandas_duckdb_and_polars(corpus, tmp_path):
    import duckdb
    import pandas
    import polars

    target = tmp_path / "corpus.parquet"
    assert export_cli(corpus, str(target)).returncode == 0
    count = len(articles(corpus))
    frame = pandas.read_parquet(target)
    assert len(frame) == count and str(frame["published"].dtype) == "datetime64[us, UTC]"
    assert polars.read_parquet(target).height == count
    rows = duckdb.sql(
        f"SELECT count(*), max(len(authors)) FROM read_parquet('{target}')"
    ).fetchall()
    assert rows == [(count, 1)]


@pytest.mark.e2e
def test_an_existing_file_is_replaced_only_with_force(corpus, tmp_path):
    target = tmp_path / "out.jsonl"
    assert export_cli(corpus, str(target)).returncode == 0
    first = target.read_bytes()
    target.write_text("mine")
    again = export_cli(corpus, str(target))
    assert again.returncode == 2 and "exists: give --force" in again.stderr
    assert target.read_text() == "mine", "the file was left as it was"
    forced = export_cli(corpus, str(target), "--force")
    assert forced.returncode == 0 and target.read_bytes() == first


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{dir}"], "is a folder: give a file in it"),
        (["{dir}/out.json"], "would hold JSON Lines"),
        (["-", "--source", "nosuch"], "--source 'nosuch' is not one the corpus knows"),
        (["-", "--watch", "Nobody"], "--watch 'Nobody' is not one the corpus knows"),
        (["-", "--language", "xx"], "--language 'xx' is not one the corpus knows"),
        (["-", "--since", "2026-11-02", "--until", "2026-11-01"], "is after --until"),
    ],
)
def test_exports_that_would_surprise_fail_loudly(corpus, tmp_path, args, message):
    result = export_cli(corpus, *(a.format(dir=tmp_path) for a in args))
    assert result.returncode == 2, result.stdout[:300]
    assert message in result.stderr and "Traceback" not in result.stderr, result.stderr
    if "--source" in args:
        assert "courier" in result.stderr, "the choices are named"


@pytest.mark.e2e
def test_search_and_alerts_name_the_choices_for_an_unknown_source_or_watch(corpus):
    search = run_newswatch("--config", str(corpus), "search", "Lavrov", "--source", "nosuch")
    assert search.returncode == 2 and "courier" in search.stderr, search.stderr
    alerts = run_newswatch("--config", str(corpus), "alerts", "--watch", "Nobody")
    assert alerts.returncode == 2 and "Sergei Lavrov" in alerts.stderr, alerts.stderr


@pytest.mark.e2e
def test_an_export_file_follows_the_umask_like_its_manifest(corpus, tmp_path):
    target = tmp_path / "out.csv"
    assert export_cli(corpus, str(target)).returncode == 0
    manifest = target.with_name(target.name + ".manifest.json")
    assert target.stat().st_mode & 0o777 == manifest.stat().st_mode & 0o777 != 0o600
