"""Text normalisation: equal text whatever its spacing, case, punctuation (deduplication);
words in any script; text safe to show on a terminal."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_text(text: str) -> str:
    """Case-folded words separated by single spaces: punctuation and layout ignored."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def text_hash(text: str, *, normalised: str | None = None) -> str:
    """A fingerprint of the text, equal for copies differing only in spacing, case, punctuation."""
    if normalised is None:
        normalised = normalise_text(text)
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


class Script(NamedTuple):
    name: str
    ranges: tuple[tuple[int, int], ...]  # first and last code points, inclusive
    chars_per_word: int | None  # None: written with spaces between words


# The one table of scripts written without spaces between words, for `word_count` (words
# estimated from characters), the boilerplate weights (pipelines/cleanup.py) and the matcher
# (pipelines/alerts/folding.py: no word boundary is required next to them). A word of Chinese or
# Japanese is about two characters; Thai, Lao, Khmer and Burmese write vowels and tone marks
# as characters of their own: about four. Korean is written with spaces, so its words are
# counted as spaced words, but its particles join the word before ("서울에서"): the matcher
# requires no boundary next to Hangul either.
UNSPACED_SCRIPTS = (
    Script(
        "Han, kana, bopomofo",
        (
            (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
            (0x3005, 0x3007),  # 々 〆 〇
            (0x3021, 0x3029),  # Hangzhou numerals
            (0x3038, 0x303C),
            (0x3040, 0x312F),  # hiragana, katakana, bopomofo
            (0x3190, 0x31FF),  # kanbun, bopomofo extended, CJK strokes, katakana extensions
            (0x3400, 0x4DBF),
            (0x4E00, 0x9FFF),
            (0xF900, 0xFAFF),
            (0xFF66, 0xFF9F),  # halfwidth katakana
            (0x20000, 0x323AF),
        ),
        2,
    ),
    Script("Thai, Lao", ((0x0E00, 0x0EFF),), 4),
    Script("Burmese", ((0x1000, 0x109F),), 4),
    Script("Khmer", ((0x1780, 0x17FF),), 4),
    Script(
        "Hangul",
        (
            (0x1100, 0x11FF),
            (0x3130, 0x318F),  # compatibility jamo
            (0xA960, 0xA97F),
            (0xAC00, 0xD7FF),  # syllables, jamo extended-B
            (0xFFA0, 0xFFDC),  # halfwidth jamo
        ),
        None,
    ),
)


def script_class(scripts: Iterable[Script]) -> str:
    """The body of a regex character class matching the characters of `scripts`, adjacent
    ranges joined (re tests the ranges of a class that reaches past U+FFFF one by one)."""
    merged: list[list[int]] = []
    for lo, hi in sorted(r for s in scripts for r in s.ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in merged)


# Characters of the scripts written unspaced, and of those whose words are counted by a figure.
UNSPACED = re.compile(f"[{script_class(s for s in UNSPACED_SCRIPTS if s.chars_per_word)}]")
_PER_WORD = tuple(
    (re.compile(f"[{script_class(s for s in UNSPACED_SCRIPTS if s.chars_per_word == n)}]+"), n)
    for n in sorted({s.chars_per_word for s in UNSPACED_SCRIPTS if s.chars_per_word})
)


def word_count(text: str) -> int:
    """Words in `text`, in any script: spaced words, plus the words of unspaced scripts
    estimated from their characters (`UNSPACED_SCRIPTS`: two a word of Chinese or Japanese,
    four of Thai, Lao, Khmer or Burmese, rounded up)."""
    if not UNSPACED.search(text):
        return len(text.split())
    words = 0
    for chars, per_word in _PER_WORD:
        runs = chars.findall(text)
        if runs:
            words += (sum(map(len, runs)) + per_word - 1) // per_word
            text = chars.sub(" ", text)
    return words + len(text.split())


# Terminal escape sequences (CSI "ESC [ ... m", OSC "ESC ] ... BEL", two-byte ESC x), then
# any other C0 or C1 control character but tab and newline.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


_CONTROLS = "".join(map(chr, (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))))


def printable(text: str) -> str:
    """`text` safe to write to a terminal: no escape sequences, no control characters.

    What a crawled page says (titles, text, URLs, error messages) may carry ANSI
    sequences that recolour, retitle or clear the user's terminal.
    """
    # Most texts hold none. A short one (a log line's value) is usually all printable, as
    # Python means it (no control character, no space but " "): one C scan. Otherwise
    # looking for each control character is cheap (a C scan each), the full pattern
    # tried at every position of a 100 KB page is not.
    if text.isprintable():
        return text
    return _ESCAPES.sub("", text) if any(c in text for c in _CONTROLS) else text
