"""Clustering benchmark: what near-duplicate clustering costs per article as the corpus grows.

Stores N generated articles (a quarter of them edited copies of earlier ones) through
the real `Store.save_article`, into a fresh SQLite file, and times the clustering
work on each: the MinHash signature (made in the extraction workers during a crawl),
the LSH candidate lookup with the similarity checks, and the band index insert. At
every checkpoint it reports the mean and p99 of that cost over the last window, the
whole save, the process's resident memory, the database size, and how well the
copies found their stories. The index lives in the database: memory should stay flat.

    python bench/cluster_bench.py                 # N = 100,000
    python bench/cluster_bench.py --articles 20000 --checkpoint 5000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from array import array
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fingerprint import code_fingerprint  # noqa: E402

import pipelines.storage.writer as writer  # noqa: E402
from pipelines.neardup import DEFAULT_THRESHOLD, signature  # noqa: E402
from pipelines.storage.database import open_database  # noqa: E402
from pipelines.textnorm import normalise_text, text_hash  # noqa: E402

RESULTS_FILE = Path(__file__).parent / "results" / "cluster_bench.json"
TARGET_MS = 5.0
# What clustering adds to storing an article (pipelines.storage.writer names them).
CLUSTERING_STEPS = ("band_keys", "find_cluster", "next_article_id", "index_article")
VOCABULARY = 30_000


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Made-up words with Zipf frequencies, so common phrases recur across stories."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(VOCABULARY)]
    weights, total = [], 0.0
    for rank in range(1, VOCABULARY + 1):
        total += 1.0 / rank
        weights.append(total)
    return words, weights


def story(seed: int, words: list[str], weights: list[float]) -> list[str]:
    """The paragraphs of story `seed`: 300–900 words, rebuilt identically from the seed."""
    rng = random.Random(seed)
    paragraphs = []
    for _ in range(rng.randint(6, 14)):
        sentences = [
            " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(8, 22))).capitalize()
            for _ in range(rng.randint(2, 4))
        ]
        paragraphs.append(". ".join(sentences) + ".")
    return paragraphs


def edited(paragraphs: list[str], rng: random.Random, words: list[str]) -> list[str]:
    """A syndicated copy: a paragraph added or cut, the last ones trimmed, or words changed."""
    copy = list(paragraphs)
    edit = rng.choice(("add", "cut", "trim", "words", "credit"))
    if edit == "add":
        copy.insert(rng.randrange(len(copy)), " ".join(rng.choices(words, k=40)) + ".")
    elif edit == "cut" and len(copy) > 3:
        del copy[rng.randrange(len(copy))]
    elif edit == "trim" and len(copy) > 6:
        del copy[-2:]
    elif edit == "words":
        for _ in range(6):
            n = rng.randrange(len(copy))
            tokens = copy[n].split()
            tokens[rng.randrange(len(tokens))] = rng.choice(words)
            copy[n] = " ".join(tokens)
    else:
        copy.append("This story was originally published by the Northern Wire.")
    return copy


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Timed:
    """Wraps a function, adding its run time to `self.seconds`."""

    def __init__(self, function) -> None:
        self.function, self.seconds = function, 0.0

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started


def run(articles: int, checkpoint: int, dup_rate: float, seed: int, folder: Path) -> dict:
    rng = random.Random(seed)
    words, weights = vocabulary(rng)
    path = folder / "cluster-bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    # The same Store, batches and commits as a crawl; the clustering steps are timed.
    timed = [Timed(getattr(writer, name)) for name in CLUSTERING_STEPS]
    for name, step in zip(CLUSTERING_STEPS, timed, strict=True):
        setattr(writer, name, step)
    store = writer.Store(open_database(path))
    story_of = array("q")  # article id - 1 -> the story it was generated from
    origin = array("q")  # story -> its first article's id
    now = datetime.now(UTC).isoformat(timespec="seconds")
    windows, window, started = [], [], time.perf_counter()
    for n in range(articles):
        if origin and rng.random() < dup_rate:
            story_id = rng.randrange(len(origin))
            text = "\n\n".join(
                edited(story(seed * 1_000_003 + story_id, words, weights), rng, words)
            )
        else:
            story_id = len(origin)
            origin.append(n + 1)
            text = "\n\n".join(story(seed * 1_000_003 + story_id, words, weights))
        story_of.append(story_id)
        normalised = normalise_text(text)
        cluster_before = sum(step.seconds for step in timed)
        t0 = time.perf_counter()
        sig = signature(text, normalised=normalised)
        t1 = time.perf_counter()
        store.save_article(
            {
                "url": f"https://outlet{n % 50}.example/{n}",
                "title": f"Article {n}",
                "text": text,
                "text_hash": text_hash(text, normalised=normalised),
                "word_count": len(normalised.split()),
                "minhash": sig,
            },
            source="bench",
            now=now,
            threshold=DEFAULT_THRESHOLD,
        )
        t2 = time.perf_counter()
        clustering = sum(step.seconds for step in timed) - cluster_before
        window.append((t1 - t0 + clustering, t2 - t1))
        if (n + 1) % checkpoint == 0 or n + 1 == articles:
            store.flush()
            windows.append(summarise(n + 1, window, store, path, story_of, origin))
            print(line(windows[-1]), flush=True)
            window = []
    store.close()
    return {
        "articles": articles,
        "dup_rate": dup_rate,
        "seed": seed,
        "threshold": DEFAULT_THRESHOLD,
        "seconds": round(time.perf_counter() - started, 1),
        "windows": windows,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def summarise(done, window, store, path, story_of, origin) -> dict:
    cluster_ms = sorted(c * 1000 for c, _ in window)
    save_ms = [s * 1000 for _, s in window]
    db = store.db
    # Copies that joined their story's cluster, and originals wrongly put in another's.
    clusters = array("q", [0] * done)
    for article_id, cluster_id in db.execute("SELECT id, cluster_id FROM articles"):
        clusters[article_id - 1] = cluster_id
    copies = joined = merged = 0
    for index in range(done):
        first = origin[story_of[index]]
        if first == index + 1:
            merged += clusters[index] != index + 1
        else:
            copies += 1
            joined += clusters[index] == clusters[first - 1]
    return {
        "articles": done,
        "cluster_ms_mean": round(sum(cluster_ms) / len(cluster_ms), 3),
        "cluster_ms_p99": round(cluster_ms[int(len(cluster_ms) * 0.99)], 3),
        "save_ms_mean": round(sum(save_ms) / len(save_ms), 3),
        "rss_mb": round(rss_mb(), 1),
        "db_mb": round(sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20),
        "band_rows": db.execute("SELECT count(*) FROM lsh_bands").fetchone()[0],
        "copies_joined": round(joined / copies, 4) if copies else None,
        "originals_merged": merged,
    }


def line(w: dict) -> str:
    return (
        f"{w['articles']:>7} articles  clustering {w['cluster_ms_mean']:.3f} ms "
        f"(p99 {w['cluster_ms_p99']:.3f})  whole save {w['save_ms_mean']:.3f} ms  "
        f"RSS {w['rss_mb']:.0f} MB  db {w['db_mb']} MB  bands {w['band_rows']:,}  "
        f"copies joined {w['copies_joined']:.2%}  originals merged {w['originals_merged']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--checkpoint", type=int, default=10_000)
    parser.add_argument("--dup-rate", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    result = run(args.articles, args.checkpoint, args.dup_rate, args.seed, args.out)
    result["code_fingerprint"] = code_fingerprint()
    result["python"] = sys.version.split()[0]
    result["cpus"] = os.cpu_count()
    worst = max(w["cluster_ms_mean"] for w in result["windows"])
    rss = [w["rss_mb"] for w in result["windows"]]
    verdict = "PASS" if worst < TARGET_MS else "FAIL"
    print(
        f"{verdict}: clustering costs at most {worst:.3f} ms an article (target < {TARGET_MS} ms); "
        f"RSS {min(rss):.0f}–{max(rss):.0f} MB over the run, peak {result['peak_rss_mb']} MB; "
        f"{result['seconds']} s; code {result['code_fingerprint']}"
    )
    RESULTS_FILE.parent.mkdir(exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
