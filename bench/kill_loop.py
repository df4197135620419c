"""Kill-loop benchmark: newswatch's promises under SIGKILL, measured.

    .venv/bin/python bench/kill_loop.py [--crawl-kills N] [--daemon-kills N] [--articles N]
                                        [--seed S] [--delay SECONDS] [--out DIR]

Not a test: a default run takes several minutes. Method:

1. Site. In a work folder (`--out`, default a new temp folder) a local news site is
   generated: `--articles` distinct article texts (default 520) spread over 3 sources,
   each with its own RSS feed. Most are original stories; about 15% are *edited copies*
   of an original (a paragraph replaced or added, a new headline) listed in another
   source's feed, and about 12% of the originals also have an *exact copy* (the same
   page) at another URL in another source's feed: dedupe (sightings) and near-duplicate
   clusters are both exercised. Every page is `tests.pages.news_page` around generated
   paragraphs whose sentences carry generated names, places and numbers, so two stories
   share almost no 5-word shingle. The watched name "Ingrid Ferreira-Solberg" (alias
   "Ferreira-Solberg") is in the main text, never the title, of about 75 stories (scaled
   with `--articles`); a few decoys name "Ingrid Solberg" or "Marco Ferreira" (no match).
   The site is served by `crawler.siteserver.SiteServer` with a per-request delay
   (`--delay`, default 0.03 s) so that crawls last long enough to be killed mid-way.
2. Configuration: settings.toml (no crawl delay, no AutoThrottle, `timeout = 10`, daemon
   `alert_interval = "1s"`, `jitter = "0s"`, `stop_grace = "10s"`, retries 1-2 s),
   sources.toml (the 3 sources, `schedule = "5s"`), watchlist.toml (the watch, notifying
   a local `tests.receivers.Receiver` over `json://`).
3. Crawl kills (`--crawl-kills`, default 20): `newswatch --config DIR --log-format json
   crawl SOURCE` for a random source; then, at random, either wait until it stored a new
   article (the `articles` count rises, read-only polling; at most 45 s) or wait a random
   0-3 s; then SIGKILL it after a further random 0-2 s (unless it already exited).
4. Daemon kills (`--daemon-kills`, default 10): `newswatch run`, left running 1-6 s, then
   SIGKILL (the daemon only: its crawls run in their own session and must stop by
   themselves; each crawl process alive just after the kill is an orphan, and whether it
   is still alive 30 s later is recorded). After every second SIGKILL the next daemon is
   stopped with SIGTERM instead: it must exit 0 with no log line at level error. The
   1-6 s count from the process start, so some signals land while the daemon is still
   starting up (imports, before it logged `daemon_started`): those stops get a line of
   their own in the report.
5. Final run: the daemon runs until every source had a `finished` run started after the
   last kill and no alert is `pending` or `sending` (at most `--final-timeout` s), then
   gets SIGTERM (checked like the other SIGTERM stops).
6. All along, every 0.2 s, /proc is sampled: per source, the crawl processes of this
   configuration (argv holds `crawl` and ends with the source) and, among them, those
   holding the source's lock file (`<db>.locks/…`) open, i.e. crawling. Every process's
   stderr is kept in the work folder's `logs/`.

Then the database is checked (after every process stopped): PRAGMA integrity_check and the
FTS5 integrity-check; articles expected (distinct texts: an exact copy counts once) vs
stored; lost story URLs (no article and no sighting at that URL); duplicated articles (same
text_hash or URL twice); served article URLs with no `pages` and no `sightings` row; alerts
(expected: stories carrying the watched name; delivered keys at the receiver, keys received
twice, stories with no delivered or unconfirmed alert); the most crawls of one source at once
and overlapping `crawl_runs`; "database is locked" in any stderr, crawls that exited on an
error, `crawl_runs` by status and rows left `running`; error-level lines on SIGTERM stops.

Targets (PASS/FAIL): integrity ok, 0 lost, 0 duplicated articles, 0 duplicate alerts,
0 missed alerts, every fetched URL recorded, at most one crawl per source at any moment,
0 lock failures, no run left running (plus: SIGTERM stops clean, during start-up too;
orphaned crawls gone within 30 s; the final daemon settled). Prints a report and writes
the figures to bench/results/kill_loop.json. The work folder is removed when every target
passed and `--out` was not given.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
# tests/ is not an installed package: the repository root goes on the path for it.
sys.path.insert(0, str(PROJECT))

from fingerprint import code_fingerprint  # noqa: E402 - bench/, the script's own folder

from crawler.locks import source_lock  # noqa: E402
from crawler.siteserver import SiteServer  # noqa: E402
from tests.pages import news_page  # noqa: E402
from tests.receivers import Receiver, free_port  # noqa: E402

RESULTS_FILE = PROJECT / "bench" / "results" / "kill_loop.json"
NEWSWATCH = Path(sys.executable).parent / "newswatch"  # the console script beside python

SOURCES = ("northgate", "riverside", "eastwire")
WATCH_NAME = "Ingrid Ferreira-Solberg"
WATCH_ALIAS = "Ferreira-Solberg"
DECOYS = ("Ingrid Solberg", "Marco Ferreira")  # must not alert

DEFAULT_ARTICLES = 520
DEFAULT_SEED = 20261130
DEFAULT_DELAY = 0.03
NAME_SHARE = 75 / 520  # stories carrying the watched name, at the default size
EDITED_SHARE = 0.15  # of the distinct texts: edited copies
EXACT_SHARE = 0.12  # of the original stories: also an exact copy elsewhere

SAMPLE_INTERVAL = 0.2
ORPHAN_DEADLINE = 30.0  # an orphaned crawl must be gone this long after its daemon died
ARTICLE_WAIT = 45.0  # the longest wait for a crawl's first new article
STOP_WAIT = 120.0  # the longest wait for a SIGTERMed daemon (stop_grace is 10 s)
ARTICLE_PATH = re.compile(rf"^/({'|'.join(SOURCES)})/(story|copy|edit)-\d+$")


# --- the site --------------------------------------------------------------------------------

FIRST_NAMES = (
    "Maria Jonas Elena Tomas Sofia Viktor Amira Lukas Hannah Pavel Mateo Clara Rafael Nadia "
    "Oskar Leila Henrik Irene Samuel Yara Anton Greta Felix Mira Dmitri Lena Omar Petra Ruben"
).split()
SYLLABLES = (
    "Bren Kal Mor Tes Var Lun Hol Dre Fen Gar Ost Pel Rav Tor Vel Wes Yar Ash Bel Cor Dun "
    "Eld Hav Kir Lom Nor Quen Sar Tam Ulm"
).split()
PLACE_ENDS = (
    "moor dale wick ford haven stead bury field mouth gate holm thorpe ton ley mere".split()
)
NAME_ENDS = "sen berg strom ovic ez ani ard ell ski ow ada ino".split()
BODIES = (
    "the district council",
    "local residents",
    "regional officials",
    "the port authority",
    "opposition lawmakers",
    "union leaders",
    "the school board",
    "hospital managers",
    "farmers' groups",
    "the finance committee",
    "small business owners",
    "the coast guard",
    "the rail operator",
    "environmental campaigners",
)
ROLES = (
    "a spokesperson for the ministry",
    "the deputy mayor",
    "an economist at the regional university",
    "the head of the chamber of commerce",
    "a senior union official",
    "an opposition councillor",
    "the project's chief engineer",
    "a lawyer for the families",
    "the hospital's medical director",
    "the harbour master",
)
ADJECTIVES = (
    "new regional local former disputed public national annual proposed emergency temporary "
    "second larger cheaper delayed revised"
).split()
NOUNS = (
    "budget bridge harbour school hospital railway contract pension tariff reservoir tunnel "
    "stadium market ferry clinic library depot runway pipeline dam"
).split()
PLURALS = (
    "families nurses teachers buses homes jobs flats beds classrooms trains permits "
    "households pupils workers"
).split()
VERBS_PAST = (
    "approved rejected postponed announced criticised defended questioned welcomed "
    "challenged unveiled revised scrapped endorsed delayed"
).split()
VERBS = "build close expand fund review replace extend cancel move rebuild audit".split()
STATES = "closed repaired inspected expanded sold rebuilt suspended audited".split()
TIMES = (
    "on Monday",
    "on Tuesday",
    "late on Wednesday",
    "on Thursday",
    "on Friday morning",
    "over the weekend",
    "earlier this week",
    "at a press conference",
    "in a statement",
    "during a special session",
)
REASONS = (
    "amid rising costs",
    "despite warnings from auditors",
    "after weeks of protests",
    "citing a shortage of staff",
    "because the old contract expired",
    "after record floods",
    "to meet national targets",
)
MONTHS = (
    "January February March April May June July August September October November December"
).split()


def place(rng: random.Random) -> str:
    return rng.choice(SYLLABLES) + rng.choice(PLACE_ENDS)


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SYLLABLES)}{rng.choice(NAME_ENDS)}"


def sentence(rng: random.Random, who: str | None = None) -> str:
    """A news-like sentence; each carries a generated place, person or number, so two
    stories share almost no 5-word shingle. `who` names the person it quotes."""
    who = who or person(rng)
    n, m = rng.randint(12, 9800), rng.randint(2, 950)
    shape = rng.randrange(5)
    if shape == 0:
        return (
            f"In {place(rng)}, {rng.choice(BODIES)} {rng.choice(VERBS_PAST)} a "
            f"{rng.choice(ADJECTIVES)} plan to {rng.choice(VERBS)} {m} "
            f"{rng.choice(PLURALS)} {rng.choice(TIMES)}, {rng.choice(REASONS)}."
        )
    if shape == 1:
        return (
            f"{who}, {rng.choice(ROLES)}, said the {rng.choice(NOUNS)} in {place(rng)} "
            f"would cost about {n} thousand and could {rng.choice(VERBS)} the "
            f"{rng.choice(NOUNS)} {rng.choice(REASONS)}."
        )
    if shape == 2:
        return (
            f"According to figures released {rng.choice(TIMES)}, {n} {rng.choice(PLURALS)} in "
            f"{place(rng)} were affected last year, up from {m} the year before."
        )
    if shape == 3:
        return (
            f'"We {rng.choice(VERBS_PAST)} the {rng.choice(NOUNS)} because {m} '
            f'{rng.choice(PLURALS)} in {place(rng)} asked us to," {who} told reporters '
            f"{rng.choice(TIMES)}."
        )
    return (
        f"The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} near {place(rng)} has been "
        f"{rng.choice(STATES)} since {rng.choice(MONTHS)}, and {rng.choice(BODIES)} expect "
        f"a decision on its {n} remaining {rng.choice(PLURALS)} by {rng.choice(MONTHS)}."
    )


def paragraph(rng: random.Random, who: str | None = None) -> str:
    return " ".join(sentence(rng, who) for _ in range(rng.randint(2, 3)))


def headline(rng: random.Random) -> str:
    return (
        f"{place(rng)} {rng.choice(NOUNS)}: {rng.choice(BODIES)} {rng.choice(VERBS_PAST)} "
        f"{rng.choice(ADJECTIVES)} plan"
    ).capitalize()


@dataclass
class Story:
    """One original story: its text, where it lives, its copies."""

    number: int
    source: str
    title: str
    paragraphs: list[str]
    name_paragraph: int | None  # the paragraph naming the watched person, if any
    decoy: bool = False

    @property
    def path(self) -> str:
        return f"/{self.source}/story-{self.number}"


@dataclass
class SitePage:
    """One article URL of the site, as the benchmark expects it to be recorded."""

    path: str
    source: str  # whose feed lists it
    story: int  # the original story it tells
    kind: str  # original, exact (same text elsewhere), edited (a near-duplicate)
    named: bool  # carries the watched name


@dataclass
class Site:
    root: Path
    pages: list[SitePage]
    stories: dict[int, Story]

    @property
    def distinct_texts(self) -> int:
        return sum(1 for p in self.pages if p.kind != "exact")

    @property
    def named_stories(self) -> set[int]:
        return {s.number for s in self.stories.values() if s.name_paragraph is not None}


def name_sentence(rng: random.Random) -> str:
    mention = rng.choice(
        [WATCH_NAME, WATCH_NAME, f"Ms {WATCH_ALIAS}", f"{WATCH_ALIAS}'s office", WATCH_NAME]
    )
    return (
        f"{mention}, {rng.choice(ROLES)}, said {rng.choice(TIMES)} that the "
        f"{rng.choice(NOUNS)} in {place(rng)} would be {rng.choice(STATES)} unless "
        f"{rng.choice(BODIES)} found {rng.randint(12, 9800)} more {rng.choice(PLURALS)}."
    )


def generate_site(root: Path, articles: int, seed: int) -> Site:
    """Write the site: pages, one RSS feed per source and a robots.txt."""
    rng = random.Random(seed)
    edited_count = round(articles * EDITED_SHARE)
    original_count = articles - edited_count
    named_count = max(1, round(articles * NAME_SHARE))
    exact_count = round(original_count * EXACT_SHARE)
    numbers = list(range(original_count))
    named = set(rng.sample(numbers, named_count))
    decoys = set(rng.sample([n for n in numbers if n not in named], max(2, articles // 50)))

    stories: dict[int, Story] = {}
    for n in numbers:
        paragraphs = [paragraph(rng) for _ in range(rng.randint(6, 8))]
        name_at = None
        if n in named:
            name_at = rng.randrange(1, len(paragraphs))
            paragraphs[name_at] = f"{paragraphs[name_at]} {name_sentence(rng)}"
        elif n in decoys:
            at = rng.randrange(1, len(paragraphs))
            paragraphs[at] = f"{paragraphs[at]} {sentence(rng, rng.choice(DECOYS))}"
        stories[n] = Story(n, SOURCES[n % 3], headline(rng), paragraphs, name_at, n in decoys)

    def elsewhere(story: Story) -> str:
        """Another source than the story's own."""
        return rng.choice([s for s in SOURCES if s != story.source])

    pages = [
        SitePage(s.path, s.source, s.number, "original", s.name_paragraph is not None)
        for s in stories.values()
    ]
    files: dict[str, str] = {s.path: news_page(s.title, s.paragraphs) for s in stories.values()}
    # Exact copies: the same page at another URL, in another source's feed.
    for n in rng.sample(numbers, exact_count):
        story = stories[n]
        path = f"/{elsewhere(story)}/copy-{n}"
        pages.append(SitePage(path, path.split("/")[1], n, "exact", n in named))
        files[path] = files[story.path]
    # Edited copies: a paragraph replaced or one added (never the watched name's), a new
    # headline: the same story as another outlet runs it, a near-duplicate.
    for n in rng.sample(numbers, edited_count):
        story = stories[n]
        paragraphs = list(story.paragraphs)
        if rng.random() < 0.5:
            spare = [i for i in range(len(paragraphs)) if i != story.name_paragraph]
            paragraphs[rng.choice(spare)] = paragraph(rng)
        else:
            paragraphs.insert(rng.randint(1, len(paragraphs)), paragraph(rng))
        path = f"/{elsewhere(story)}/edit-{n}"
        pages.append(SitePage(path, path.split("/")[1], n, "edited", n in named))
        files[path] = news_page(headline(rng), paragraphs, author="Lars Holm")

    for path, page in files.items():
        target = root / (path.lstrip("/") + ".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    for source in SOURCES:
        listed = [p for p in pages if p.source == source]
        rng.shuffle(listed)  # originals and copies interleaved
        items = "".join(
            f"<item><title>{html.escape(stories[p.story].title)}</title>"
            f"<link>{{{{BASE}}}}{p.path}</link></item>"
            for p in listed
        )
        (root / source / "feed.xml").write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>{source}</title>'
            f"<link>{{{{BASE}}}}/{source}/</link>{items}</channel></rss>",
            encoding="utf-8",
        )
    return Site(root, pages, stories)


