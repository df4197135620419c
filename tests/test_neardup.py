"""Near-duplicate signatures (pipelines/neardup.py) on their own: MinHash and LSH bands
against the hand-labelled pairs, and signatures that mean the same in every process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.neardup import DEFAULT_THRESHOLD, band_keys, signature, similarity

LABELLED = json.loads((Path(__file__).parent / "data/neardup_pairs.json").read_text("utf-8"))
ARTICLES = LABELLED["articles"]


def confusion(same_story) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of `same_story(a, b)` on the pairs."""
    tp = fp = fn = 0
    for pair in LABELLED["pairs"]:
        found = same_story(pair["a"], pair["b"])
        tp += found and pair["duplicate"]
        fp += found and not pair["duplicate"]
        fn += not found and pair["duplicate"]
    return tp, fp, fn


def test_the_labelled_set_is_big_and_balanced_enough_to_mean_something():
    pairs = LABELLED["pairs"]
    assert len(pairs) >= 50
    assert sum(p["duplicate"] for p in pairs) >= 25
    assert sum(not p["duplicate"] for p in pairs) >= 25
    assert all(p["a"] in ARTICLES and p["b"] in ARTICLES for p in pairs)


def test_minhash_lsh_separates_the_labelled_pairs():
    sigs = {key: signature(a["text"]) for key, a in ARTICLES.items()}
    keys = {key: set(band_keys(sig)) for key, sig in sigs.items()}

    def same_story(a: str, b: str) -> bool:
        return bool(keys[a] & keys[b]) and similarity(sigs[a], sigs[b]) >= DEFAULT_THRESHOLD

    tp, fp, fn = confusion(same_story)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision == 1.0 and recall >= 0.97, (precision, recall)


@pytest.mark.e2e
def test_signatures_mean_the_same_in_every_process():
    text = ARTICLES["heist-wire"]["text"] + "\n\nÀ Zürich, «ça» a coûté 3 000 €."
    code = "import sys; from pipelines.neardup import signature; print(signature(sys.stdin.read()).hex())"
    other = subprocess.run(
        [sys.executable, "-c", code],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    assert other.stdout.strip() == signature(text).hex()


def test_short_and_empty_texts_still_get_a_signature():
    assert similarity(signature("One two three."), signature("one, two; THREE")) == 1.0
    assert len(signature("")) == 512
    assert similarity(signature("the council met"), signature("a different story")) < 0.1
