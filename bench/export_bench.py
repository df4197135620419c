"""Export benchmark: the research export (JSONL, CSV, Parquet) over a large corpus.

    .venv/bin/python bench/export_bench.py [--articles 200000] [--out DIR] [--seed N]
                                           [--formats jsonl,csv,parquet] [--repeat R]

1. Builds a newswatch database of N synthetic articles with `open_database` (the real
   schema, FTS triggers and indexes): 5 sources, 5 languages, 2–6 KB of text each (quotes,
   commas, newlines), `published` with the publisher's UTC offset over two years (some
   date-only, some missing), a sighting per article, a second sighting for ~20% and an
   alert for ~5%. Written to `$TMPDIR/newswatch-export-bench-n{N}-s{seed}/` (or `--out`)
   and reused when N, the seed and the generator version match. The build is not timed
   in the export figures, but its time is reported.
2. For each format and for the corpus sizes N/4, N/2 and N, runs `pipelines.export.export`
   with every field in a fresh subprocess (this script with `--child`): the smaller sizes
   are the oldest articles, selected with `ExportFilter(until=...)`; the full size has no
   filter. The child times the `export(...)` call alone and reports its peak RSS
   (`VmHWM`; see `peak_rss_mb`) as JSON. The database file is read once beforehand, so
   every run finds it in the page cache. Output files go to a temporary folder and are
   deleted after each run.

Targets (from the export issue): JSONL at the full size ≥ 20,000 articles/s; peak RSS
< 300 MB in every run; and flat: for each format, the peak RSS at the full size at most
1.25× the one at the smallest size. Prints a report with PASS/FAIL and writes the figures
to bench/results/export.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from fingerprint import code_fingerprint

TARGET_JSONL_PER_S = 20_000.0
TARGET_RSS_MB = 300.0
FLAT_RATIO = 1.25
DEFAULT_ARTICLES = 200_000
DEFAULT_SEED = 2025
GENERATOR_VERSION = 1
SIZE_SHARES = (0.25, 0.5, 1.0)
BATCH = 10_000  # articles per INSERT transaction
PROJECT = Path(__file__).resolve().parent.parent
RESULTS_FILE = PROJECT / "bench" / "results" / "export.json"
DB_NAME = "export-bench.db"
BUILD_FILE = "build.json"
SUFFIX = {"jsonl": ".jsonl", "csv": ".csv", "parquet": ".parquet"}
# Two years of publication dates, ending here (fixed, so a database is reproducible).
SPAN_END = datetime(2026, 11, 1, tzinfo=UTC)
SPAN_SECONDS = 2 * 365 * 24 * 3600


# --- synthetic corpus -------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    name: str
    host: str
    languages: tuple[tuple[str, int], ...]  # (language, weight)
    winter: str  # UTC offset of its published dates, November to March
    summer: str  # ... and April to October
    weight: int


SOURCES = (
    Source("globalwire", "www.globalwire.example", (("en", 75), ("es", 25)), "Z", "Z", 30),
    Source("capitol-times", "www.capitoltimes.example", (("en", 1),), "-05:00", "-04:00", 25),
    Source("tageskurier", "www.tageskurier.example", (("de", 1),), "+01:00", "+02:00", 15),
    Source(
        "le-quotidien", "www.lequotidien.example", (("fr", 9), ("en", 1)), "+01:00", "+02:00", 15
    ),
    Source("vestnik", "vestnik.example", (("ru", 85), ("en", 15)), "+03:00", "+03:00", 15),
)
SECTIONS = ("world", "politics", "business", "europe", "economy", "science", "culture", "sport")
DATE_SOURCES = (  # where `published` came from, with weights
    ("json_ld", 55),
    ("meta", 20),
    ("feed", 10),
    ("microdata", 5),
    ("news_sitemap", 5),
    ("sitemap_lastmod", 2),
    ("page_text", 3),
)
DATE_ONLY_SHARE = 0.02
UNDATED_SHARE = 0.01
SECOND_SIGHTING_SHARE = 0.20
ALERTED_SHARE = 0.05
BACKFILL_SHARE = 0.05  # fetched days or weeks after publication (sitemaps, archives)

VOCABULARY = {
    "en": "the minister said on Monday that government talks with officials would continue "
    "after a meeting in the capital while opposition leaders rejected the proposal and the "
    "economy grew faster than expected according to a report released by the central bank "
    "prices rose for the third month in a row as energy costs climbed and exporters warned of "
    "weaker demand from abroad it's unclear whether sanctions imposed last year will remain",
    "es": "el ministro dijo el lunes que las conversaciones del gobierno con los funcionarios "
    "continuarán después de una reunión en la capital mientras la oposición rechazó la "
    "propuesta y la economía creció más rápido de lo previsto según un informe del banco "
    "central los precios subieron por tercer mes consecutivo año pequeño señaló",
    "de": "der Minister sagte am Montag dass die Regierung Gespräche mit Vertretern fortsetzen "
    "werde während die Opposition den Vorschlag ablehnte und die Wirtschaft schneller wuchs "
    "als erwartet laut einem Bericht der Zentralbank über Maßnahmen für Straßen und Brücken "
    "die Preise stiegen im dritten Monat in Folge größere Unternehmen",
    "fr": "le ministre a déclaré lundi que le gouvernement poursuivrait les négociations avec "
    "les responsables après une réunion dans la capitale tandis que l'opposition a rejeté la "
    "proposition et l'économie a progressé plus vite que prévu selon un rapport de la banque "
    "centrale publié hier les prix ont augmenté pour le troisième mois consécutif",
    "ru": "министр заявил в понедельник что правительство продолжит переговоры с "
    "представителями после встречи в столице тогда как оппозиция отвергла предложение а "
    "экономика росла быстрее чем ожидалось по данным доклада центрального банка цены выросли "
    "третий месяц подряд ещё по словам экспертов",
}
QUOTES = {  # opening, closing quote marks and "said"
    "en": (("\u201c", "\u201d"), ('"', '"')),
    "es": (("\u00ab", "\u00bb"), ('"', '"')),
    "de": (("\u201e", "\u201c"), ('"', '"')),
    "fr": (("\u00ab\u00a0", "\u00a0\u00bb"), ('"', '"')),
    "ru": (("\u00ab", "\u00bb"), ('"', '"')),
}
SAID = {"en": "said", "es": "dijo", "de": "sagte", "fr": "a déclaré", "ru": "сказал"}
FIRST_NAMES = {
    "en": ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "Sarah"],
    "es": ["José", "María", "Carlos", "Lucía", "Javier", "Carmen", "Miguel", "Sofía"],
    "de": ["Jürgen", "Anna", "Stefan", "Katrin", "Thomas", "Sabine", "Lukas", "Jörg"],
    "fr": ["Jean", "Marie", "Pierre", "Hélène", "François", "Camille", "Élodie", "Luc"],
    "ru": ["Алексей", "Мария", "Дмитрий", "Ольга", "Сергей", "Наталья", "Иван", "Анна"],
}
LAST_NAMES = {
    "en": ["Smith", "Johnson", "O'Brien", "Williams", "Brown", "Garcia", "Miller", "Davis"],
    "es": ["García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Núñez"],
    "de": ["Müller", "Schmidt", "Schneider", "Fischer", "Weiß", "Wagner", "Becker", "Schäfer"],
    "fr": ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Fournier"],
    "ru": ["Иванов", "Смирнова", "Кузнецов", "Попова", "Соколов", "Лебедева", "Козлов"],
}
WATCHES = [
    "Acme Steel",
    "Northern Energy Group",
    "Maria Lopez",
    "Jürgen Weiß",
    "central bank",
    "sanctions",
    "Baltic Shipping",
    "Алексей Иванов",
    "Pacific Airlines",
    "wheat prices",
    "Hélène Moreau",
    "Federal Rail",
]


def sentence(rng: random.Random, lang: str, words: list[str]) -> str:
    """8–24 words, some with commas; a sixth of them quoted, attributed to a person."""
    picked = rng.choices(words, k=rng.randint(8, 24))
    for _ in range(rng.randint(0, 2)):
        i = rng.randrange(2, len(picked) - 1)
        picked[i] += ","
    text = " ".join(picked)
    text = text[0].upper() + text[1:]
    if rng.random() < 1 / 6:
        opening, closing = rng.choice(QUOTES[lang])
        who = f"{rng.choice(FIRST_NAMES[lang])} {rng.choice(LAST_NAMES[lang])}"
        return f"{opening}{text},{closing} {who} {SAID[lang]}."
    return text + rng.choice([".", ".", ".", ".", "?", "!"])


def sentence_pools(rng: random.Random) -> dict[str, list[tuple[str, int]]]:
    """Per language, 2,000 sentences with their size in UTF-8 bytes."""
    pools = {}
    for lang, text in VOCABULARY.items():
        words = text.split()
        made = (sentence(rng, lang, words) for _ in range(2000))
        pools[lang] = [(s, len(s.encode("utf-8"))) for s in made]
    return pools


def article_text(rng: random.Random, pool: list[tuple[str, int]]) -> str:
    """2–6 KB of paragraphs of 2–5 sentences; paragraphs apart by a blank line, some by one."""
    target, size, paragraphs = rng.randint(2000, 6000), 0, []
    while size < target:
        picked = rng.choices(pool, k=rng.randint(2, 5))
        paragraphs.append(" ".join(s for s, _ in picked))
        size += sum(n for _, n in picked) + len(picked) + 1
    separators = rng.choices(["\n\n", "\n\n", "\n\n", "\n"], k=len(paragraphs) - 1)
    parts = [paragraphs[0]]
    for separator, paragraph in zip(separators, paragraphs[1:], strict=True):
        parts += [separator, paragraph]
    return "".join(parts)


def slug(title: str) -> str:
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in title.lower()).split()
    return "-".join(words[:7]) or "story"


@dataclass(frozen=True)
class Plan:
    """When one article was published and fetched, and where from (drawn before the text)."""

    published: int | None  # seconds after the span's start, UTC
    fetched: int
    source: int  # index in SOURCES
    date_only: bool


def plan_articles(rng: random.Random, count: int) -> list[Plan]:
    """The articles in the order a crawl would have stored them: by fetch time."""
    weights = [s.weight for s in SOURCES]
    plans = []
    for moment in rng.sample(range(SPAN_SECONDS), count):  # distinct seconds
        delay = 60 + int(rng.expovariate(1 / 7200))
        if rng.random() < BACKFILL_SHARE:
            delay = rng.randint(86_400, 60 * 86_400)
        undated = rng.random() < UNDATED_SHARE
        plans.append(
            Plan(
                published=None if undated else moment,
                fetched=moment + delay,
                source=rng.choices(range(len(SOURCES)), weights)[0],
                date_only=not undated and rng.random() < DATE_ONLY_SHARE,
            )
        )
    plans.sort(key=lambda p: p.fetched)
    return plans


def iso_published(moment: datetime, source: Source, date_only: bool) -> str:
    offset = source.summer if 4 <= moment.month <= 10 else source.winter
    if offset == "Z":
        local = moment
    else:
        sign = 1 if offset[0] == "+" else -1
        local = moment + sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
    if date_only:
        return local.strftime("%Y-%m-%d")
    return local.strftime("%Y-%m-%dT%H:%M:%S") + offset


def article_rows(
    rng: random.Random, plans: list[Plan], pools: dict[str, list[tuple[str, int]]]
) -> Iterator[tuple[tuple, list[tuple], list[tuple]]]:
    """(articles row, sightings rows, alerts rows) for each planned article, id 1, 2, ..."""
    start = SPAN_END - timedelta(seconds=SPAN_SECONDS)
    sources_from, date_weights = zip(*DATE_SOURCES, strict=True)
    for article_id, plan in enumerate(plans, start=1):
        source = SOURCES[plan.source]
        langs, weights = zip(*source.languages, strict=True)
        lang = rng.choices(langs, weights)[0]
        pool = pools[lang]
        title = rng.choice(pool)[0].rstrip(".?!")[:110]
        description = " ".join(s for s, _ in rng.choices(pool, k=2))[:300]
        text = article_text(rng, pool)
        authors = [
            f"{rng.choice(FIRST_NAMES[lang])} {rng.choice(LAST_NAMES[lang])}"
            for _ in range(rng.choices([0, 1, 2, 3], [10, 60, 25, 5])[0])
        ]
        fetched = start + timedelta(seconds=plan.fetched)
        fetched_at = fetched.isoformat(timespec="seconds")
        if plan.published is None:
            published = published_from = None
            day = fetched
        else:
            day = start + timedelta(seconds=plan.published)
            published = iso_published(day, source, plan.date_only)
            published_from = rng.choices(sources_from, date_weights)[0]
            if plan.date_only:
                published_from = rng.choice(["sitemap_lastmod", "page_text"])
        section = rng.choice(SECTIONS)
        url = f"https://{source.host}/{section}/{day:%Y/%m/%d}/{slug(title)}-{article_id}"
        article = (
            article_id,
            url,
            source.name,
            title,
            json.dumps(authors, ensure_ascii=False),
            published,
            published_from,
            fetched_at,
            lang,
            description,
            source.name.replace("-", " ").title(),
            text,
            hashlib.sha256(text.encode("utf-8")).hexdigest(),
            len(text.split()),
        )
        sightings = [(url, article_id, source.name, fetched_at, fetched_at)]
        if rng.random() < SECOND_SIGHTING_SHARE:
            other = rng.choice(SOURCES)
            seen = (fetched + timedelta(minutes=rng.randint(5, 600))).isoformat(timespec="seconds")
            copy = rng.choice(
                [
                    f"https://{other.host}/syndication/{slug(title)}-{article_id}",
                    f"https://{source.host}/amp/{section}/{slug(title)}-{article_id}",
                    url + f"?utm_source=feed&id={article_id}",
                ]
            )
            sightings.append((copy, article_id, other.name, seen, seen))
        alerts = []
        if rng.random() < ALERTED_SHARE:
            for watch in rng.sample(WATCHES, rng.choices([1, 2], [80, 20])[0]):
                created = (fetched + timedelta(seconds=rng.randint(5, 300))).isoformat(
                    timespec="seconds"
                )
                delivered = (watch, article_id, watch, created, "delivered", created, '["email"]')
                alerts.append(delivered)
        yield article, sightings, alerts


INSERT_ARTICLE = (
    "INSERT INTO articles (id, url, source, title, authors, published, published_from, "
    "fetched_at, language, description, site_name, text, text_hash, word_count) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_SIGHTING = (
    "INSERT INTO sightings (url, article_id, source, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)"
)
INSERT_ALERT = (
    "INSERT INTO alerts (watch, article_id, matched, created_at, status, delivered_at, "
    "delivered_to) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def default_out(articles: int, seed: int) -> Path:
    return Path(tempfile.gettempdir()) / f"newswatch-export-bench-n{articles}-s{seed}"


def database_files(folder: Path) -> list[Path]:
    return [folder / (DB_NAME + suffix) for suffix in ("", "-wal", "-shm")]


def ensure_database(folder: Path, articles: int, seed: int) -> dict[str, Any]:
    """The benchmark database in `folder`, built now unless the one there matches."""
    from pipelines.storage.database import open_database

    build_file = folder / BUILD_FILE
    wanted = {"generator": GENERATOR_VERSION, "articles": articles, "seed": seed}
    if build_file.is_file() and (folder / DB_NAME).is_file():
        build = json.loads(build_file.read_text(encoding="utf-8"))
        if {k: build.get(k) for k in wanted} == wanted:
            return {**build, "reused": True}
    build_file.unlink(missing_ok=True)
    for path in database_files(folder):  # ours: only this benchmark writes DB_NAME here
        path.unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    rng = random.Random(seed)
    pools = sentence_pools(rng)
    plans = plan_articles(rng, articles)
    db = open_database(folder / DB_NAME)
    conn = db.conn
    conn.execute("PRAGMA synchronous=OFF")  # a benchmark database: rebuilt if a build dies
    conn.execute("PRAGMA cache_size=-262144")
    batch: tuple[list, list, list] = ([], [], [])
    done = 0
    for article, sightings, alerts in article_rows(rng, plans, pools):
        batch[0].append(article)
        batch[1].extend(sightings)
        batch[2].extend(alerts)
        if len(batch[0]) >= BATCH:
            done += insert_batch(conn, batch)
            print(f"  built {done:,} of {articles:,} articles", file=sys.stderr, end="\r")
            batch = ([], [], [])
    done += insert_batch(conn, batch)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    counts = {
        table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("articles", "sightings", "alerts")
    }
    conn.close()
    print(" " * 60, file=sys.stderr, end="\r")
    build = {
        **wanted,
        "build_seconds": round(time.perf_counter() - t0, 1),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "counts": counts,
    }
    build_file.write_text(json.dumps(build, indent=2) + "\n", encoding="utf-8")
    return {**build, "reused": False}


def insert_batch(conn: Any, batch: tuple[list, list, list]) -> int:
    articles, sightings, alerts = batch
    with conn:  # one transaction
        conn.executemany(INSERT_ARTICLE, articles)
        conn.executemany(INSERT_SIGHTING, sightings)
        conn.executemany(INSERT_ALERT, alerts)
    return len(articles)


def warm_cache(path: Path) -> float:
    """Read the file once, so that every export finds it in the page cache. Returns MB."""
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            size += len(chunk)
    return size / 2**20


def cut_offs(path: Path, sizes: list[int]) -> dict[int, str | None]:
    """For each size K, an `until` that selects the K oldest articles (None: all of them)."""
    from pipelines.storage.database import open_database

    db = open_database(path)
    total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    found: dict[int, str | None] = {}
    for size in sizes:
        if size >= total:
            found[size] = None
            continue
        # The export's own ordering expression: `until` keeps what is before this moment.
        found[size] = db.execute(
            "SELECT m FROM (SELECT coalesce(datetime(published), datetime(fetched_at)) AS m "
            "FROM articles) ORDER BY m LIMIT 1 OFFSET ?",
            [size],
        ).fetchone()[0]
    db.conn.close()
    return found


# --- one export, in a fresh process -------------------------------------------------------


def peak_rss_mb() -> float:
    """The peak resident memory of this process (VmHWM), in MB.

    Not `ru_maxrss`: subprocess starts the child with vfork and exec, and Linux carries
    the parent's peak over into the child's `ru_maxrss` (a child of a 300 MB parent reports
    300 MB however little it uses). VmHWM belongs to the child's own address space.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def ru_maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one export as `spec` says; only the export(...) call is timed."""
    rss_start = peak_rss_mb()
    t0 = time.perf_counter()
    from pipelines.corpus.export import FIELDS, ExportFilter, count_articles, export
    from pipelines.storage.database import open_database

    if spec["format"] == "parquet":  # imported inside write_parquet: not part of the export
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    import_seconds = time.perf_counter() - t0

    db = open_database(spec["database"])
    filters = ExportFilter(until=spec["until"])
    expected = count_articles(db, filters)
    rss_ready = peak_rss_mb()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    manifest = export(
        db, spec["target"], spec["format"], filters, list(FIELDS), version=version("newswatch")
    )
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    assert manifest is not None
    return {
        "rows": manifest.rows,
        "expected_rows": expected,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "output_bytes": Path(spec["target"]).stat().st_size,
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_export_mb": rss_ready,
        "rss_at_start_mb": rss_start,
        "import_seconds": import_seconds,
        "ru_maxrss_mb": ru_maxrss_mb(),  # for reference: includes the parent's peak
    }