def write_config(config_dir: Path, base: str, receiver_port: int) -> Path:
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "settings.toml").write_text(
        '[storage]\ndatabase = "data/newswatch.db"\n\n'
        "[crawl]\ndelay = 0\nautothrottle = false\ntimeout = 10\n\n"
        '[daemon]\nalert_interval = "1s"\njitter = "0s"\nstop_grace = "10s"\n'
        'retry_min = "1s"\nretry_max = "2s"\n',
        encoding="utf-8",
    )
    (config_dir / "sources.toml").write_text(
        "".join(
            f'[[source]]\nname = "{s}"\nfeeds = ["{base}/{s}/feed.xml"]\nschedule = "5s"\n\n'
            for s in SOURCES
        ),
        encoding="utf-8",
    )
    (config_dir / "watchlist.toml").write_text(
        f'[[watch]]\nname = "{WATCH_NAME}"\naliases = ["{WATCH_ALIAS}"]\n'
        f'notify = ["json://127.0.0.1:{receiver_port}/hook"]\n',
        encoding="utf-8",
    )
    return config_dir


# --- processes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    start: int  # start time in clock ticks since boot: (pid, start) names one process
    state: str
    argv: tuple[str, ...]


def read_proc(pid: int) -> Proc | None:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return Proc(
        pid,
        int(fields[1]),
        int(fields[19]),
        fields[0],
        tuple(a.decode("utf-8", "replace") for a in argv if a),
    )


