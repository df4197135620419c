"""Watchlist matching: which watched names a text mentions, and where.

The watchlist is compiled once into Aho–Corasick automata over *folded* forms (`fold`: case,
diacritics, compatibility forms and whitespace normalised). Matching a text folds it once,
runs the automata, checks the few candidates, and only for a text where a watch fires maps
folded offsets back to the original text.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick

SNIPPET_CHARS = 200


@dataclass(frozen=True)
class WatchTerms:
    """A watch as the matcher sees it; every field uses the form syntax ("Машал*")."""

    name: str
    aliases: tuple[str, ...] = ()
    require: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A bare string would otherwise be taken as a tuple of one-letter forms.
        for field in ("aliases", "require", "exclude"):
            value = getattr(self, field)
            if isinstance(value, str):
                raise TypeError(f"watch {self.name!r}: {field} must be a sequence of forms")
            object.__setattr__(self, field, tuple(value))


@dataclass(frozen=True)
class Hit:
    """The first mention of one watch in a text; start and end index the original text."""

    watch: str
    matched: str
    found: str
    start: int
    end: int
    snippet: str


# --- folding -------------------------------------------------------------------------------


def _chars(*ranges: tuple[int, int]) -> list[str]:
    return [chr(c) for lo, hi in ranges for c in range(lo, hi + 1)]


def _char_class(chars: Iterable[str]) -> str:
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
_STRIP = re.compile(f"[{_char_class(_DIACRITICS + _INVISIBLE)}]")
# So "O’Brien" and "Jean‐Luc" match forms typed with ASCII punctuation; and so that a text in
# English with typographic quotes and dashes takes the all-ASCII fast path of `_fold_chars`.
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


def _fold_chars(text: str) -> str:
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


def _collapse(s: str) -> str:
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
    return _collapse(_fold_chars(text))


# Scripts written without spaces between words: no word boundary is required next to them.
_UNSPACED = _char_class(
    _chars(
        (0x0E00, 0x0EFF),
        (0x1000, 0x109F),
        (0x1100, 0x11FF),
        (0x1780, 0x17FF),
        (0x2E80, 0x2FDF),
        (0x3005, 0x3007),
        (0x3021, 0x3029),
        (0x3038, 0x303C),
        (0x3040, 0x31FF),
        (0x3400, 0x4DBF),
        (0x4E00, 0x9FFF),
        (0xA960, 0xA97F),
        (0xAC00, 0xD7FF),
        (0xF900, 0xFAFF),
        (0xFF66, 0xFFDC),
        (0x20000, 0x323AF),
    )
)
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
def _tables() -> _Tables:
    """Tables scanned from the Unicode database (~0.1 s), built once on first use."""
    marks, ragged, boundary = [], [], []
    for point in range(0x80, 0x10000):
        ch = chr(point)
        category = unicodedata.category(ch)
        if category[0] == "M":
            marks.append(ch)
            continue
        if not ch.isalnum() or _UNSPACED_CHAR.match(ch):
            boundary.append(ch)
        if category in ("Cn", "Co", "Cs"):
            continue
        if unicodedata.decomposition(ch) or ch.casefold() != ch or _STRIP.match(ch):
            if len(_fold_chars(ch)) != 1:
                ragged.append(ch)
    boundary += [c for c in map(chr, range(0x80)) if not (c.isalnum() or c in "_ ")]
    # Conjoining Hangul vowels and finals, the compatibility jamo that NFKD turns into them
    # and the halfwidth kana voicing marks compose with the character before: they belong
    # to its cluster.
    joining = marks + _chars(
        (0x1160, 0x11FF), (0xD7B0, 0xD7FF), (0x3131, 0x318E), (0xFF9E, 0xFF9F), (0xFFA0, 0xFFDC)
    )
    word = f"(?![{_UNSPACED}])[\\w{_char_class(marks)}]"
    joins = _char_class(joining)
    return _Tables(
        word_at=re.compile(word),
        word_run=re.compile(f"(?:{word})*"),
        before_word=re.compile(f"[{_char_class(boundary)}{_ASTRAL}](?={word})"),
        ragged=re.compile(f"[{_char_class(ragged)}{joins}{_ASTRAL}]+"),
        joins=re.compile(f"[{joins}]"),
        cluster=re.compile(f".[{joins}]*", re.S),
    )


_UNSPACED_CHAR = re.compile(f"[{_UNSPACED}]")
_fold_cluster = functools.lru_cache(maxsize=4096)(_fold_chars)


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
        tables = _tables()
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
                piece = _fold_chars(text[a:b])
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


def _offsets(text: str, chars: str, folded: str, need: int) -> tuple[_Offsets, bool]:
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


def _parse_form(watch: str, form: str) -> tuple[str, bool]:
    """(folded form, whether its last word is a prefix); ValueError naming watch and form."""
    if not isinstance(form, str):
        raise ValueError(f"watch {watch!r}: form {form!r} is not a string")
    body = form.strip()
    prefix = body.endswith("*")
    if prefix:
        body = body[:-1]
    if "*" in body:
        raise ValueError(
            f"watch {watch!r}: form {form!r} has a '*' before its end; '*' may "
            "only end a form, to make its last word a prefix"
        )
    key = fold(body)
    if not key:
        raise ValueError(f"watch {watch!r}: form {form!r} is empty")
    if not any(ch.isalnum() for ch in key):
        raise ValueError(f"watch {watch!r}: form {form!r} has no letters or digits")
    if prefix and (body[-1:].isspace() or not _tables().word_at.match(key, len(key) - 1)):
        raise ValueError(
            f"watch {watch!r}: form {form!r}: '*' must directly follow a word "
            "of a script written with spaces, as in 'Машал*'"
        )
    return key, prefix


class _Fired(NamedTuple):
    watch: int
    form: int  # id of the trigger form that matched first
    start: int  # in the folded text
    end: int


class Matcher:
    """A watchlist compiled for matching; `hits` is a pure function of the text."""

    def __init__(self, watches: Iterable[WatchTerms]) -> None:
        tables = _tables()
        self._watches: list[WatchTerms] = list(watches)
        self._word_at = tables.word_at.match
        self._word_run = tables.word_run.match
        self._before_word = tables.before_word.sub
        form_ids: dict[tuple[str, bool], int] = {}
        # For each form id that makes watches fire: (watch index, the form as written).
        self._triggers: dict[int, list[tuple[int, str]]] = {}
        self._require: list[tuple[int, ...]] = []
        self._exclude: list[tuple[int, ...]] = []

        def form_id(watch: WatchTerms, form: str) -> int:
            return form_ids.setdefault(_parse_form(watch.name, form), len(form_ids))

        for index, watch in enumerate(self._watches):
            seen: set[int] = set()
            for form in (watch.name, *watch.aliases):
                fid = form_id(watch, form)
                if fid not in seen:  # "Meshal" and "MESHAL": the first one written is reported
                    seen.add(fid)
                    self._triggers.setdefault(fid, []).append((index, form))
            self._require.append(tuple({form_id(watch, f) for f in watch.require}))
            self._exclude.append(tuple({form_id(watch, f) for f in watch.exclude}))

        by_key: dict[str, list[int]] = {}
        for (key, prefix), fid in form_ids.items():
            by_key.setdefault(key, [-1, -1])[prefix] = fid
        # Forms starting with a letter of a spaced script must start a word. Their automaton
        # holds " " + form and runs on " " + the text with every boundary character before a
        # word made a space. pyahocorasick finds a child by a linear scan of its node: this
        # way the root has one child, and the long scan over first letters is made once per
        # word instead of once per character (2.5 times faster at 10,000 watches).
        # Other forms (CJK, or starting with punctuation) go in a second automaton, run only
        # on texts containing one of their first characters.
        self._spaced = ahocorasick.Automaton()
        self._anywhere = ahocorasick.Automaton()
        anywhere_starts = set()
        # "Jean-Luc" and "Jean Luc" share a skeleton: one automaton entry, two forms.
        skeletons: dict[str, list[tuple[str, bool, int, int]]] = {}
        for key, (exact, prefix) in by_key.items():
            right = _UNSPACED_CHAR.match(key[-1]) is None
            if self._word_at(key, 0):
                # A last character that is not a letter ("U.S.") is left to the check against
                # the text: in the text's skeleton it may have become a space ("U.S.A").
                size = len(key) if self._word_at(key, len(key) - 1) else len(key) - 1
                skeleton = " " + self._before_word(" ", key)[:size]
                skeletons.setdefault(skeleton, []).append((key, right, exact, prefix))
            else:
                left = _UNSPACED_CHAR.match(key[0]) is None  # "#metoo", not "王建国"
                self._anywhere.add_word(key, (key, left, right, exact, prefix))
                anywhere_starts.add(key[0])
        for skeleton, entries in skeletons.items():
            self._spaced.add_word(skeleton, (len(skeleton) - 1, tuple(entries)))
        self._has_spaced = bool(skeletons)
        if self._has_spaced:
            self._spaced.make_automaton()
        self._anywhere_start: Callable[[str], object] | None = None
        if anywhere_starts:
            self._anywhere.make_automaton()
            if len(anywhere_starts) <= 16:  # a few `in` tests run at memchr speed, a regex doesn't
                starts = tuple(anywhere_starts)
                self._anywhere_start = lambda s: any(c in s for c in starts)
            else:
                self._anywhere_start = re.compile(f"[{_char_class(anywhere_starts)}]").search

    def __len__(self) -> int:
        return len(self._watches)

    def hits(self, text: str) -> list[Hit]:
        """The first mention of each watch that fires on `text`, in order of position."""
        chars = _fold_chars(text)
        folded = _collapse(chars)
        fired = self._fire(self._scan(folded))
        if not fired:
            return []
        offsets, agrees = _offsets(text, chars, folded, max(f.end for f in fired))
        if not agrees:
            # An exotic sequence folded differently piece by piece than as a whole: decide
            # on the mapped fold, so that every offset reported is right.
            fired = self._fire(self._scan(offsets.folded))
        result = []
        for f in sorted(fired, key=lambda f: (f.start, f.watch)):
            start, end = offsets.start(f.start), offsets.end(f.end - 1)
            written = next(form for w, form in self._triggers[f.form] if w == f.watch)
            result.append(
                Hit(
                    watch=self._watches[f.watch].name,
                    matched=written,
                    found=text[start:end],
                    start=start,
                    end=end,
                    snippet=snippet(text, start, end),
                )
            )
        return result

    def _scan(self, folded: str) -> dict[int, tuple[int, int]]:
        """First (start, end) in `folded` of every form id that matches as a whole word."""
        first: dict[int, tuple[int, int]] = {}
        # Candidates come in order of their end; all those of one key have its length, so
        # the first candidate of a form id that passes is its first occurrence.
        if self._has_spaced:
            skeleton = " " + self._before_word(" ", folded)
            for end, (size, entries) in self._spaced.iter(skeleton):
                start = end - size  # skeleton[i + 1] is folded[i]
                for key, right, exact, prefix in entries:
                    stop = start + len(key)
                    if folded[start:stop] == key:  # "jean-luc" is not the form "jean luc"
                        self._record(first, folded, start, stop, right, exact, prefix)
        if self._anywhere_start and self._anywhere_start(folded):
            for end, (key, left, right, exact, prefix) in self._anywhere.iter(folded):
                start = end - len(key) + 1
                if not (left and start and self._word_at(folded, start - 1)):
                    self._record(first, folded, start, end + 1, right, exact, prefix)
        return first

    def _record(
        self,
        first: dict[int, tuple[int, int]],
        folded: str,
        start: int,
        stop: int,
        right: bool,
        exact: int,
        prefix: int,
    ) -> None:
        if prefix >= 0 and prefix not in first:
            first[prefix] = (start, self._word_run(folded, stop).end())
        if exact >= 0 and exact not in first and not (right and self._word_at(folded, stop)):
            first[exact] = (start, stop)

    def _fire(self, first: dict[int, tuple[int, int]]) -> list[_Fired]:
        best: dict[int, _Fired] = {}
        for fid, (start, end) in first.items():
            for watch, _ in self._triggers.get(fid, ()):
                known = best.get(watch)
                if known is None or (start, -end) < (known.start, -known.end):
                    best[watch] = _Fired(watch, fid, start, end)
        return [
            f
            for f in best.values()
            if all(r in first for r in self._require[f.watch])
            and not any(x in first for x in self._exclude[f.watch])
        ]


# --- snippets ------------------------------------------------------------------------------


def snippet(text: str, start: int, end: int, size: int = SNIPPET_CHARS) -> str:
    """About `size` characters of `text` around [start, end), whitespace collapsed, cut at
    word boundaries, with "…" where cut."""
    match = " ".join(text[start:end].split())
    room = max(0, size - len(match))
    reach = size + 100  # raw text enough for `size` characters, blank lines and all
    before = " ".join(text[max(0, start - reach) : start].split())
    after = " ".join(text[end : end + reach].split())
    # The spaces touching the match are layout, not part of a cut.
    if before and text[start - 1].isspace():
        before += " "
    if after and text[end].isspace():
        after = " " + after
    left = min(len(before), max(room // 2, room - len(after)))
    right = min(len(after), room - left)
    head, tail = before[len(before) - left :], after[:right]
    cut_head = left < len(before) or start > reach
    cut_tail = right < len(after) or end + reach < len(text)
    if left < len(before) and not before[len(before) - left - 1].isspace():
        head = _after_first_space(head)
    if right < len(after) and not after[right].isspace():
        tail = _before_last_space(tail)
    head, tail = head.lstrip(), tail.rstrip()
    return ("…" if cut_head else "") + head + match + tail + ("…" if cut_tail else "")


def _after_first_space(s: str) -> str:
    # Text in a script written without spaces has no word boundary to cut at: cut anywhere.
    i = s.find(" ")
    return s[i + 1 :] if 0 <= i < len(s) // 2 else s


def _before_last_space(s: str) -> str:
    i = s.rfind(" ")
    return s[:i] if i >= len(s) // 2 else s
