"""Article extraction on real pages: newswatch against trafilatura, text and metadata.

Scores three systems side by side, in one run, on two public sets of real web pages with
hand-checked expected content (described in ../shared/data/README.md):

- fundus: Fundus's parser test pages, 258 news articles from 181 publishers in 41 countries.
  Expected text: the body's summary, then each section's headlines and paragraphs (not the title).
- readability: Mozilla Readability's 130 test pages. Expected text: expected.html's text, block by
  block. 8 pages are marked `readerable: false` (not articles): there the right answer is to
  return nothing, and they are kept out of every text and metadata figure. A page's URL is its
  own absolute `<link rel="canonical">`, else `http://<folder>.example/`.

Systems, each given the raw page bytes (they decode them) and the URL:

- newswatch: `pipelines.extract.examine_page(html, url, min_words=ExtractSettings().min_words,
  presented_by="feed")`, the page as a news monitor meets it: named by a feed or a sitemap
  (see `newswatch_system`, the one place to change when its signature does);
- newswatch-front: the same page found as a link on a section front (`presented_by="front"`),
  where the rules ask for more evidence that it is an article;
- trafilatura: `trafilatura.extract(html, url=url)` for the text, and for metadata (title,
  author, date) `trafilatura.bare_extraction(html, url=url, with_metadata=True)`;
- trafilatura-precision: the same two calls with `favor_precision=True, include_comments=False`.

Metrics:

- found: share of real articles for which the system returned an article. On non-articles,
  "rejected" is the share for which it returned nothing.
- text: bag-of-words precision, recall and F1 of the extracted text against the expected text.
  Tokens: NFKC, casefold, then runs of word characters (`\\w` and combining marks); every Han,
  Hiragana, Katakana, Thai, Lao, Khmer and Myanmar character is a token of its own. Overlap is
  the multiset intersection: P = overlap / extracted tokens, R = overlap / expected tokens.
  "all" is the mean over every real article (an article not found scores 0); "found" is the mean
  over the articles that system found; "micro" is summed overlap over summed token counts.
- title: normalised (NFKC, casefold, whitespace collapsed) exact match, and token F1.
- date: the extracted date has the same calendar day as the truth's (date parts as written,
  no time-zone conversion; within one day is also recorded in the JSON).
- authors, fundus: the expected list against the extracted names (each normalised to its
  tokens), precision, recall and F1 of the two name sets; the table shows the mean F1.
- authors, readability: Readability's `byline` is free text ("By ...", dates, site names), so
  only loosely: the share of the byline's tokens (less "by"/"par"/"von"/"and") found among the
  extracted authors' tokens.
  Metadata figures are means over the real articles where the truth has the field; a page for
  which the system returned no article counts as wrong.
- ms/page: wall time of the call that gives the text (newswatch's one call includes its
  metadata; trafilatura's metadata call is timed apart), mean over every page of the set, after
  one untimed warm-up call per system. An exception counts as not found and is recorded.

Prints a table per set, the real articles newswatch skipped and the 15 pages with its lowest F1;
writes everything, with per-page records, to bench/results/extract_eval.json. The archives are
unpacked once into .cache/extract-data/ (git-ignored). A full run takes about two minutes.

    python bench/extract_eval.py
    python bench/extract_eval.py --set fundus --limit 20 --systems newswatch,trafilatura
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import platform
import re
import statistics
import sys
import tarfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

import lxml.html
import trafilatura
from fingerprint import code_fingerprint
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import ExtractSettings  # noqa: E402
from pipelines.extract import Article, examine_page  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
CACHE = ROOT / ".cache" / "extract-data"
RESULTS_FILE = Path(__file__).resolve().parent / "results" / "extract_eval.json"
ARCHIVES = {
    "fundus": ("fundus-test-pages.tar", "fundus-test-pages"),
    "readability": ("readability-test-pages.tar.xz", "test-pages"),
}
WORST = 15
_WARM_UP_WORDS = "council bridge river repair budget vote evening residents mayor traffic".split()
WARM_UP_PAGE = (
    "<html><body><article><h1>A story</h1>"
    + "".join(
        f"<p>On day {i} the {w} came up again, and the {_WARM_UP_WORDS[i - 3]} was discussed "
        f"by the {_WARM_UP_WORDS[i - 5]} before the {_WARM_UP_WORDS[i - 7]} ended.</p>"
        for i, w in enumerate(_WARM_UP_WORDS)
    )
    + "</article></body></html>"
).encode()

# --- tokens ---------------------------------------------------------------------------------

# Scripts written without spaces between words: one token per character.
_CHAR_SCRIPTS = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f"  # Myanmar
    "\u1780-\u17ff\u19e0-\u19ff"  # Khmer
    "\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b"  # Han radicals and marks
    "\u3040-\u30ff\u31f0-\u31ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # Han
)


def _mark_ranges() -> str:
    """A character class body of every combining mark (category M), which `\\w` leaves out:
    without them, words in Devanagari, Bengali, Tamil... would fall apart at each vowel sign."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x300, 0xE01F0):
        if unicodedata.category(chr(code))[0] == "M":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(
        re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges
    )


