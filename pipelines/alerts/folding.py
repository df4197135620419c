"""Text folding for the watchlist matcher: one normalisation for forms and texts.

Case folding, compatibility forms, the diacritics of alphabetic scripts, invisible
characters and whitespace runs are normalised, so "Méshal", "MESHAL" and "Meshal"
fold alike; `fold_offsets` maps folded positions back to the original text.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

from pipelines.textnorm import UNSPACED_SCRIPTS, script_class


def _chars(*ranges: tuple[int, int]) -> list[str]:
    return [chr(c) for lo, hi in ranges for c in range(lo, hi + 1)]


def char_class(chars: Iterable[str]) -> str:
    """The body of a regex character class matching `chars`, as ranges."""
    points = sorted({ord(c) for c in chars})
    parts, i = [], 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        lo, hi = re.escape(chr(points[i])), re.escape(chr(points[j]))
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "".join(parts)


# Diacritics of the alphabets (Latin, Greek, Cyrillic, Arabic harakat, Hebrew niqqud, Syriac)
# are dropped. Marks of abugidas (Devanagari, Thai...) and the kana voicing marks are kept:
# there they are vowels or distinct letters, not decoration.
_DIACRITICS = [
    c
    for c in _chars(
        (0x0300, 0x036F),
        (0x0483, 0x0489),
        (0x0591, 0x05C7),
        (0x0610, 0x061A),
        (0x064B, 0x065F),
        (0x0670, 0x0670),
        (0x06D6, 0x06ED),
        (0x0711, 0x0711),
        (0x0730, 0x074A),
        (0x0898, 0x089F),
        (0x08CA, 0x08FF),
        (0x1AB0, 0x1AFF),
        (0x1DC0, 0x1DFF),
        (0x20D0, 0x20FF),
        (0xFB1E, 0xFB1E),
        (0xFE20, 0xFE2F),
    )
    if unicodedata.category(c) in ("Mn", "Me")
]
# Invisible characters that split words only on screen: soft hyphen, zero-width (non-)joiners
# and spaces, bidi controls (frequent in Arabic and Hebrew pages), BOM; and the Arabic tatweel.
_INVISIBLE = _chars(
    (0x00AD, 0x00AD),
    (0x0640, 0x0640),
    (0x061C, 0x061C),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x2069),
    (0xFEFF, 0xFEFF),
)
_STRIP = re.compile(f"[{char_class(_DIACRITICS + _INVISIBLE)}]")
# So "O’Brien" and "Jean‐Luc" match forms typed with ASCII punctuation; and so that a text in
# English with typographic quotes and dashes takes the all-ASCII fast path of `fold_chars`.
_PUNCT = (
    ("\u2019", "'"),
    ("\u2018", "'"),
    ("\u02bc", "'"),
    ("\u201c", '"'),
    ("\u201d", '"'),
    ("\u2010", "-"),
    ("\u2011", "-"),
    ("\u2013", "-"),
    ("\u2014", "-"),
    ("\u2026", "..."),
)
# What str.split() splits on, less the space itself and what NFKD already made a space.
_SPACES_ASCII = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
_SPACES = _SPACES_ASCII + "\x85\u1680\u2028\u2029"


def _punct(s: str) -> str:
    if not s.isascii():
        for old, new in _PUNCT:
            if old in s:
                s = s.replace(old, new)
    return s


def fold_chars(text: str) -> str:
    """`fold` without the whitespace collapse."""
    s = _punct(text.casefold())
    if s.isascii():
        return s
    s = unicodedata.normalize("NFKD", s)
    if "\u0306" in s:
        # The breve goes (ă, ğ, ў) except on и: "й" is a letter of its own in Russian names.
        s = s.replace("и\u0306", "й")
    s = _punct(_STRIP.sub("", s))  # again: NFKD makes dashes of some compatibility forms
    # Recomposes what NFKD split and we kept (Hangul syllables, voiced kana, Indic letters),
    # so that a form never matches half a syllable.
    return unicodedata.normalize("NFC", s)


def collapse_spaces(s: str) -> str:
    """`" ".join(s.split())`, faster: str.replace runs at memory speed, split makes objects."""
    for space in _SPACES_ASCII if s.isascii() else _SPACES:
        if space in s:
            s = s.replace(space, " ")
    while "  " in s:
        s = s.replace("  ", " ")
    return s.strip(" ")


def fold(text: str) -> str:
    """The normalisation used for matching, of forms and texts alike: casefolded, NFKD,
    diacritics and invisible characters dropped, typographic apostrophes, quotes and dashes
    made ASCII, whitespace runs made one space, ends stripped."""
    return collapse_spaces(fold_chars(text))


# No word boundary is required next to a script written without spaces between words (and
# Hangul, whose particles join the word before): the table is textnorm's.
_UNSPACED = script_class(UNSPACED_SCRIPTS)
# re tests a character class that reaches past U+FFFF range by range, hundreds of times slower
# than a BMP-only one: the tables below are BMP-only, plus all astral characters as one range.
_ASTRAL = "\U00010000-\U0010ffff"


class _Tables(NamedTuple):
    word_at: re.Pattern[str]  # .match(s, i): s[i] continues a word of a spaced script
    word_run: re.Pattern[str]  # .match(s, i).end(): where the word going on at i ends
    before_word: re.Pattern[str]  # a word boundary character just before such a word
    ragged: re.Pattern[str]  # runs of the original text that may not fold 1:1
    joins: re.Pattern[str]  # .match(s, i): s[i] folds together with s[i - 1]
    cluster: re.Pattern[str]  # a base character and what folds together with it


@functools.cache
def fold_tables() -> _Tables:
    """Tables scanned from the Unicode database (~0.1 s), built once on first use."""
    marks, ragged, boundary = [], [], []
    for point in range(0x80, 0x10000):
        ch = chr(point)
        category = unicodedata.category(ch)
        if category[0] == "M":
            marks.append(ch)
            continue
        if not ch.isalnum() or UNSPACED_CHAR.match(ch):
            boundary.append(ch)
        if category in ("Cn", "Co", "Cs"):
            continue
        if unicodedata.decomposition(ch) or ch.casefold() != ch or _STRIP.match(ch):
            if len(fold_chars(ch)) != 1:
                ragged.append(ch)
    boundary += [c for c in map(chr, range(0x80)) if not (c.isalnum() or c in "_ ")]
    # Conjoining Hangul vowels and finals, the compatibility jamo that NFKD turns into them
    # and the halfwidth kana voicing marks compose with the character before: they belong
    # to its cluster.
    joining = marks + _chars(
        (0x1160, 0x11FF), (0xD7B0, 0xD7FF), (0x3131, 0x318E), (0xFF9E, 0xFF9F), (0xFFA0, 0xFFDC)
    )
    word = f"(?![{_UNSPACED}])[\\w{char_class(marks)}]"
    joins = char_class(joining)
    return _Tables(
        word_at=re.compile(word),
        word_run=re.compile(f"(?:{word})*"),
        before_word=re.compile(f"[{char_class(boundary)}{_ASTRAL}](?={word})"),
        ragged=re.compile(f"[{char_class(ragged)}{joins}{_ASTRAL}]+"),
        joins=re.compile(f"[{joins}]"),
        cluster=re.compile(f".[{joins}]*", re.S),
    )


UNSPACED_CHAR = re.compile(f"[{_UNSPACED}]")


def is_word_char(ch: str) -> bool:
    """Whether `ch` continues a word of a script written with spaces: what
    `fold_tables().word_at` matches, for one character, without building the tables."""
    if UNSPACED_CHAR.match(ch):
        return False
    if ch.isalnum() or ch == "_":
        return True
    return "\x80" <= ch < "\U00010000" and unicodedata.category(ch)[0] == "M"


_fold_cluster = functools.lru_cache(maxsize=4096)(fold_chars)


def _space_runs(s: str, first: int, last: int) -> list[tuple[int, int]]:
    """The whitespace runs in folded characters s[first:last] that `fold` collapses.

    Found with str.find: a regex over the whole text costs more than the rest of the map.
    """
    found = []
    for needle in (*_SPACES, "  "):
        i = s.find(needle, first, last)
        while i >= 0:
            found.append(i)
            i = s.find(needle, i + 1, last)
    runs: list[tuple[int, int]] = []
    done = first
    for i in sorted(found):
        if i < done:
            continue
        start, end = i, i + 1
        while start > done and s[start - 1] == " ":  # " \n": the run starts at the space
            start -= 1
        while end < last and s[end].isspace():
            end += 1
        runs.append((start, end))
        done = end
    return runs


class _Misaligned(Exception):
    """The text's fold is not where the piecewise map expects it (exotic sequences)."""