def all_procs() -> list[Proc]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            proc = read_proc(int(name))
            if proc is not None:
                found.append(proc)
    return found


def alive(pid: int, start: int) -> bool:
    """The process (pid, start) still runs; a zombie (dead, not yet reaped) does not."""
    proc = read_proc(pid)
    return proc is not None and proc.start == start and proc.state != "Z"


def crawl_source(proc: Proc, marker: str) -> str | None:
    """The source a crawl process of this benchmark's configuration crawls, else None."""
    if marker not in proc.argv or "crawl" not in proc.argv or proc.state == "Z":
        return None
    return proc.argv[-1] if proc.argv[-1] in SOURCES else None


def holds(pid: int, path: str) -> bool:
    """`pid` has the file `path` open (a crawl keeps its source's lock file open, locked,
    for as long as it crawls; a crawl finding its source busy closes it at once)."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == path:
                return True
        except OSError:
            continue
    return False


@dataclass
class Orphan:
    """A crawl process alive just after its daemon was killed with SIGKILL."""

    pid: int
    start: int
    source: str
    daemon_pid: int
    killed_at: float  # time.monotonic() of the daemon's kill
    gone_after: float | None = None  # seconds from the kill to when the sampler saw it gone
    alive_at_deadline: bool | None = None


class Sampler(threading.Thread):
    """Samples, every 0.2 s, the crawl processes of each source, and follows orphans."""

    def __init__(self, marker: str, lock_paths: dict[str, str]) -> None:
        super().__init__(name="sampler", daemon=True)
        self.marker = marker
        self.lock_paths = lock_paths
        self.stop_event = threading.Event()
        self.samples = 0
        self.max_gap = 0.0
        self.most_processes = dict.fromkeys(SOURCES, 0)  # crawl processes (busy ones too)
        self.most_crawling = dict.fromkeys(SOURCES, 0)  # crawl processes holding the lock
        self.overlaps: list[dict] = []  # samples with two crawls of one source (evidence)
        self.orphans: list[Orphan] = []
        self.lock = threading.Lock()

    def run(self) -> None:
        last = time.monotonic()
        while not self.stop_event.is_set():
            self.sample()
            now = time.monotonic()
            self.max_gap = max(self.max_gap, now - last)
            last = now
            self.stop_event.wait(SAMPLE_INTERVAL)

    def sample(self) -> None:
        by_source: dict[str, list[Proc]] = defaultdict(list)
        for proc in all_procs():
            source = crawl_source(proc, self.marker)
            if source:
                by_source[source].append(proc)
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
        for source, procs in by_source.items():
            # A crawl's own child caught between fork and exec (an extraction worker
            # being spawned) still shows the crawl's argv and open files: not a crawl.
            pids = {p.pid for p in procs}
            procs = [p for p in procs if p.ppid not in pids]
            crawling = [p for p in procs if holds(p.pid, self.lock_paths[source])]
            self.most_processes[source] = max(self.most_processes[source], len(procs))
            self.most_crawling[source] = max(self.most_crawling[source], len(crawling))
            if len(crawling) > 1 and len(self.overlaps) < 50:
                self.overlaps.append(
                    {
                        "at": stamp,
                        "source": source,
                        "processes": [{"pid": p.pid, "argv": list(p.argv)} for p in crawling],
                    }
                )
        now = time.monotonic()
        with self.lock:
            for orphan in self.orphans:
                if orphan.gone_after is None and not alive(orphan.pid, orphan.start):
                    orphan.gone_after = round(now - orphan.killed_at, 1)
                if orphan.alive_at_deadline is None and now - orphan.killed_at >= ORPHAN_DEADLINE:
                    orphan.alive_at_deadline = alive(orphan.pid, orphan.start)
        self.samples += 1

    def add_orphans(self, orphans: list[Orphan]) -> list[Orphan]:
        """Follow these orphans; returns those not followed yet (an orphan of an earlier
        daemon may still be stopping when the next daemon is killed)."""
        with self.lock:
            known = {(o.pid, o.start) for o in self.orphans}
            new = [o for o in orphans if (o.pid, o.start) not in known]
            self.orphans.extend(new)
            return new

    def stop(self) -> None:
        self.stop_event.set()
        self.join(timeout=10)


class Processes:
    """Every process the benchmark starts, its stderr in a file; all killed at exit."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[subprocess.Popen] = []
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.env.pop("NEWSWATCH_CONFIG", None)

    def start(self, name: str, args: list[str]) -> tuple[subprocess.Popen, Path]:
        log = self.logs / f"{name}.stderr"
        with open(log, "wb") as stderr:
            proc = subprocess.Popen(
                [str(NEWSWATCH), *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=self.env,
                cwd=self.logs,
            )
        self.started.append(proc)
        return proc, log

    def kill_stragglers(self, marker: str) -> list[int]:
        """SIGKILL, by pid, every process still running that this benchmark started: its
        own children, and the processes of its configuration (the daemons' crawls, in
        their own sessions) with all their descendants (extraction workers)."""
        procs = all_procs()
        children: dict[int, list[int]] = defaultdict(list)
        for proc in procs:
            children[proc.ppid].append(proc.pid)
        roots = [p.pid for p in self.started if p.poll() is None]
        roots += [p.pid for p in procs if marker in p.argv and p.pid != os.getpid()]
        targets: set[int] = set()
        while roots:
            pid = roots.pop()
            if pid not in targets:
                targets.add(pid)
                roots.extend(children.get(pid, []))
        for pid in targets:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for proc in self.started:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        return sorted(targets)


# --- the database, read while everything runs -------------------------------------------------


def query(db_path: Path, sql: str, params: tuple = ()) -> list[tuple] | None:
    """A read-only query; None when the database cannot be read yet (not created, busy)."""
    if not db_path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5.0)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def article_count(db_path: Path) -> int | None:
    rows = query(db_path, "SELECT count(*) FROM articles")
    return rows[0][0] if rows else None