def run_export(database: Path, fmt: str, until: str | None, scratch: Path) -> dict[str, Any]:
    target = scratch / f"export{SUFFIX[fmt]}"
    spec = {"database": str(database), "format": fmt, "until": until, "target": str(target)}
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", json.dumps(spec)],
            capture_output=True,
            text=True,
            cwd=PROJECT,
            timeout=3600,
        )
    finally:
        for path in scratch.iterdir():  # the export, its manifest, any temporary file
            path.unlink()
    if done.returncode != 0:
        raise RuntimeError(f"the {fmt} export failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the run ------------------------------------------------------------------------------


def summarise(fmt: str, size: int, until: str | None, attempts: list[dict]) -> dict[str, Any]:
    seconds = statistics.median(a["seconds"] for a in attempts)
    rows = attempts[0]["rows"]
    return {
        "format": fmt,
        "size": size,
        "until": until,
        "rows": rows,
        "rows_complete": all(a["rows"] == a["expected_rows"] for a in attempts),
        "seconds": round(seconds, 2),
        "articles_per_s": round(rows / seconds),
        "cpu_seconds": round(statistics.median(a["cpu_seconds"] for a in attempts), 2),
        "output_mb": round(attempts[0]["output_bytes"] / 2**20, 1),
        "peak_rss_mb": round(max(a["peak_rss_mb"] for a in attempts), 1),
        "rss_before_export_mb": round(max(a["rss_before_export_mb"] for a in attempts), 1),
        "attempts": [
            {k: round(v, 3) if isinstance(v, float) else v for k, v in a.items()} for a in attempts
        ],
    }


def checks(runs: list[dict], formats: list[str], full: int) -> list[dict[str, Any]]:
    found = []
    jsonl = [r for r in runs if r["format"] == "jsonl" and r["size"] == full]
    if jsonl:
        rate = jsonl[0]["articles_per_s"]
        found.append(
            {
                "check": f"JSONL at {full:,} articles >= {TARGET_JSONL_PER_S:,.0f} articles/s",
                "value": rate,
                "passed": rate >= TARGET_JSONL_PER_S,
            }
        )
    worst = max(runs, key=lambda r: r["peak_rss_mb"])
    found.append(
        {
            "check": f"peak RSS < {TARGET_RSS_MB:.0f} MB in every run",
            "value": f"{worst['peak_rss_mb']} MB at most ({worst['format']}, {worst['size']:,})",
            "passed": worst["peak_rss_mb"] < TARGET_RSS_MB,
        }
    )
    for fmt in formats:
        mine = sorted((r for r in runs if r["format"] == fmt), key=lambda r: r["size"])
        ratio = mine[-1]["peak_rss_mb"] / mine[0]["peak_rss_mb"]
        found.append(
            {
                "check": f"{fmt} peak RSS flat: at {mine[-1]['size']:,} <= {FLAT_RATIO}x "
                f"at {mine[0]['size']:,}",
                "value": f"{ratio:.2f}x ({mine[0]['peak_rss_mb']} -> {mine[-1]['peak_rss_mb']} MB)",
                "passed": ratio <= FLAT_RATIO,
            }
        )
    found.append(
        {
            "check": "every export wrote every selected article",
            "value": sum(r["rows_complete"] for r in runs),
            "passed": all(r["rows_complete"] for r in runs),
        }
    )
    return found


def optional_version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(int(memory) / 2**20, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def run(articles: int, seed: int, out: Path, formats: list[str], repeat: int) -> dict[str, Any]:
    import sqlite3

    build = ensure_database(out, articles, seed)
    database = out / DB_NAME
    db_mb = warm_cache(database)
    sizes = sorted({max(1, round(articles * share)) for share in SIZE_SHARES})
    until = cut_offs(database, sizes)
    runs = []
    with tempfile.TemporaryDirectory(prefix="newswatch-export-bench-out-") as scratch:
        for fmt in formats:
            for size in sizes:
                attempts = [
                    run_export(database, fmt, until[size], Path(scratch)) for _ in range(repeat)
                ]
                runs.append(summarise(fmt, size, until[size], attempts))
                last = runs[-1]
                print(
                    f"  {fmt:8} {last['rows']:>8,} articles  {last['articles_per_s']:>8,}/s  "
                    f"{last['peak_rss_mb']:6.1f} MB",
                    file=sys.stderr,
                )
    found = checks(runs, formats, sizes[-1])
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": {
            "newswatch": version("newswatch"),
            "sqlite": sqlite3.sqlite_version,
            "sqlite-utils": version("sqlite-utils"),
            "pyarrow": version("pyarrow"),
            "orjson": optional_version("orjson"),
        },
        "code_fingerprint": code_fingerprint(),
        "articles": articles,
        "seed": seed,
        "database": {"path": str(database), "mb": round(db_mb, 1), **build},
        "repeat": repeat,
        "sizes": sizes,
        "runs": runs,
        "checks": found,
        "targets": {
            "jsonl_articles_per_s_min": TARGET_JSONL_PER_S,
            "peak_rss_mb_max": TARGET_RSS_MB,
            "flat_ratio_max": FLAT_RATIO,
        },
        "passed": all(c["passed"] for c in found),
    }