_TOKEN = re.compile(rf"[{_CHAR_SCRIPTS}]|(?:(?![{_CHAR_SCRIPTS}])[\w{_mark_ranges()}])+")
_SPACE = re.compile(r"\s+")
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_BYLINE_NOISE = {"by", "par", "von", "and", "und", "et", "y", "e"}


def tokens(text: str | None) -> list[str]:
    if not text:
        return []
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def normal_title(text: str | None) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text or "").casefold()).strip()


def normal_name(name: str) -> str:
    words = tokens(name)
    if words and words[0] == "by":
        words = words[1:]
    return " ".join(words)


def prf(expected: Counter, got: Counter) -> tuple[float, float, float, int]:
    """Precision, recall, F1 and overlap of two bags of tokens."""
    overlap = sum((expected & got).values())
    precision = overlap / sum(got.values()) if got else 0.0
    recall = overlap / sum(expected.values()) if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, overlap


def day(value: str | None) -> date | None:
    match = _DAY.match((value or "").strip())
    if not match:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


# --- data -----------------------------------------------------------------------------------


@dataclass
class Page:
    set: str
    id: str
    site: str  # Fundus publisher, or Readability folder
    url: str
    path: Path
    gzipped: bool
    expected: str
    article: bool  # False: a page that is not an article (Readability's readerable: false)
    title: str | None
    published: str | None
    authors: list[str] | None = None  # Fundus
    byline: str | None = None  # Readability

    def html(self) -> bytes:
        raw = self.path.read_bytes()
        return gzip.decompress(raw) if self.gzipped else raw


def unpack(data: Path, name: str) -> Path:
    """The set's folder under .cache/extract-data/, unpacked from its archive the first time."""
    archive, folder = ARCHIVES[name]
    marker = CACHE / f".{archive}.unpacked"
    if not marker.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"unpacking {data / archive} into {CACHE} ...", flush=True)
        with tarfile.open(data / archive) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(CACHE, filter="data")
            else:  # Python < 3.11.4
                tar.extractall(CACHE)  # noqa: S202
        marker.write_text(archive)
    return CACHE / folder


def fundus_pages(root: Path) -> list[Page]:
    listing = json.loads((root / "pages.json").read_text("utf-8"))
    pages = []
    for entry in listing["pages"]:
        body = entry["body"]
        parts = list(body.get("summary") or [])
        for section in body.get("sections") or []:
            parts += section.get("headline") or []
            parts += section.get("paragraphs") or []
        pages.append(
            Page(
                set="fundus",
                id=entry["id"],
                site=entry["publisher"],
                url=entry["url"],
                path=root / entry["html"],
                gzipped=entry["html"].endswith(".gz"),
                expected="\n".join(parts),
                article=True,
                title=entry.get("title"),
                published=entry.get("published"),
                authors=list(entry.get("authors") or []),
            )
        )
    return pages


_BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl",
    "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul",
}  # fmt: skip


