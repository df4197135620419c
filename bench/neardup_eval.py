"""Near-duplicate detection on the labelled pairs: MinHash + LSH against SimHash, and speed.

Reads tests/data/neardup_pairs.json (hand-written articles, pairs labelled duplicate
or not) and prints precision and recall of newswatch's MinHash + LSH at several
thresholds, and of a 64-bit SimHash over the same shingles at its best Hamming
distance, then the time each signature takes on a 1,000-word text (datasketch's
MinHash too, when it is installed).

    python bench/neardup_eval.py
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.neardup import (  # noqa: E402
    DEFAULT_THRESHOLD,
    band_keys,
    shingles,
    signature,
    similarity,
)
from pipelines.textnorm import normalise_text  # noqa: E402

PAIRS = Path(__file__).resolve().parent.parent / "tests" / "data" / "neardup_pairs.json"


def simhash(text: str) -> int:
    bits = np.unpackbits(shingles(normalise_text(text)).view(np.uint8).reshape(-1, 8), axis=1)
    votes = bits.astype(np.int32).sum(axis=0) * 2 - len(bits)
    return int("".join("1" if v > 0 else "0" for v in votes), 2)


def scores(found: list[bool], labels: list[bool]) -> tuple[float, float]:
    tp = sum(f and label for f, label in zip(found, labels, strict=True))
    fp = sum(f and not label for f, label in zip(found, labels, strict=True))
    fn = sum(not f and label for f, label in zip(found, labels, strict=True))
    return (tp / (tp + fp) if tp + fp else 1.0), tp / (tp + fn)


def per_call_ms(function, texts: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            function(text)
        best = min(best, (time.perf_counter() - started) / len(texts))
    return best * 1000


def main() -> int:
    data = json.loads(PAIRS.read_text("utf-8"))
    articles, pairs = data["articles"], data["pairs"]
    labels = [p["duplicate"] for p in pairs]
    print(
        f"{len(articles)} articles, {len(pairs)} pairs: {sum(labels)} duplicates, "
        f"{len(labels) - sum(labels)} not"
    )
    sigs = {k: signature(a["text"]) for k, a in articles.items()}
    keys = {k: set(band_keys(s)) for k, s in sigs.items()}
    sims = [similarity(sigs[p["a"]], sigs[p["b"]]) for p in pairs]
    candidates = [bool(keys[p["a"]] & keys[p["b"]]) for p in pairs]
    print("MinHash + LSH (128 values, 42 bands x 3 rows):")
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        found = [c and s >= threshold for c, s in zip(candidates, sims, strict=True)]
        precision, recall = scores(found, labels)
        mark = "  <- default" if threshold == DEFAULT_THRESHOLD else ""
        print(f"  threshold {threshold:.1f}: precision {precision:.3f} recall {recall:.3f}{mark}")
    duplicates = [s for s, label in zip(sims, labels, strict=True) if label]
    others = [s for s, label in zip(sims, labels, strict=True) if not label]
    print(
        f"  estimated similarity: duplicates {min(duplicates):.2f}–{max(duplicates):.2f}, "
        f"others {min(others):.2f}–{max(others):.2f}"
    )
    hashes = {k: simhash(a["text"]) for k, a in articles.items()}
    distances = [bin(hashes[p["a"]] ^ hashes[p["b"]]).count("1") for p in pairs]
    best = max(
        range(33),
        key=lambda k: sum(scores([d <= k for d in distances], labels)),
    )
    precision, recall = scores([d <= best for d in distances], labels)
    print(
        f"SimHash (64 bits) at its best distance {best}: precision {precision:.3f} "
        f"recall {recall:.3f}; distances: duplicates "
        f"{min(d for d, lab in zip(distances, labels, strict=True) if lab)}–"
        f"{max(d for d, lab in zip(distances, labels, strict=True) if lab)}, others "
        f"{min(d for d, lab in zip(distances, labels, strict=True) if not lab)}–"
        f"{max(d for d, lab in zip(distances, labels, strict=True) if not lab)}"
    )
    rng = random.Random(1)
    vocabulary = [f"w{n}" for n in range(5000)]
    texts = [" ".join(rng.choices(vocabulary, k=1000)) for _ in range(200)]
    print(
        f"signature of a 1,000-word text: newswatch MinHash {per_call_ms(signature, texts):.3f} ms"
    )
    print(f"                                SimHash {per_call_ms(simhash, texts):.3f} ms")
    try:
        from datasketch import MinHash
    except ImportError:
        print("                                (datasketch not installed)")
        return 0

    def datasketch_signature(text: str) -> None:
        words = normalise_text(text).split()
        minhash = MinHash(num_perm=128)
        minhash.update_batch([" ".join(words[i : i + 5]).encode() for i in range(len(words) - 4)])

    elapsed = per_call_ms(datasketch_signature, texts)
    print(f"                                datasketch MinHash {elapsed:.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
