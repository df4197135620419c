"""Exporting the corpus for research: JSONL, CSV and Parquet, streamed, with a manifest.

Rows are streamed from one SQL query, so memory stays flat whatever the corpus
size. A file is written under a temporary name and renamed at the end: an
error or an interrupted export leaves no partial file.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson
from sqlite_utils import Database

from config import parse_when
from pipelines.clock import as_utc
from pipelines.corpus.search import SearchError, fts_query
from pipelines.storage.database import decompress

# The fields of an exported article, and what each means (copied into the manifest).
FIELDS: dict[str, str] = {
    "id": "newswatch's id of the article (stable within this database)",
    "url": "the article's canonical URL",
    "source": "the configured source it was collected from",
    "title": "the headline",
    "authors": "list of author names",
    "published": "publication time, ISO 8601 with the publisher's offset (or a date)",
    "published_from": "where the date came from: json_ld, meta, microdata, feed, "
    "news_sitemap, sitemap_lastmod, page_text",
    "fetched_at": "when newswatch fetched it, ISO 8601 UTC",
    "language": "ISO 639-1 code, declared by the page or detected",
    "description": "the page's own summary (meta description)",
    "text": "the extracted main text, without boilerplate",
    "word_count": "words in text",
    "sightings": "other URLs the same text was seen at (syndicated copies, mirrors)",
    "cluster_id": "the story it belongs to: articles with nearly the same text share it "
    "(the id of the story's first stored article)",
    "cluster_urls": "every other URL the story was seen at (other articles and their copies)",
    "updated_at": "when a recheck last found a changed text (null: never updated)",
    "watches": "names of the watches that alerted on it",
}
LIST_FIELDS = {"authors", "sightings", "cluster_urls", "watches"}
TIMESTAMPS = {"published", "fetched_at", "updated_at"}
FORMATS = ("jsonl", "csv", "parquet", "warc")
ROW_GROUP = 5_000  # rows per Parquet row group: about 25 MB of text for typical articles


class ExportError(Exception):
    """The export cannot be made as asked: a bad field, date, query or path."""


@dataclass(frozen=True)
class ExportFilter:
    since: str | None = None
    until: str | None = None
    sources: tuple[str, ...] = ()
    query: str | None = None
    watch: str | None = None
    language: str | None = None
    dedupe: str | None = None  # "cluster": one article per story, the earliest published


@dataclass
class Manifest:
    file: str
    format: str
    newswatch_version: str
    exported_at: str
    filters: dict[str, Any]
    fields: dict[str, str]
    rows: int = 0
    published_range: list[str | None] = field(default_factory=lambda: [None, None])
    sources: dict[str, int] = field(default_factory=dict)
    sha256: str = ""


def format_for(target: str, given: str | None) -> str:
    """The format asked for, or the one the file name implies."""
    if given:
        return given
    name = target.lower().removesuffix(".gz")
    if name.endswith(".json"):
        raise ExportError(
            f"{target!r} would hold JSON Lines (one article a line), not a JSON document: "
            "name it .jsonl, or give --format jsonl"
        )
    for fmt, suffixes in (
        ("jsonl", (".jsonl", ".ndjson")),
        ("csv", (".csv",)),
        ("parquet", (".parquet",)),
        ("warc", (".warc",)),
    ):
        if name.endswith(suffixes):
            return fmt
    if target == "-":
        return "jsonl"
    raise ExportError(
        f"cannot tell the format from {target!r}: use --format jsonl|csv|parquet|warc "
        "or a name ending in .jsonl, .csv, .parquet or .warc (.gz to compress)"
    )


def parse_fields(text: str | None) -> list[str]:
    if not text:
        return list(FIELDS)
    fields = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [f for f in fields if f not in FIELDS]
    if unknown:
        raise ExportError(f"unknown field {unknown[0]!r}; fields are: {', '.join(FIELDS)}")
    return fields


def parse_day(value: str | None, option: str, *, end: bool = False) -> str | None:
    """A --since/--until value (`config.parse_when`) as a UTC timestamp; a bare --until
    day includes that day."""
    if value is None:
        return None
    try:
        moment = parse_when(value, end=end)
    except ValueError as exc:
        raise ExportError(f"{option}: {exc}") from None
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def check_filters(
    db: Database, filters: ExportFilter, *, sources: Iterable[str], watches: Iterable[str]
) -> None:
    """Filters that can match nothing by mistake are errors that name the choices: a
    source, watch or language the corpus has never had, a --since after the --until."""
    known_sources = set(sources) | _distinct(db, "SELECT DISTINCT source FROM articles")
    for name in filters.sources:
        if name not in known_sources:
            raise ExportError(_unknown("--source", name, known_sources))
    if filters.watch:
        known = set(watches) | _distinct(db, "SELECT DISTINCT watch FROM alerts")
        if filters.watch not in known:
            raise ExportError(_unknown("--watch", filters.watch, known))
    if filters.language:
        known = _distinct(db, "SELECT DISTINCT language FROM articles WHERE language IS NOT NULL")
        if filters.language not in known:
            raise ExportError(_unknown("--language", filters.language, known))
    since = parse_day(filters.since, "--since")
    until = parse_day(filters.until, "--until", end=True)
    if since and until and since >= until:
        raise ExportError(f"--since {filters.since} is after --until {filters.until}")


def _distinct(db: Database, sql: str) -> set[str]:
    return {value for (value,) in db.execute(sql).fetchall() if value}


def _unknown(option: str, value: str, choices: Iterable[str]) -> str:
    listed = ", ".join(sorted(choices)) or "none yet"
    return f"{option} {value!r} is not one the corpus knows; the choices are: {listed}"


def _where(db: Database, filters: ExportFilter) -> tuple[str, list[Any]]:
    clauses, args = ["1 = 1"], []
    moment = "coalesce(datetime(a.published), datetime(a.fetched_at))"
    if filters.since:
        clauses.append(f"{moment} >= ?")
        args.append(parse_day(filters.since, "--since"))
    if filters.until:
        clauses.append(f"{moment} < ?")
        args.append(parse_day(filters.until, "--until", end=True))
    if filters.sources:
        clauses.append(f"a.source IN ({', '.join('?' * len(filters.sources))})")
        args.extend(filters.sources)
    if filters.language:
        clauses.append("a.language = ?")
        args.append(filters.language)
    if filters.watch:
        clauses.append("a.id IN (SELECT article_id FROM alerts WHERE watch = ?)")
        args.append(filters.watch)
    if filters.query:
        clauses.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
        try:
            args.append(fts_query(filters.query))
        except SearchError as exc:
            raise ExportError(f"the --query: {exc}") from None
    where = " AND ".join(clauses)
    if filters.dedupe == "cluster":
        # Of each story's matching articles, the earliest published (ids only are sorted).
        where += (
            " AND a.id IN (SELECT id FROM (SELECT a.id, row_number() OVER (PARTITION BY "
            f"a.cluster_id ORDER BY {moment}, a.id) AS n FROM articles a WHERE {where}) "
            "WHERE n = 1)"
        )
        args = args + args
    return where, args


_COLUMNS = {
    "sightings": "(SELECT json_group_array(url) FROM sightings s "
    "WHERE s.article_id = a.id AND s.url != a.url) AS sightings",
    "cluster_urls": "(SELECT json_group_array(s.url) FROM articles b "
    "JOIN sightings s ON s.article_id = b.id "
    "WHERE b.cluster_id = a.cluster_id AND s.url != a.url) AS cluster_urls",
    "watches": "(SELECT json_group_array(DISTINCT watch) FROM alerts w "
    "WHERE w.article_id = a.id) AS watches",
}


def count_articles(db: Database, filters: ExportFilter) -> int:
    where, args = _where(db, filters)
    return db.execute(f"SELECT count(*) FROM articles a WHERE {where}", args).fetchone()[0]


def select_articles(db: Database, filters: ExportFilter, fields: Sequence[str]) -> Iterator[dict]:
    """The matching articles in the order they were stored, one dict per row, streamed."""
    where, args = _where(db, filters)
    columns = ", ".join(_COLUMNS.get(f, f"a.{f}") for f in fields)
    cursor = db.execute(
        # In the order stored: a streaming scan, where ordering by date would first sort
        # the whole corpus, texts and all.
        f"SELECT {columns} FROM articles a WHERE {where} ORDER BY a.id",
        args,
    )
    for values in cursor:
        row = dict(zip(fields, values, strict=True))
        for name in LIST_FIELDS & row.keys():
            row[name] = orjson.loads(row[name] or "[]")
        if "watches" in row:
            row["watches"].sort()
        yield row


def select_raw_pages(db: Database, filters: ExportFilter) -> Iterator[dict]:
    """The archived responses of the matching articles, in the order they were fetched."""
    where, args = _where(db, filters)
    cursor = db.execute(
        "SELECT r.url, r.status, r.headers, r.body, r.fetched_at, a.source, a.published "
        f"FROM raw_pages r JOIN articles a ON a.id = r.article_id WHERE {where} ORDER BY r.id",
        args,
    )
    columns = ("url", "status", "headers", "body", "fetched_at", "source", "published")
    for values in cursor:
        yield dict(zip(columns, values, strict=True))


def write_warc(rows: Iterable[dict], out: IO[bytes], *, compress: bool) -> None:
    """A WARC 1.1 request/response pair per archived response (warcio)."""
    from urllib.parse import urlsplit

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=compress, warc_version="WARC/1.1")
    for row in rows:
        body = decompress(row["body"]) or b""
        date = (as_utc(row["fetched_at"]) or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        # The body is stored decoded: its length and encoding are what is written now.
        headers = [
            (k, v)
            for k, v in json.loads(row["headers"] or "[]")
            if k.lower() not in ("content-encoding", "transfer-encoding", "content-length")
        ]
        headers.append(("Content-Length", str(len(body))))
        response = writer.create_warc_record(
            row["url"],
            "response",
            payload=io.BytesIO(body),
            http_headers=StatusAndHeaders(f"{row['status']} OK", headers, protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": date},
        )
        parts = urlsplit(row["url"])
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        request = writer.create_warc_record(
            row["url"],
            "request",
            payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders(
                f"GET {target or '/'} HTTP/1.1", [("Host", parts.netloc)], is_http_request=True
            ),
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_request_response_pair(request, response)


def write_jsonl(rows: Iterable[dict], out: IO[bytes]) -> None:
    # orjson writes UTF-8 bytes straight away: the json module's encoding and a text
    # layer's re-encoding were most of the export's time.
    for row in rows:
        out.write(orjson.dumps(row))
        out.write(b"\n")


def write_csv(rows: Iterable[dict], out: IO[str], fields: Sequence[str]) -> None:
    """RFC 4180: CRLF line ends, fields quoted when needed; lists as JSON arrays."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow(
            json.dumps(row[f], ensure_ascii=False) if f in LIST_FIELDS else row[f] for f in fields
        )