def block_text(html: bytes) -> str:
    """An HTML fragment's text content, one line per block element."""
    root = lxml.html.fromstring(html.decode("utf-8"))
    parts: list[str] = []
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else None
        if tag in ("script", "style"):
            if event == "end" and element.tail:
                parts.append(_SPACE.sub(" ", element.tail))
            continue
        block = tag in _BLOCKS
        if event == "start":
            if block:
                parts.append("\n")
            if tag and element.text:
                parts.append(_SPACE.sub(" ", element.text))
        else:
            if block:
                parts.append("\n")
            if element.tail:
                parts.append(_SPACE.sub(" ", element.tail))
    lines = (line.strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def canonical_link(html: bytes) -> str | None:
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if "canonical" in rel and re.match(r"https?://[^/\s]+", href, re.IGNORECASE):
            return href
    return None


def readability_pages(root: Path) -> list[Page]:
    pages = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        meta = json.loads((folder / "expected-metadata.json").read_text("utf-8"))
        source = folder / "source.html"
        url = canonical_link(source.read_bytes()) or f"http://{folder.name}.example/"
        pages.append(
            Page(
                set="readability",
                id=folder.name,
                site=folder.name,
                url=url,
                path=source,
                gzipped=False,
                expected=block_text((folder / "expected.html").read_bytes()),
                article=bool(meta.get("readerable", True)),
                title=meta.get("title") or None,
                published=meta.get("publishedTime") or None,
                byline=meta.get("byline") or None,
            )
        )
    return pages


# --- systems --------------------------------------------------------------------------------


@dataclass
class Output:
    """What a system made of one page; `text` is None when it returned no article."""

    text: str | None
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    skip_reason: str | None = None
    skip_detail: str = ""
    text_ms: float | None = None  # the text call alone, when metadata takes a second call


MIN_WORDS = ExtractSettings().min_words


def newswatch_system(html: bytes, url: str, presented_by: str = "feed") -> Output:
    """newswatch's extraction, as the crawl calls it: the one place to change when
    `examine_page` takes new arguments."""
    result = examine_page(html, url, min_words=MIN_WORDS, presented_by=presented_by)
    if isinstance(result, Article):
        return Output(result.text, result.title, tuple(result.authors), result.published)
    return Output(None, skip_reason=result.reason, skip_detail=result.detail)


def trafilatura_system(html: bytes, url: str, **options) -> Output:
    started = time.perf_counter()
    text = trafilatura.extract(html, url=url, **options)
    text_ms = (time.perf_counter() - started) * 1000
    if not text or not text.strip():
        return Output(None, skip_reason="no_text", text_ms=text_ms)
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, **options)
    meta = doc if isinstance(doc, dict) else (doc.as_dict() if doc is not None else {})
    authors = tuple(a.strip() for a in (meta.get("author") or "").split(";") if a.strip())
    return Output(text, meta.get("title"), authors, meta.get("date"), text_ms=text_ms)


SYSTEMS: dict[str, Callable[[bytes, str], Output]] = {
    "newswatch": newswatch_system,
    "newswatch-front": partial(newswatch_system, presented_by="front"),
    "trafilatura": trafilatura_system,
    "trafilatura-precision": partial(
        trafilatura_system, favor_precision=True, include_comments=False
    ),
}
SHORT = {
    "newswatch": "newswatch",
    "newswatch-front": "nw-front",
    "trafilatura": "traf",
    "trafilatura-precision": "traf-prec",
}


def run(system: Callable[[bytes, str], Output], html: bytes, url: str) -> tuple[Output, dict]:
    started = time.perf_counter()
    error = None
    try:
        out = system(html, url)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
        out = Output(None, skip_reason="exception", skip_detail=error)
    total = (time.perf_counter() - started) * 1000
    ms = out.text_ms if out.text_ms is not None else total
    return out, {"ms": round(ms, 3), "total_ms": round(total, 3), "error": error}


# --- scoring --------------------------------------------------------------------------------


def score(page: Page, expected: Counter, out: Output, timing: dict) -> dict:
    record: dict = {"found": out.text is not None, **timing}
    if out.text is None:
        record["skip_reason"] = out.skip_reason
        record["skip_detail"] = out.skip_detail
    if not page.article:
        return record
    got = Counter(tokens(out.text))
    precision, recall, f1, overlap = prf(expected, got)
    record.update(
        p=round(precision, 4),
        r=round(recall, 4),
        f1=round(f1, 4),
        tokens=sum(got.values()),
        overlap=overlap,
    )
    if page.title:
        record["title"] = out.title
        record["title_exact"] = normal_title(out.title) == normal_title(page.title)
        record["title_f1"] = round(
            prf(Counter(tokens(page.title)), Counter(tokens(out.title)))[2], 4
        )
    truth_day = day(page.published)
    if truth_day:
        got_day = day(out.published)
        record["published"] = out.published
        record["date_ok"] = got_day == truth_day
        record["date_within_1d"] = got_day is not None and abs((got_day - truth_day).days) <= 1
    if page.authors:
        truth = {normal_name(a) for a in page.authors} - {""}
        names = {normal_name(a) for a in out.authors} - {""}
        hits = len(truth & names)
        a_p = hits / len(names) if names else 0.0
        a_r = hits / len(truth) if truth else 0.0
        record["authors"] = list(out.authors)
        record.update(
            authors_p=round(a_p, 4),
            authors_r=round(a_r, 4),
            authors_f1=round(2 * a_p * a_r / (a_p + a_r) if a_p + a_r else 0.0, 4),
        )
    if page.byline:
        wanted = set(tokens(page.byline)) - _BYLINE_NOISE
        if wanted:
            have = {t for a in out.authors for t in tokens(a)}
            record["authors"] = list(out.authors)
            record["byline_recall"] = round(len(wanted & have) / len(wanted), 4)
    return record


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(statistics.fmean(values), 4) if values else None