# --- the phases ------------------------------------------------------------------------------


@dataclass
class CrawlKill:
    number: int
    source: str
    waited_for: str  # "article" (its first new article) or "time"
    new_article_seen: bool
    seconds: float  # from start to SIGKILL (or to its own exit)
    outcome: str  # "killed", or "exited N" when it ended before the kill
    articles_before: int
    articles_after: int | None
    log: str


@dataclass
class DaemonStop:
    number: int
    signal: str
    seconds: float  # from start to the signal
    exit_code: int | None
    stop_seconds: float | None  # signal to exit
    crawls_started: int
    error_lines: list[str]
    orphans: int
    log: str
    started: bool  # it had logged daemon_started when the signal was sent
    startup_seconds: float | None  # from its start to daemon_started
    crawls_running: int  # crawl processes of the configuration when the signal was sent


@dataclass
class Bench:
    args: argparse.Namespace
    work: Path
    config: Path
    db_path: Path
    marker: str
    procs: Processes
    sampler: Sampler
    rng: random.Random
    crawl_kills: list[CrawlKill] = field(default_factory=list)
    daemon_stops: list[DaemonStop] = field(default_factory=list)
    last_kill_wall: str | None = None
    final: dict = field(default_factory=dict)
    phase_seconds: dict = field(default_factory=dict)


def run_crawl_kills(bench: Bench) -> None:
    rng = bench.rng
    for number in range(1, bench.args.crawl_kills + 1):
        source = rng.choice(SOURCES)
        before = article_count(bench.db_path) or 0
        waited_for = rng.choice(["article", "time"])
        pause, grace = rng.uniform(0, 3), rng.uniform(0, 2)
        proc, log = bench.procs.start(
            f"crawl-{number:02d}-{source}",
            ["--config", str(bench.config), "--log-format", "json", "crawl", source],
        )
        began = time.monotonic()
        seen = False
        if waited_for == "article":
            while proc.poll() is None and time.monotonic() - began < ARTICLE_WAIT:
                if (article_count(bench.db_path) or 0) > before:
                    seen = True
                    break
                time.sleep(0.1)
        else:
            end = began + pause
            while proc.poll() is None and time.monotonic() < end:
                time.sleep(0.05)
        end = time.monotonic() + grace
        while proc.poll() is None and time.monotonic() < end:
            time.sleep(0.05)
        seconds = time.monotonic() - began
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
            outcome = "killed"
        else:
            outcome = f"exited {proc.returncode}"
        after = article_count(bench.db_path)
        seen = seen or (after or 0) > before
        bench.last_kill_wall = datetime.now(UTC).isoformat(timespec="seconds")
        bench.crawl_kills.append(
            CrawlKill(
                number,
                source,
                waited_for,
                seen,
                round(seconds, 2),
                outcome,
                before,
                after,
                log.name,
            )
        )
        print(
            f"  crawl {number:2d}/{bench.args.crawl_kills} {source:<10} {outcome:<9}"
            f" after {seconds:5.1f} s (waited for {waited_for}); articles {before} -> {after}",
            flush=True,
        )


def log_records(path: Path) -> tuple[list[dict], list[str]]:
    """The JSON records of a stderr file, and its lines that are not JSON."""
    records, other = [], []
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            other.append(line)
            continue
        if isinstance(record, dict):
            records.append(record)
        else:
            other.append(line)
    return records, other


def error_lines(path: Path) -> list[str]:
    """Lines at level error or critical (JSON), and tracebacks (not JSON)."""
    records, other = log_records(path)
    found = [json.dumps(r)[:600] for r in records if r.get("level") in ("error", "critical")]
    found += [line[:600] for line in other if line.startswith("Traceback")]
    return found


def crawl_processes(marker: str) -> list[Proc]:
    return [p for p in all_procs() if crawl_source(p, marker)]


def start_daemon(bench: Bench, name: str) -> tuple[subprocess.Popen, Path]:
    return bench.procs.start(name, ["--config", str(bench.config), "--log-format", "json", "run"])


def sigterm_daemon(proc: subprocess.Popen) -> tuple[int | None, float | None]:
    """SIGTERM, then the exit code and how long the stop took (None: it did not stop)."""
    proc.send_signal(signal.SIGTERM)
    began = time.monotonic()
    try:
        code = proc.wait(timeout=STOP_WAIT)
    except subprocess.TimeoutExpired:
        return None, None
    return code, round(time.monotonic() - began, 1)