def write_parquet(rows: Iterable[dict], path: Path, fields: Sequence[str]) -> None:
    """Typed columns (timestamps, lists of strings), in row groups of ROW_GROUP rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "id": pa.int64(),
        "cluster_id": pa.int64(),
        "word_count": pa.int32(),
        **{name: pa.timestamp("us", tz="UTC") for name in TIMESTAMPS},
        **{name: pa.list_(pa.string()) for name in LIST_FIELDS},
    }
    schema = pa.schema([(f, types.get(f, pa.string())) for f in fields])
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        # Columns, not a list of dicts: a row group's Python objects stay small.
        columns: dict[str, list] = {f: [] for f in fields}
        for row in rows:
            for name in fields:
                value = row[name]
                columns[name].append(as_utc(value) if name in TIMESTAMPS else value)
            if len(columns[fields[0]]) >= ROW_GROUP:
                writer.write_table(pa.Table.from_pydict(columns, schema=schema))
                columns = {f: [] for f in fields}
        if columns[fields[0]]:
            writer.write_table(pa.Table.from_pydict(columns, schema=schema))


def export(
    db: Database,
    target: str,
    fmt: str,
    filters: ExportFilter,
    fields: Sequence[str],
    *,
    version: str,
    stdout: IO[bytes] | None = None,
    progress: Callable[[int], None] | None = None,
    force: bool = False,
) -> Manifest | None:
    """Write the export to `target` ("-": `stdout`); returns the manifest of a file export.
    An existing file is replaced only with `force`."""
    check_target(target, force=force)
    path = Path(target)
    if fmt == "warc" and not archived_share(db, filters)[0]:
        raise ExportError(
            "no archived pages to write as WARC for these articles: pages are archived "
            "only with [storage] archive_html = true (settings.toml), from the next crawl on"
        )
    stats = _Tally(fields)
    if fmt == "warc":
        stats.fields = {"warc": "request and response records of each archived article page"}
        rows = stats.count(select_raw_pages(db, filters), progress)
    else:
        rows = stats.count(select_articles(db, filters, fields), progress)
    if target == "-":
        if fmt in ("parquet", "warc"):
            raise ExportError(f"{fmt} cannot be written to stdout: give a file name")
        _write_stream(rows, stdout, fmt, fields)
        return None
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: folder {path.parent} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise ExportError(f"cannot write in {path.parent}: {exc.strerror}") from None
    os.close(handle)
    try:
        if fmt == "parquet":
            write_parquet(rows, Path(temporary), fields)
        elif fmt == "warc":
            with open(temporary, "wb") as out:
                write_warc(rows, out, compress=path.name.endswith(".gz"))
        else:
            opener = gzip.open if path.name.endswith(".gz") else open
            with opener(temporary, "wb") as out:
                _write_stream(rows, out, fmt, fields)
        # mkstemp makes the file private (0600); an export is shared like its manifest.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:  # errors, Ctrl-C: no partial file is left behind
        Path(temporary).unlink(missing_ok=True)
        raise
    manifest = Manifest(
        file=path.name,
        format=fmt + (" (gzip)" if path.name.endswith(".gz") else ""),
        newswatch_version=version,
        exported_at=datetime.now(UTC).isoformat(timespec="seconds"),
        filters={k: v for k, v in asdict(filters).items() if v},
        fields=stats.fields,
        rows=stats.rows,
        published_range=[stats.first, stats.last],
        sources=dict(sorted(stats.sources.items())),
        sha256=sha256_of(path),
    )
    manifest_path = path.with_name(path.name + ".manifest.json")
    manifest_path.write_text(json.dumps(asdict(manifest), indent=2, ensure_ascii=False) + "\n")
    return manifest


def check_target(target: str, *, force: bool = False) -> None:
    """A file to write: not a folder, and not an existing file unless `force`."""
    path = Path(target)
    if target == "-":
        return
    if path.is_dir():
        raise ExportError(f"{path} is a folder: give a file in it, like {path / 'corpus.jsonl'}")
    if path.exists() and not force:
        raise ExportError(f"{path} exists: give --force to replace it and its manifest")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def archived_share(db: Database, filters: ExportFilter) -> tuple[int, int]:
    """(articles with an archived page, articles) among those the filters match."""
    where, args = _where(db, filters)
    archived, total = db.execute(
        "SELECT count(DISTINCT r.article_id), (SELECT count(*) FROM articles a WHERE "
        f"{where}) FROM raw_pages r JOIN articles a ON a.id = r.article_id WHERE {where}",
        [*args, *args],
    ).fetchone()
    return archived, total


class _Tally:
    """Counts what passes by, for the manifest, without keeping the rows."""

    def __init__(self, fields: Sequence[str]) -> None:
        self.fields = {f: FIELDS[f] for f in fields}
        self.rows = 0
        self.sources: Counter[str] = Counter()
        self.first: str | None = None
        self.last: str | None = None

    def count(self, rows: Iterable[dict], progress: Callable[[int], None] | None):
        for row in rows:
            self.rows += 1
            if "source" in row:
                self.sources[row["source"]] += 1
            published = row.get("published")
            if published:
                self.first = min(self.first or published, published)
                self.last = max(self.last or published, published)
            if progress:
                progress(1)
            yield row


def _write_stream(rows: Iterable[dict], out: IO[bytes], fmt: str, fields: Sequence[str]) -> None:
    if fmt == "jsonl":
        write_jsonl(rows, out)
        return
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    write_csv(rows, text, fields)
    text.flush()
    text.detach()  # the caller closes `out`


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