def summarise(pages: list[Page], records: list[dict], system: str) -> dict:
    rows = [(p, r["systems"][system]) for p, r in zip(pages, records, strict=True)]
    articles = [(p, s) for p, s in rows if p.article]
    found = [(p, s) for p, s in articles if s["found"]]
    others = [s for p, s in rows if not p.article]
    expected_tokens = sum(
        r["expected_tokens"] for p, r in zip(pages, records, strict=True) if p.article
    )
    overlap = sum(s["overlap"] for _, s in articles)
    extracted = sum(s["tokens"] for _, s in articles)
    micro_p = overlap / extracted if extracted else 0.0
    micro_r = overlap / expected_tokens if expected_tokens else 0.0
    ms = [s["ms"] for _, s in rows]
    meta_ms = [s["total_ms"] - s["ms"] for _, s in rows]
    summary = {
        "articles": len(articles),
        "found": mean(float(s["found"]) for _, s in articles),
        "p_all": mean(s["p"] for _, s in articles),
        "r_all": mean(s["r"] for _, s in articles),
        "f1_all": mean(s["f1"] for _, s in articles),
        "p_found": mean(s["p"] for _, s in found),
        "r_found": mean(s["r"] for _, s in found),
        "f1_found": mean(s["f1"] for _, s in found),
        "micro_p": round(micro_p, 4),
        "micro_r": round(micro_r, 4),
        "micro_f1": round(2 * micro_p * micro_r / (micro_p + micro_r), 4) if overlap else 0.0,
        "title_pages": sum(1 for _, s in articles if "title_exact" in s),
        "title_exact": mean(float(s["title_exact"]) for _, s in articles if "title_exact" in s),
        "title_f1": mean(s["title_f1"] for _, s in articles if "title_f1" in s),
        "date_pages": sum(1 for _, s in articles if "date_ok" in s),
        "date_ok": mean(float(s["date_ok"]) for _, s in articles if "date_ok" in s),
        "date_within_1d": mean(float(s["date_within_1d"]) for _, s in articles if "date_ok" in s),
        "author_pages": sum(1 for _, s in articles if "authors_f1" in s),
        "authors_p": mean(s["authors_p"] for _, s in articles if "authors_f1" in s),
        "authors_r": mean(s["authors_r"] for _, s in articles if "authors_f1" in s),
        "authors_f1": mean(s["authors_f1"] for _, s in articles if "authors_f1" in s),
        "byline_pages": sum(1 for _, s in articles if "byline_recall" in s),
        "byline_recall": mean(s["byline_recall"] for _, s in articles if "byline_recall" in s),
        "non_articles": len(others),
        "non_articles_rejected": mean(float(not s["found"]) for s in others),
        "skip_reasons": dict(
            Counter(s.get("skip_reason") for _, s in articles if not s["found"]).most_common()
        ),
        "exceptions": sum(1 for _, s in rows if s["error"]),
        "ms_mean": round(statistics.fmean(ms), 3) if ms else None,
        "ms_median": round(statistics.median(ms), 3) if ms else None,
        "pages_per_s": round(1000 / statistics.fmean(ms), 1) if ms and sum(ms) else None,
        "metadata_call_ms_mean": round(statistics.fmean(meta_ms), 3) if meta_ms else None,
    }
    return summary


# --- report ---------------------------------------------------------------------------------


def _cell(value: float | None, width: int = 6) -> str:
    return f"{'–':>{width}}" if value is None else f"{value:>{width}.3f}"


