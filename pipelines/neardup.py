"""Near-duplicate detection: MinHash signatures over word shingles, and LSH band keys.

Pure functions: the store keeps the signatures and the band keys in the database
(so clustering works across runs), and asks `similarity` of the few candidates the
band keys find.

A signature is the minimum, under each of `PERMUTATIONS` hash functions, of the
hashes of the text's 5-word shingles; the share of equal minimums between two
signatures estimates the Jaccard similarity of their shingle sets. The signature
is split into `BANDS` bands of `ROWS` values: two texts share a band key with
probability 1 - (1 - s^ROWS)^BANDS, which is 0.94 at s = 0.4, 0.997 at s = 0.5
and 0.04 at s = 0.1 (two reports on the same event score about 0.05), so a
candidate pair is found reliably for any threshold from 0.4 up, and unrelated
articles are rarely compared at all.
"""

from __future__ import annotations

import zlib

import numpy as np

from config import DedupeSettings
from pipelines.textnorm import normalise_text

SHINGLE_WORDS = 5
PERMUTATIONS = 128
BANDS = 42
ROWS = 3  # BANDS * ROWS <= PERMUTATIONS: the last two values only serve `similarity`
SIGNATURE_BYTES = PERMUTATIONS * 4
# The near-duplicate threshold when [dedupe] does not set one: the configuration's default.
DEFAULT_THRESHOLD = DedupeSettings.threshold

_BIN_BITS = 7  # 2**7 == PERMUTATIONS bins
_LOW_BITS = np.uint64(2 ** (64 - _BIN_BITS) - 1)
_EMPTY = np.uint64(2**64 - 1)
_WORD_MIX = np.uint64(0x9E3779B97F4A7C15)
_KEY_MIX = np.uint64(0xFF51AFD7ED558CCD)
_BAND_SALT = np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0xC4CEB9FE1A85EC53)
# A fixed seed: a signature must mean the same in every process and every release.
_PROBE_ORDER = np.stack(
    [np.random.default_rng(20261128 + b).permutation(PERMUTATIONS) for b in range(PERMUTATIONS)]
)


def shingles(normalised: str) -> np.ndarray:
    """The 64-bit hashes of the 5-word shingles of a text already passed through
    `normalise_text` (case-folded words, single spaces)."""
    ids = np.array(list(map(zlib.crc32, normalised.encode("utf-8").split())), dtype=np.uint64)
    count = max(1, len(ids) - SHINGLE_WORDS + 1)
    hashes = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(min(SHINGLE_WORDS, len(ids))):
            hashes = hashes * _WORD_MIX + ids[k : k + count]
        # The splitmix64 finaliser: every bit of a shingle's hash depends on all its words.
        hashes ^= hashes >> np.uint64(30)
        hashes *= np.uint64(0xBF58476D1CE4E5B9)
        hashes ^= hashes >> np.uint64(27)
        hashes *= np.uint64(0x94D049BB133111EB)
        hashes ^= hashes >> np.uint64(31)
    return hashes


def signature(text: str, *, normalised: str | None = None) -> bytes:
    """The MinHash signature of `text`: `PERMUTATIONS` little-endian uint32 values.

    One-permutation hashing with optimal densification (Shrivastava 2017): each
    shingle's hash picks a bin by its top 7 bits and competes for that bin's
    minimum with its other bits; an empty bin borrows the minimum of the first
    filled bin in its own fixed random order of bins. The collision probability
    of each value is the Jaccard similarity, as with 128 separate hash functions,
    for one hash per shingle instead of 128.
    """
    if normalised is None:
        normalised = normalise_text(text)
    hashes = shingles(normalised)
    bins = (hashes >> np.uint64(64 - _BIN_BITS)).astype(np.intp)
    values = np.full(PERMUTATIONS, _EMPTY, dtype=np.uint64)
    np.minimum.at(values, bins, hashes & _LOW_BITS)
    empty = values == _EMPTY
    if empty.any():
        donors = _PROBE_ORDER[empty]
        first_filled = np.argmax(~empty[donors], axis=1)
        values[empty] = values[donors[np.arange(len(donors)), first_filled]]
    return (values >> np.uint64(64 - _BIN_BITS - 32)).astype("<u4").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """The estimated Jaccard similarity of the texts whose signatures are `a` and `b`."""
    return float(np.count_nonzero(_values(a) == _values(b))) / PERMUTATIONS


def similarities(sig: bytes, others: list[bytes]) -> np.ndarray:
    """`similarity` of `sig` to each of `others`, in one vectorised step."""
    stacked = np.frombuffer(b"".join(others), dtype="<u4").reshape(len(others), PERMUTATIONS)
    return np.count_nonzero(stacked == _values(sig), axis=1) / PERMUTATIONS


def band_keys(sig: bytes) -> list[int]:
    """One signed 64-bit key per band: equal keys mean the band's values are all equal."""
    rows = _values(sig)[: BANDS * ROWS].reshape(BANDS, ROWS).astype(np.uint64)
    with np.errstate(over="ignore"):
        keys = _BAND_SALT.copy()
        for row in range(ROWS):
            keys = (keys ^ rows[:, row]) * _KEY_MIX
            keys ^= keys >> np.uint64(29)
    return keys.view(np.int64).tolist()


def _values(sig: bytes) -> np.ndarray:
    if len(sig) != SIGNATURE_BYTES:
        raise ValueError(f"a signature is {SIGNATURE_BYTES} bytes, not {len(sig)}")
    return np.frombuffer(sig, dtype="<u4")