def run_daemon_kills(bench: Bench) -> None:
    rng = bench.rng
    # Every third stop is a SIGTERM: K K T K K T ... until --daemon-kills SIGKILLs.
    plan: list[str] = []
    kills = 0
    while kills < bench.args.daemon_kills:
        plan.append("SIGKILL")
        kills += 1
        if kills % 2 == 0:
            plan.append("SIGTERM")
    for number, how in enumerate(plan, 1):
        proc, log = start_daemon(bench, f"daemon-{number:02d}-{how.lower()}")
        started_wall = datetime.now(UTC)
        seconds = rng.uniform(1, 6)
        time.sleep(seconds)
        # Before the signal: had it started (a SIGTERM during start-up, before the daemon
        # handles signals, is told apart), and which crawls ran.
        started = any(r.get("event") == "daemon_started" for r in log_records(log)[0])
        running = len(crawl_processes(bench.marker))
        orphans: list[Orphan] = []
        if how == "SIGKILL":
            proc.kill()
            killed_at = time.monotonic()
            code = proc.wait(timeout=30)
            stop_seconds = 0.0
            bench.last_kill_wall = datetime.now(UTC).isoformat(timespec="seconds")
            # No other crawl runs in this phase: any crawl process of this configuration
            # alive now was started by a daemon, this one or one killed before.
            orphans = bench.sampler.add_orphans(
                [
                    Orphan(p.pid, p.start, p.argv[-1], proc.pid, killed_at)
                    for p in crawl_processes(bench.marker)
                ]
            )
        else:
            code, stop_seconds = sigterm_daemon(proc)
            if code is None:
                proc.kill()
                proc.wait(timeout=30)
        records, _ = log_records(log)
        stop = DaemonStop(
            number,
            how,
            round(seconds, 2),
            code,
            stop_seconds,
            sum(1 for r in records if r.get("event") == "crawl_started" and "pid" in r),
            error_lines(log),
            len(orphans),
            log.name,
            started,
            startup_seconds(records, started_wall),
            running,
        )
        bench.daemon_stops.append(stop)
        print(
            f"  daemon {number:2d}/{len(plan)} {how} after {seconds:4.1f} s"
            f" ({'started' if started else 'still starting up'}, {running} crawl(s) running):"
            f" exit {code}{f' in {stop_seconds} s' if how == 'SIGTERM' else ''},"
            f" {stop.crawls_started} crawl(s) started, {len(orphans)} orphan(s),"
            f" {len(stop.error_lines)} error line(s)",
            flush=True,
        )


def startup_seconds(records: list[dict], started_wall: datetime) -> float | None:
    """Seconds from a daemon's start to its daemon_started event (None: never logged)."""
    for record in records:
        if record.get("event") == "daemon_started" and record.get("timestamp"):
            stamp = datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00"))
            return round((stamp - started_wall).total_seconds(), 1)
    return None


def quiescent(db_path: Path, since: str) -> tuple[bool, dict]:
    """Every source had a finished run started since `since`, no alert waits to be sent."""
    runs = query(
        db_path,
        "SELECT source, count(*) FROM crawl_runs WHERE status = 'finished' AND started >= ? "
        "GROUP BY source",
        (since,),
    )
    alerts = query(db_path, "SELECT status, count(*) FROM alerts GROUP BY status")
    if runs is None or alerts is None:
        return False, {}
    finished = dict(runs)
    statuses = dict(alerts)
    done = all(finished.get(s) for s in SOURCES) and not (
        statuses.get("pending") or statuses.get("sending")
    )
    return done, {"finished_runs": finished, "alerts": statuses}


def run_final(bench: Bench) -> None:
    # Runs are stamped to the second: the final daemon's runs start after this.
    time.sleep(1.1)
    since = datetime.now(UTC).isoformat(timespec="seconds")
    proc, log = start_daemon(bench, "daemon-final")
    began = time.monotonic()
    done, state = False, {}
    while time.monotonic() - began < bench.args.final_timeout:
        done, state = quiescent(bench.db_path, since)
        if done:
            # Two more alert rounds: whatever the last runs matched is sent too.
            time.sleep(3)
            done, state = quiescent(bench.db_path, since)
            if done:
                break
        time.sleep(1)
    waited = time.monotonic() - began
    crawls_running = len(crawl_processes(bench.marker))
    code, stop_seconds = sigterm_daemon(proc)
    if code is None:
        proc.kill()
        proc.wait(timeout=30)
    bench.final = {
        "settled": done,
        "seconds": round(waited, 1),
        "state": state,
        "exit_code": code,
        "stop_seconds": stop_seconds,
        "error_lines": error_lines(log),
        "crawls_running": crawls_running,
        "log": log.name,
    }
    print(
        f"  final daemon: {'settled' if done else 'NOT settled'} after {waited:.1f} s {state};"
        f" SIGTERM: exit {code} in {stop_seconds} s",
        flush=True,
    )


# --- the figures -----------------------------------------------------------------------------


def overlapping_runs(runs: list[tuple]) -> list[dict]:
    """Pairs of runs of one source whose [started, finished] overlap (a run with no end is
    open-ended). Times are stamped to the second: touching ends do not overlap."""

    def when(stamp: str | None) -> datetime:
        return datetime.fromisoformat(stamp) if stamp else datetime.max.replace(tzinfo=UTC)

    found = []
    by_source: dict[str, list[tuple]] = defaultdict(list)
    for run in runs:
        by_source[run[1]].append(run)
    for source, rows in by_source.items():
        rows.sort(key=lambda r: when(r[2]))
        for i, a in enumerate(rows):
            for b in rows[i + 1 :]:
                if when(b[2]) >= when(a[3]):
                    break  # sorted by start: no later run can overlap a either
                found.append(
                    {
                        "source": source,
                        "runs": [
                            {"id": r[0], "started": r[2], "finished": r[3], "status": r[4]}
                            for r in (a, b)
                        ],
                    }
                )
    return found


