"""Watchlist matching: which watched names a text mentions, and where.

The watchlist is compiled once into Aho–Corasick automata over *folded* forms (`fold`: case,
diacritics, compatibility forms and whitespace normalised). Matching a text folds it once,
runs the automata, checks the few candidates, and only for a text where a watch fires maps
folded offsets back to the original text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import ahocorasick

from pipelines.alerts.folding import (
    UNSPACED_CHAR,
    char_class,
    collapse_spaces,
    fold,
    fold_chars,
    fold_offsets,
    fold_tables,
    is_word_char,
)

SNIPPET_CHARS = 200


class Terms(Protocol):
    """What the matcher reads of a watch: a configured `config.Watch` or a `WatchTerms`."""

    name: str
    aliases: tuple[str, ...]
    require: tuple[str, ...]
    exclude: tuple[str, ...]


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
    if prefix and (body[-1:].isspace() or not is_word_char(key[-1])):
        raise ValueError(
            f"watch {watch!r}: form {form!r}: '*' must directly follow a word "
            "of a script written with spaces, as in 'Машал*'"
        )
    return key, prefix


def check_forms(watches: Iterable[Terms]) -> None:
    """Raise the ValueError `Matcher` would for a form it cannot compile, without
    compiling (a configuration is checked by every command; few of them match)."""
    for watch in watches:
        for form in (watch.name, *watch.aliases, *watch.require, *watch.exclude):
            _parse_form(watch.name, form)


class _Fired(NamedTuple):
    watch: int
    form: int  # id of the trigger form that matched first
    start: int  # in the folded text
    end: int


class Matcher:
    """A watchlist compiled for matching; `hits` is a pure function of the text."""

    def __init__(self, watches: Iterable[Terms]) -> None:
        tables = fold_tables()
        self._watches: list[Terms] = list(watches)
        self._word_at = tables.word_at.match
        self._word_run = tables.word_run.match
        self._before_word = tables.before_word.sub
        form_ids: dict[tuple[str, bool], int] = {}
        # For each form id that makes watches fire: (watch index, the form as written).
        self._triggers: dict[int, list[tuple[int, str]]] = {}
        self._require: list[tuple[int, ...]] = []
        self._exclude: list[tuple[int, ...]] = []

        def form_id(watch: Terms, form: str) -> int:
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
            right = UNSPACED_CHAR.match(key[-1]) is None
            if self._word_at(key, 0):
                # A last character that is not a letter ("U.S.") is left to the check against
                # the text: in the text's skeleton it may have become a space ("U.S.A").
                size = len(key) if self._word_at(key, len(key) - 1) else len(key) - 1
                skeleton = " " + self._before_word(" ", key)[:size]
                skeletons.setdefault(skeleton, []).append((key, right, exact, prefix))
            else:
                left = UNSPACED_CHAR.match(key[0]) is None  # "#metoo", not "王建国"
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
                self._anywhere_start = re.compile(f"[{char_class(anywhere_starts)}]").search

    def __len__(self) -> int:
        return len(self._watches)

    def hits(self, text: str) -> list[Hit]:
        """The first mention of each watch that fires on `text`, in order of position."""
        chars = fold_chars(text)
        folded = collapse_spaces(chars)
        fired = self._fire(self._scan(folded))
        if not fired:
            return []
        offsets, agrees = fold_offsets(text, chars, folded, max(f.end for f in fired))
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