def report(result: dict[str, Any]) -> str:
    build, counts = result["database"], result["database"]["counts"]
    how = "reused" if build["reused"] else "built"
    lines = [
        f"database        {result['articles']:,} articles, {counts['sightings']:,} sightings, "
        f"{counts['alerts']:,} alerts; {build['mb']:,.0f} MB; {how} "
        f"(build took {build['build_seconds']} s)",
        f"exports         every field, fresh process each, median of {result['repeat']}; "
        f"code {result['code_fingerprint']}",
        "",
        f"  {'format':8} {'articles':>9} {'articles/s':>11} {'seconds':>8} {'CPU s':>7} "
        f"{'output MB':>10} {'RSS before':>11} {'peak RSS':>9}",
    ]
    for r in result["runs"]:
        lines.append(
            f"  {r['format']:8} {r['rows']:>9,} {r['articles_per_s']:>11,} {r['seconds']:>8.2f} "
            f"{r['cpu_seconds']:>7.2f} {r['output_mb']:>10,.1f} "
            f"{r['rss_before_export_mb']:>8.1f} MB {r['peak_rss_mb']:>6.1f} MB"
        )
    lines.append("")
    for check in result["checks"]:
        verdict = "PASS" if check["passed"] else "FAIL"
        lines.append(f"{verdict}: {check['check']}: {check['value']}")
    return "\n".join(lines)


def write_results(result: dict[str, Any], path: Path = RESULTS_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=DEFAULT_ARTICLES)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="folder of the database (default: in $TMPDIR)")
    parser.add_argument("--formats", default="jsonl,csv,parquet")
    parser.add_argument("--repeat", type=int, default=1, help="exports per format and size")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = set(formats) - set(SUFFIX)
    if unknown or not formats or args.articles < 4 or args.repeat < 1:
        raise SystemExit("formats are jsonl, csv, parquet; --articles >= 4; --repeat >= 1")
    out = args.out or default_out(args.articles, args.seed)
    result = run(args.articles, args.seed, out, formats, args.repeat)
    print(report(result))
    write_results(result)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