def analyse(bench: Bench, site: Site, server: SiteServer, receiver: Receiver) -> dict:
    base = server.base
    db = sqlite3.connect(bench.db_path, timeout=30.0)
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchall()
        integrity_text = "; ".join(row[0] for row in integrity)
        try:
            db.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
            fts = "ok"
        except sqlite3.Error as exc:
            fts = f"failed: {exc}"
        articles = db.execute("SELECT id, url, text_hash, cluster_id FROM articles").fetchall()
        sightings = db.execute("SELECT url, article_id FROM sightings").fetchall()
        pages = dict(db.execute("SELECT url, outcome FROM pages").fetchall())
        runs = db.execute(
            "SELECT id, source, started, finished, status, reason FROM crawl_runs ORDER BY id"
        ).fetchall()
        alerts = db.execute(
            "SELECT id, watch, article_id, status, attempts, last_error FROM alerts ORDER BY id"
        ).fetchall()
    finally:
        db.close()

    # Articles: one per distinct text; what became of every story URL.
    by_url = {url: article_id for article_id, url, _, _ in articles}
    seen_at = dict(sightings)
    cluster_of = {article_id: cluster for article_id, _, _, cluster in articles}
    hashes = Counter(text_hash for _, _, text_hash, _ in articles)
    urls = Counter(url for _, url, _, _ in articles)
    duplicated = {
        "same_text_hash": {h: n for h, n in hashes.items() if n > 1},
        "same_url": {u: n for u, n in urls.items() if n > 1},
    }
    lost = []
    story_articles: dict[int, set[int]] = defaultdict(set)
    recorded_as: Counter = Counter()
    for page in site.pages:
        url = base + page.path
        found = by_url.get(url) or seen_at.get(url)
        if found is None:
            lost.append({"url": url, "kind": page.kind, "page_outcome": pages.get(url)})
            continue
        recorded_as[f"{page.kind}:{'article' if url in by_url else 'sighting'}"] += 1
        story_articles[page.story].add(found)
    story_clusters = {n: {cluster_of.get(a) for a in ids} for n, ids in story_articles.items()}
    split = {n: sorted(c) for n, c in story_clusters.items() if len(c) > 1}
    stories_in_cluster: dict[int, set[int]] = defaultdict(set)
    for n, clusters in story_clusters.items():
        for cluster in clusters:
            stories_in_cluster[cluster].add(n)
    merged = {c: sorted(s) for c, s in stories_in_cluster.items() if len(s) > 1}

    # Pages: every article URL the server answered must have a pages or sightings row.
    served = sorted({p for p in server.paths(200) if ARTICLE_PATH.match(p)})
    unrecorded = [base + p for p in served if base + p not in pages and base + p not in seen_at]

    # Alerts: one per story carrying the name; each key received once.
    received = Counter(receiver.keys)
    repeated_keys = {k: n for k, n in received.items() if n > 1}
    watch_alerts = [a for a in alerts if a[1] == WATCH_NAME]
    alerts_by_article: dict[int, list[tuple]] = defaultdict(list)
    for alert in watch_alerts:
        alerts_by_article[alert[2]].append(alert)
    missed, unconfirmed, twice = [], [], []
    article_story = {a: n for n, ids in story_articles.items() for a in ids}
    for n in sorted(site.named_stories):
        rows = [a for article in story_articles.get(n, ()) for a in alerts_by_article[article]]
        statuses = {a[3] for a in rows}
        evidence = {
            "story": n,
            "urls": [base + p.path for p in site.pages if p.story == n],
            "articles": sorted(story_articles.get(n, ())),
            "alerts": [
                {
                    "id": a[0],
                    "article_id": a[2],
                    "status": a[3],
                    "attempts": a[4],
                    "last_error": a[5],
                    "received": received.get(f"alert-{a[0]}", 0),
                }
                for a in rows
            ],
        }
        if "delivered" not in statuses and "unconfirmed" not in statuses:
            missed.append(evidence)
        elif "delivered" not in statuses:
            unconfirmed.append(evidence)
        if len(rows) > 1:
            twice.append(evidence)
    unexpected = [
        {"alert_id": a[0], "article_id": a[2], "story": article_story.get(a[2])}
        for a in watch_alerts
        if article_story.get(a[2]) not in site.named_stories
    ]
    delivered_not_received = [
        a[0] for a in watch_alerts if a[3] == "delivered" and f"alert-{a[0]}" not in received
    ]
    received_not_delivered = [
        {"key": k, "status": next((a[3] for a in alerts if f"alert-{a[0]}" == k), None)}
        for k in received
        if not any(f"alert-{a[0]}" == k and a[3] in ("delivered", "unconfirmed") for a in alerts)
    ]

    # Crawls: at most one per source; lock failures; how runs ended.
    statuses = Counter(run[4] for run in runs)
    overlaps = overlapping_runs(runs)
    logs = sorted(bench.procs.logs.glob("*.stderr"))
    locked_lines = []
    for path in logs:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if "database is locked" in line:
                locked_lines.append(f"{path.name}: {line[:400]}")
    crawl_errors = [
        {"crawl": k.log, "outcome": k.outcome}
        for k in bench.crawl_kills
        if k.outcome.startswith("exited") and k.outcome not in ("exited 0", "exited 75")
    ]
    for path in logs:
        if path.name.startswith("daemon-"):
            records, _ = log_records(path)
            crawl_errors += [
                {"daemon": path.name, "event": r}
                for r in records
                if r.get("event") == "crawl_finished" and r.get("status") == "failed"
            ]
    failed_runs = [
        {"id": r[0], "source": r[1], "started": r[2], "reason": r[5]}
        for r in runs
        if r[4] == "failed"
    ]
    with bench.sampler.lock:
        orphans = [asdict(o) for o in bench.sampler.orphans]
    sigterms = [s for s in bench.daemon_stops if s.signal == "SIGTERM"]

    def click_errors(log: str | None) -> list[str]:
        """A crawl's closing "Error: ..." (click's, not a log record), passed through the
        daemon's stderr: reported, not counted as an error-level line."""
        if not log:
            return []
        _, other = log_records(bench.procs.logs / log)
        return [line[:300] for line in other if line.startswith("Error: ")]

    sigterm_stops = [
        {
            "log": s.log,
            "started": s.started,
            "crawls_running": s.crawls_running,
            "exit_code": s.exit_code,
            "stop_seconds": s.stop_seconds,
            "error_lines": s.error_lines,
            "click_error_lines": click_errors(s.log),
        }
        for s in sigterms
    ] + [
        {
            "log": bench.final.get("log"),
            "started": True,
            "crawls_running": bench.final.get("crawls_running"),
            "exit_code": bench.final.get("exit_code"),
            "stop_seconds": bench.final.get("stop_seconds"),
            "error_lines": bench.final.get("error_lines", []),
            "click_error_lines": click_errors(bench.final.get("log")),
        }
    ]
    sigkill_error_lines = sum(
        len(s.error_lines) for s in bench.daemon_stops if s.signal == "SIGKILL"
    )

    figures = {
        "integrity_check": integrity_text,
        "fts_integrity_check": fts,
        "articles_expected": site.distinct_texts,
        "articles_stored": len(articles),
        "stories_expected": len(site.stories),
        "clusters_stored": len({c for _, _, _, c in articles}),
        "story_urls": len(site.pages),
        "recorded_as": dict(sorted(recorded_as.items())),
        "lost": lost,
        "duplicated_articles": duplicated,
        "stories_split_over_clusters": split,
        "clusters_merging_stories": merged,
        "article_urls_served": len(served),
        "article_requests_served": sum(1 for p in server.paths(200) if ARTICLE_PATH.match(p)),
        "pages_unrecorded": unrecorded,
        "alerts_expected": len(site.named_stories),
        "alert_rows": Counter(a[3] for a in watch_alerts),
        "messages_received": len(receiver.keys),
        "distinct_keys_received": len(received),
        "duplicate_alerts": repeated_keys,
        "missed_alerts": missed,
        "unconfirmed_alerts": unconfirmed,
        "stories_alerted_more_than_once": twice,
        "unexpected_alerts": unexpected,
        "delivered_not_received": delivered_not_received,
        "received_not_delivered_or_unconfirmed": received_not_delivered,
        "most_crawl_processes_of_one_source": bench.sampler.most_processes,
        "most_crawls_of_one_source": bench.sampler.most_crawling,
        "two_crawls_seen": bench.sampler.overlaps,
        "sampler": {"samples": bench.sampler.samples, "max_gap_s": round(bench.sampler.max_gap, 2)},
        "overlapping_runs": overlaps,
        "lock_failures": locked_lines,
        "crawl_errors": crawl_errors,
        "failed_runs": failed_runs,
        "crawl_runs_by_status": dict(statuses),
        "runs_left_running": [
            {"id": r[0], "source": r[1], "started": r[2]} for r in runs if r[4] == "running"
        ],
        "orphans": orphans,
        "orphans_alive_after_30s": [o for o in orphans if o["alive_at_deadline"]],
        "sigterm_stops": sigterm_stops,
        "sigkill_daemon_error_lines": sigkill_error_lines,
    }
    figures["alert_rows"] = dict(figures["alert_rows"])
    # A SIGTERM that lands while the daemon is still starting up (before it logged
    # daemon_started) is judged apart from the others: the stop path is not the same.
    sigterm_ok = all(
        s["exit_code"] == 0 and not s["error_lines"] for s in sigterm_stops if s["started"]
    )
    startup_ok = all(
        s["exit_code"] == 0 and not s["error_lines"] for s in sigterm_stops if not s["started"]
    )
    startups = [s.startup_seconds for s in bench.daemon_stops if s.startup_seconds is not None]
    figures["daemon_startup_seconds"] = {
        "min": min(startups, default=None),
        "max": max(startups, default=None),
        "started_before_signal": sum(1 for s in bench.daemon_stops if s.started),
        "daemons": len(bench.daemon_stops),
    }
    figures["pass"] = {
        "integrity ok": integrity_text == "ok" and fts == "ok",
        "0 lost": not lost,
        "0 duplicated articles": not duplicated["same_text_hash"] and not duplicated["same_url"],
        "0 duplicate alerts": not repeated_keys,
        "0 missed alerts": not missed,
        "every fetched URL in pages": not unrecorded,
        "at most one crawl per source at any moment": (
            max(bench.sampler.most_crawling.values()) <= 1 and not overlaps
        ),
        "0 lock failures": not locked_lines,
        "no run left running": not figures["runs_left_running"],
        "SIGTERM stops: exit 0, no error line": sigterm_ok,
        "SIGTERM during start-up: exit 0": startup_ok,
        "orphaned crawls gone within 30 s": not figures["orphans_alive_after_30s"]
        and all(o["alive_at_deadline"] is not None for o in orphans),
        "final daemon settled": bool(bench.final.get("settled")),
    }
    return figures