class _Offsets:
    """`fold(text)` (normally), and where each of its characters came from in `text`.

    Built only for texts where a watch fires. Most characters fold to exactly one character
    (é to e, ё to е): runs of them are taken in bulk; only ragged runs (ß, ligatures, marks)
    are folded cluster by cluster. The map is piecewise, one piece per run. Given `chars`,
    the text's fold before the whitespace collapse, bulk runs are sliced from it instead of
    folded again, and each ragged cluster is checked against it (_Misaligned if not there).
    """

    def __init__(self, text: str, chars: str | None = None) -> None:
        tables = fold_tables()
        pieces: list[str] = []
        # Per piece: start in the uncollapsed fold, start and end in `text`, 1:1 or not.
        self._fold_at: list[int] = []
        self._lo: list[int] = []
        self._hi: list[int] = []
        self._one_to_one: list[bool] = []
        self.size = 0  # of the uncollapsed fold

        def add(piece: str, lo: int, hi: int, one_to_one: bool) -> None:
            if piece:
                self._fold_at.append(self.size)
                pieces.append(piece)
                self._lo.append(lo)
                self._hi.append(hi)
                self._one_to_one.append(one_to_one)
                self.size += len(piece)

        def clusters(a: int, b: int) -> None:
            for m in tables.cluster.finditer(text, a, b):
                piece = _fold_cluster(m.group())
                if chars is not None and not chars.startswith(piece, self.size):
                    raise _Misaligned
                add(piece, m.start(), m.end(), False)

        def bulk(a: int, b: int) -> None:
            if chars is None:
                piece = fold_chars(text[a:b])
            else:
                piece = chars[self.size : self.size + b - a]
            if len(piece) == b - a:
                add(piece, a, b, True)
            elif chars is None:  # not expected: the ragged table lists what is not 1:1
                clusters(a, b)
            else:
                raise _Misaligned

        pos = 0
        for m in tables.ragged.finditer(text):
            start = m.start()
            if start > pos and tables.joins.match(text, start):
                start -= 1  # a mark folds together with its base ("и" + breve is "й")
            if start > pos:
                bulk(pos, start)
            clusters(start, m.end())
            pos = m.end()
        if pos < len(text):
            bulk(pos, len(text))
        uncollapsed = "".join(pieces)

        # Collapse and strip whitespace as `fold` does, keeping breakpoints: from folded
        # index self._folded_at[k] on, folded index i is index self._chars_at[k] + ... of
        # the uncollapsed fold.
        first = len(uncollapsed) - len(uncollapsed.lstrip())
        last = len(uncollapsed.rstrip())
        parts: list[str] = []
        self._folded_at, self._chars_at = [0], [first]
        pos = first
        for start, end in _space_runs(uncollapsed, first, last):
            parts += (uncollapsed[pos:start], " ")
            self._folded_at.append(self._folded_at[-1] + start - pos + 1)
            self._chars_at.append(end)
            pos = end
        parts.append(uncollapsed[pos:last])
        self.folded = "".join(parts)

    def _piece(self, i: int) -> tuple[int, int]:
        k = bisect.bisect_right(self._folded_at, i) - 1
        j = self._chars_at[k] + i - self._folded_at[k]
        return bisect.bisect_right(self._fold_at, j) - 1, j

    def start(self, i: int) -> int:
        """Where folded character i starts in the text."""
        p, j = self._piece(i)
        return self._lo[p] + j - self._fold_at[p] if self._one_to_one[p] else self._lo[p]

    def end(self, i: int) -> int:
        """Where folded character i ends in the text."""
        p, j = self._piece(i)
        return self._lo[p] + j - self._fold_at[p] + 1 if self._one_to_one[p] else self._hi[p]


def fold_offsets(text: str, chars: str, folded: str, need: int) -> tuple[_Offsets, bool]:
    """Offsets for at least folded[:need], and whether they agree with `folded` (they do,
    but for exotic sequences). `chars` is `folded` before the whitespace collapse.

    Maps only as much of the text as that takes, reusing `chars`: the map is the costly
    part of a hit, and names tend to come early (title, lede)."""
    guess = int(need * 1.1 * len(text) / max(1, len(folded))) + 200
    cut = text.find(" ", guess)  # a prefix cut at a space folds to a prefix of the fold
    if cut < 0:
        cut = len(text)
    try:
        offsets = _Offsets(text[:cut], chars)
        # The space at the cut must come next in `chars`, or everything must have been used.
        aligned = (
            chars.startswith(" ", offsets.size) if cut < len(text) else (offsets.size == len(chars))
        )
        if aligned and len(offsets.folded) >= need and folded.startswith(offsets.folded):
            return offsets, True
    except _Misaligned:
        pass
    offsets = _Offsets(text)
    return offsets, offsets.folded == folded


# --- forms ---------------------------------------------------------------------------------