def print_table(name: str, summaries: dict[str, dict]) -> None:
    first = next(iter(summaries.values()))
    readability = name == "readability"
    authors_label = "byline" if readability else "authors"
    print(
        f"\n== {name}: {first['articles']} articles"
        + (f", {first['non_articles']} non-articles" if first["non_articles"] else "")
        + f"; truth has title on {first['title_pages']}, date on {first['date_pages']}, "
        + (
            f"byline on {first['byline_pages']}"
            if readability
            else f"authors on {first['author_pages']}"
        )
    )
    print(
        f"{'system':<22}{'found':>6}{'P':>7}{'R':>7}{'F1 all':>7}{'F1 fnd':>7}{'micro':>7}"
        f"{'title':>7}{'tit F1':>7}{'date':>7}{authors_label:>8}{'ms/page':>9}{'pages/s':>8}"
    )
    for system, s in summaries.items():
        authors = s["byline_recall"] if readability else s["authors_f1"]
        print(
            f"{system:<22}{_cell(s['found'])}{_cell(s['p_all'], 7)}{_cell(s['r_all'], 7)}"
            f"{_cell(s['f1_all'], 7)}{_cell(s['f1_found'], 7)}{_cell(s['micro_f1'], 7)}"
            f"{_cell(s['title_exact'], 7)}{_cell(s['title_f1'], 7)}{_cell(s['date_ok'], 7)}"
            f"{_cell(authors, 8)}{s['ms_mean']:>9.1f}{s['pages_per_s'] or 0:>8.1f}"
        )
    if first["non_articles"]:
        rejected = ", ".join(
            f"{system} {s['non_articles_rejected']:.3f}" for system, s in summaries.items()
        )
        print(f"non-articles rejected (returned nothing): {rejected}")
    meta = ", ".join(
        f"{system} +{s['metadata_call_ms_mean']:.1f}"
        for system, s in summaries.items()
        if not system.startswith("newswatch")
    )
    if meta:
        print(f"trafilatura's metadata call, ms/page, not in ms/page: {meta}")
    errors = {system: s["exceptions"] for system, s in summaries.items() if s["exceptions"]}
    if errors:
        print(f"exceptions (counted as not found): {errors}")


def worst_pages(pages: list[Page], records: list[dict], systems: list[str]) -> list[dict]:
    key = "newswatch" if "newswatch" in systems else systems[0]
    beside = "trafilatura-precision" if "trafilatura-precision" in systems else None
    rows = [r for p, r in zip(pages, records, strict=True) if p.article]
    rows.sort(
        key=lambda r: (r["systems"][key]["f1"], -(r["systems"][beside]["f1"] if beside else 0))
    )
    return [
        {
            "id": r["id"],
            "url": r["url"],
            **{system: r["systems"][system]["f1"] for system in systems},
            "skip_reason": r["systems"][key].get("skip_reason"),
            "skip_detail": r["systems"][key].get("skip_detail"),
        }
        for r in rows[:WORST]
    ]


def print_worst(worst: list[dict], systems: list[str]) -> None:
    key = "newswatch" if "newswatch" in systems else systems[0]
    print(f"lowest {key} F1: " + "  ".join(f"{SHORT[s]}" for s in systems) + "  (skip reason)")
    for row in worst:
        scores = "".join(f"{row[s]:>{max(len(SHORT[s]), 5) + 2}.3f}" for s in systems)
        reason = f"  {row['skip_reason']}: {row['skip_detail']}" if row["skip_reason"] else ""
        print(f"  {row['id'][:44]:<44}{scores}{reason[:60]}")


def evaluate(name: str, pages: list[Page], systems: list[str]) -> dict:
    records = []
    # Untimed calls first, on the set's first page and on a page with no declared language
    # and no date: lazy imports and models load then (py3langid's alone takes 0.8 s).
    for system in systems:
        run(SYSTEMS[system], pages[0].html(), pages[0].url)
        run(SYSTEMS[system], WARM_UP_PAGE, "http://warm-up.example/news/story")
    started = time.perf_counter()
    for page in pages:
        html = page.html()
        expected = Counter(tokens(page.expected)) if page.article else Counter()
        record = {
            "id": page.id,
            "site": page.site,
            "url": page.url,
            "article": page.article,
            "expected_tokens": sum(expected.values()),
            "bytes": len(html),
            "systems": {},
        }
        for system in systems:
            out, timing = run(SYSTEMS[system], html, page.url)
            record["systems"][system] = score(page, expected, out, timing)
        records.append(record)
    elapsed = time.perf_counter() - started
    summaries = {system: summarise(pages, records, system) for system in systems}
    per_site: dict[str, dict] = {}
    for page, record in zip(pages, records, strict=True):
        if page.article:
            per_site.setdefault(page.site, {"pages": 0, **{s: [] for s in systems}})
            per_site[page.site]["pages"] += 1
            for system in systems:
                per_site[page.site][system].append(record["systems"][system]["f1"])
    for site in per_site.values():
        for system in systems:
            site[system] = mean(site[system])
    skipped = []
    if "newswatch" in systems:
        skipped = [
            {
                "id": r["id"],
                "url": r["url"],
                "reason": r["systems"]["newswatch"].get("skip_reason"),
                "detail": r["systems"]["newswatch"].get("skip_detail"),
            }
            for p, r in zip(pages, records, strict=True)
            if p.article and not r["systems"]["newswatch"]["found"]
        ]
    all_fail = [
        r["id"]
        for p, r in zip(pages, records, strict=True)
        if p.article and all(r["systems"][s]["f1"] < 0.5 for s in systems)
    ]
    return {
        "pages": len(pages),
        "seconds": round(elapsed, 2),
        "summary": summaries,
        "per_site": per_site,
        "worst": worst_pages(pages, records, systems),
        "newswatch_skipped_articles": skipped,
        "all_systems_below_f1_0.5": all_fail,
        "records": records,
    }