# --- the report ------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_report(result: dict) -> None:
    f = result["figures"]
    ok = f["pass"]
    kills = result["crawl_kills"]
    stops = result["daemon_stops"]
    killed = sum(1 for k in kills if k["outcome"] == "killed")
    sigkills = [s for s in stops if s["signal"] == "SIGKILL"]
    orphans = f["orphans"]
    running = [s for s in f["sigterm_stops"] if s["started"]]
    starting = [s for s in f["sigterm_stops"] if not s["started"]]
    gone = [o["gone_after"] for o in orphans if o["gone_after"] is not None]
    lines = [
        "",
        "kill-loop benchmark",
        f"  code {result['code_fingerprint']}, {result['machine']['cores']} cores,"
        f" Python {result['machine']['python']}, seed {result['args']['seed']},"
        f" server delay {result['args']['delay']} s",
        f"  site            {f['articles_expected']} distinct texts ({f['stories_expected']}"
        f" stories, {f['articles_expected'] - f['stories_expected']} edited copies),"
        f" {f['story_urls'] - f['articles_expected']} exact copies, {f['story_urls']} article"
        f" URLs over {len(SOURCES)} feeds; watched name in {f['alerts_expected']} stories",
        f"  crawl kills     {len(kills)} crawls, {killed} killed with SIGKILL"
        f" ({sum(1 for k in kills if k['new_article_seen'])} after a new article),"
        f" {len(kills) - killed} ended first: "
        + json.dumps(Counter(k["outcome"] for k in kills if k["outcome"] != "killed")),
        f"  daemon kills    {len(sigkills)} SIGKILL, {len(stops) - len(sigkills)} SIGTERM;"
        f" {sum(s['crawls_started'] for s in stops)} crawls started by those daemons;"
        f" {len(orphans)} orphaned crawl(s), gone"
        f" {min(gone) if gone else '-'}-{max(gone) if gone else '-'} s after their daemon's"
        f" SIGKILL, {len(f['orphans_alive_after_30s'])} alive 30 s later",
        f"  final run       {'settled' if result['final'].get('settled') else 'NOT settled'}"
        f" in {result['final'].get('seconds')} s: {json.dumps(result['final'].get('state'))}",
        f"  wall time       {result['wall_seconds']:.0f} s ("
        + ", ".join(f"{k} {v:.0f} s" for k, v in result["phase_seconds"].items())
        + ")",
        "",
        f"  [{verdict(ok['integrity ok'])}] integrity_check: {f['integrity_check']};"
        f" FTS integrity-check: {f['fts_integrity_check']}",
        f"  [{verdict(ok['0 lost'])}] articles expected {f['articles_expected']}, stored"
        f" {f['articles_stored']}; lost story URLs {len(f['lost'])}"
        f" (recorded as {json.dumps(f['recorded_as'])})",
        f"  [{verdict(ok['0 duplicated articles'])}] duplicated articles: same text_hash"
        f" {len(f['duplicated_articles']['same_text_hash'])}, same url"
        f" {len(f['duplicated_articles']['same_url'])}",
        f"  [info] clusters: {f['clusters_stored']} stored for {f['stories_expected']} stories;"
        f" stories split over clusters {len(f['stories_split_over_clusters'])}, clusters"
        f" merging stories {len(f['clusters_merging_stories'])}",
        f"  [{verdict(ok['every fetched URL in pages'])}] pages unrecorded:"
        f" {len(f['pages_unrecorded'])} of {f['article_urls_served']} article URLs served"
        f" ({f['article_requests_served']} article requests)",
        f"  [{verdict(ok['0 duplicate alerts'])}] alerts: expected {f['alerts_expected']},"
        f" rows {json.dumps(f['alert_rows'])}; messages received {f['messages_received']}"
        f" ({f['distinct_keys_received']} keys); keys received more than once"
        f" {len(f['duplicate_alerts'])}",
        f"  [{verdict(ok['0 missed alerts'])}] missed alerts {len(f['missed_alerts'])};"
        f" unconfirmed (not delivered, may have arrived) {len(f['unconfirmed_alerts'])};"
        f" stories alerted more than once {len(f['stories_alerted_more_than_once'])};"
        f" unexpected alerts {len(f['unexpected_alerts'])}; delivered but never received"
        f" {len(f['delivered_not_received'])}; received but pending"
        f" {len(f['received_not_delivered_or_unconfirmed'])}",
        f"  [{verdict(ok['at most one crawl per source at any moment'])}] most crawls of one"
        f" source at once {json.dumps(f['most_crawls_of_one_source'])} (crawl processes alive,"
        f" ones not holding the lock included, busy or finishing up:"
        f" {json.dumps(f['most_crawl_processes_of_one_source'])};"
        f" {f['sampler']['samples']} samples, largest gap {f['sampler']['max_gap_s']} s);"
        f" overlapping crawl_runs {len(f['overlapping_runs'])}",
        f'  [{verdict(ok["0 lock failures"])}] "database is locked" lines'
        f" {len(f['lock_failures'])}; crawls that exited on an error {len(f['crawl_errors'])};"
        f" crawl_runs by status {json.dumps(f['crawl_runs_by_status'])}",
        f"  [{verdict(ok['no run left running'])}] runs still running at the end"
        f" {len(f['runs_left_running'])}",
        f"  [{verdict(ok['SIGTERM stops: exit 0, no error line'])}] SIGTERM stops of a"
        f" started daemon {len(running)} (final one included): exit codes"
        f" {[s['exit_code'] for s in running]}, stop times"
        f" {[s['stop_seconds'] for s in running]} s, crawls running at the signal"
        f" {[s['crawls_running'] for s in running]}, ERROR-level lines"
        f" {sum(len(s['error_lines']) for s in running)}"
        f" (error lines in SIGKILLed daemons' logs: {f['sigkill_daemon_error_lines']};"
        f' crawls\' closing "Error: ..." lines passed through:'
        f" {sum(len(s['click_error_lines']) for s in running)})",
        f"  [{verdict(ok['SIGTERM during start-up: exit 0'])}] SIGTERM stops during start-up"
        f" (before daemon_started) {len(starting)}: exit codes"
        f" {[s['exit_code'] for s in starting]}; daemon start-up took"
        f" {f['daemon_startup_seconds']['min']}-{f['daemon_startup_seconds']['max']} s,"
        f" {f['daemon_startup_seconds']['started_before_signal']} of"
        f" {f['daemon_startup_seconds']['daemons']} daemons had started when signalled",
        f"  [{verdict(ok['orphaned crawls gone within 30 s'])}] orphaned crawls alive 30 s after"
        f" their daemon's SIGKILL: {len(f['orphans_alive_after_30s'])} of {len(orphans)}",
        f"  [{verdict(ok['final daemon settled'])}] final daemon: every source finished a run"
        " and no alert pending",
    ]
    print("\n".join(lines))
    evidence = {
        "lost": f["lost"],
        "duplicated_articles": f["duplicated_articles"]
        if any(f["duplicated_articles"].values())
        else None,
        "pages_unrecorded": f["pages_unrecorded"],
        "duplicate_alerts": f["duplicate_alerts"],
        "missed_alerts": f["missed_alerts"],
        "unconfirmed_alerts": f["unconfirmed_alerts"],
        "stories_alerted_more_than_once": f["stories_alerted_more_than_once"],
        "stories_split_over_clusters": f["stories_split_over_clusters"],
        "unexpected_alerts": f["unexpected_alerts"],
        "delivered_not_received": f["delivered_not_received"],
        "two_crawls_seen": f["two_crawls_seen"],
        "overlapping_runs": f["overlapping_runs"],
        "lock_failures": f["lock_failures"],
        "crawl_errors": f["crawl_errors"],
        "failed_runs": f["failed_runs"],
        "runs_left_running": f["runs_left_running"],
        "sigterm_error_lines": [
            s for s in f["sigterm_stops"] if s["error_lines"] or s["exit_code"]
        ],
        "orphans_alive_after_30s": f["orphans_alive_after_30s"],
    }
    shown = {k: v for k, v in evidence.items() if v}
    if shown:
        print("\nevidence (first 10 of each):")
        for key, value in shown.items():
            items = list(value.items()) if isinstance(value, dict) else list(value)
            print(f"  {key} ({len(items)}):")
            for item in items[:10]:
                print("    " + json.dumps(item, ensure_ascii=False, default=str)[:1500])
    print(f"\n  logs and database: {result['work']}")


def write_results(result: dict, path: Path = RESULTS_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"  figures written to {path}")


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crawl-kills", type=int, default=20, help="crawls killed (default 20)")
    parser.add_argument("--daemon-kills", type=int, default=10, help="daemon SIGKILLs (default 10)")
    parser.add_argument("--articles", type=int, default=DEFAULT_ARTICLES, help="distinct texts")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="site and kill timings")
    parser.add_argument("--delay", type=float, default=DEFAULT_DELAY, help="server delay (s)")
    parser.add_argument(
        "--final-timeout", type=float, default=300.0, help="longest final daemon run (s)"
    )
    parser.add_argument("--out", type=Path, help="work folder (default: a new temp folder)")
    args = parser.parse_args(argv)
    if args.crawl_kills < 0 or args.daemon_kills < 0 or args.articles < 20:
        parser.error("kills must be >= 0 and --articles >= 20")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not NEWSWATCH.exists():
        print(f"the newswatch command is not installed beside {sys.executable}", file=sys.stderr)
        return 2
    work = args.out or Path(tempfile.mkdtemp(prefix="newswatch-kill-loop-"))
    if args.out and work.exists() and any(work.iterdir()):
        print(f"{work} is not empty: give an empty or new folder", file=sys.stderr)
        return 2
    work = work.resolve()
    (work / "logs").mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    print(f"work folder: {work}", flush=True)
    site = generate_site(work / "site", args.articles, args.seed)
    print(
        f"site: {site.distinct_texts} distinct texts, {len(site.pages)} article URLs,"
        f" watched name in {len(site.named_stories)} stories",
        flush=True,
    )
    receiver = Receiver(free_port()).start()
    server = SiteServer(work / "site").start()
    server.delay = args.delay
    config = write_config(work / "config", server.base, receiver.port)
    db_path = config / "data" / "newswatch.db"
    marker = str(config)  # in the argv of every daemon and crawl of this configuration
    lock_paths = {s: str(source_lock(db_path, s).path) for s in SOURCES}
    procs = Processes(work / "logs")
    sampler = Sampler(marker, lock_paths)
    bench = Bench(args, work, config, db_path, marker, procs, sampler, random.Random(args.seed))
    sampler.start()
    stragglers: list[int] = []
    try:
        phases = (
            ("crawl kills", run_crawl_kills),
            ("daemon kills", run_daemon_kills),
            ("final run", run_final),
        )
        for name, phase in phases:
            print(f"{name} ...", flush=True)
            start = time.monotonic()
            phase(bench)
            bench.phase_seconds[name] = time.monotonic() - start
        # Orphans are judged 30 s after their daemon died: wait for the last ones.
        deadline = time.monotonic() + ORPHAN_DEADLINE + 5
        while time.monotonic() < deadline:
            with sampler.lock:
                if all(o.alive_at_deadline is not None for o in sampler.orphans):
                    break
            time.sleep(0.5)
    finally:
        sampler.stop()
        stragglers = procs.kill_stragglers(marker)
        server.stop()
        receiver.stop()
    figures = analyse(bench, site, server, receiver)
    result = {
        "benchmark": "kill_loop",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_fingerprint": code_fingerprint(),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "work": str(work),
        "wall_seconds": round(time.monotonic() - began, 1),
        "phase_seconds": {k: round(v, 1) for k, v in bench.phase_seconds.items()},
        "stragglers_killed": stragglers,
        "crawl_kills": [asdict(k) for k in bench.crawl_kills],
        "daemon_stops": [asdict(s) for s in bench.daemon_stops],
        "final": bench.final,
        "figures": figures,
    }
    print_report(result)
    if stragglers:
        print(f"  processes still running at the end, killed: {stragglers}")
    write_results(result)
    passed = all(figures["pass"].values())
    if passed and not args.out:
        shutil.rmtree(work, ignore_errors=True)
        print("  every target passed: work folder removed")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