def report(name: str, result: dict, systems: list[str]) -> None:
    print_table(name, result["summary"])
    skipped = result["newswatch_skipped_articles"]
    if "newswatch" in systems:
        reasons = Counter(s["reason"] for s in skipped)
        print(
            f"real articles newswatch skipped: {len(skipped)}"
            + (
                " (" + ", ".join(f"{r} {n}" for r, n in reasons.most_common()) + ")"
                if skipped
                else ""
            )
        )
        for s in skipped:
            print(f"  {s['id'][:44]:<44} {s['reason']}: {s['detail']}"[:110])
    print_worst(result["worst"], systems)
    if result["all_systems_below_f1_0.5"]:
        print("every system below F1 0.5: " + ", ".join(result["all_systems_below_f1_0.5"]))
    print(f"({result['pages']} pages in {result['seconds']:.1f} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("fundus", "readability", "all"), default="all")
    parser.add_argument("--limit", type=int, default=None, help="first N pages of each set")
    parser.add_argument("--output", type=Path, default=RESULTS_FILE)
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated")
    parser.add_argument("--data", type=Path, default=DATA, help="folder with the archives")
    args = parser.parse_args(argv)
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown or not systems:
        parser.error(f"unknown systems {unknown}; choose from {', '.join(SYSTEMS)}")
    for noisy in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.ERROR)

    started = time.perf_counter()
    names = ["fundus", "readability"] if args.set == "all" else [args.set]
    loaders = {"fundus": fundus_pages, "readability": readability_pages}
    results = {}
    for name in names:
        pages = loaders[name](unpack(args.data, name))[: args.limit]
        results[name] = evaluate(name, pages, systems)
        report(name, results[name], systems)
    elapsed = time.perf_counter() - started
    print(f"\ntotal {elapsed:.1f} s")

    output = {
        "benchmark": "extract_eval",
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(elapsed, 2),
        "code_fingerprint": code_fingerprint(),
        "versions": {
            "python": platform.python_version(),
            "trafilatura": trafilatura.__version__,
            "lxml": ".".join(map(str, etree.LXML_VERSION)),
        },
        "options": {
            "set": args.set,
            "limit": args.limit,
            "systems": systems,
            "min_words": MIN_WORDS,
        },
        "metric": {
            "tokens": "NFKC, casefold, runs of \\w and combining marks; each Han, Hiragana, "
            "Katakana, Thai, Lao, Khmer, Myanmar character is one token",
            "text": "bag of words: overlap = multiset intersection; P = overlap/extracted, "
            "R = overlap/expected; *_all: mean over real articles, not found = 0; *_found: "
            "mean over articles found; micro: summed overlap over summed counts",
            "title": "exact match after NFKC, casefold, whitespace collapsed; and token F1",
            "date": "same calendar day as the truth (date parts as written)",
            "authors": "fundus: P/R/F1 of normalised name sets; readability: loose recall of "
            "the byline's tokens among the extracted authors' tokens",
            "metadata_denominator": "real articles whose truth has the field; not found = wrong",
            "ms": "text call only (newswatch's one call includes metadata); mean over all "
            "pages after one warm-up call; total_ms adds trafilatura's metadata call",
        },
        "sets": results,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(output, ensure_ascii=False, indent=1), "utf-8")
    print(f"written {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
