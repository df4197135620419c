"""Text normalisation: equal text whatever its spacing, case, punctuation (deduplication);
words in any script; text safe to show on a terminal."""

from __future__ import annotations

import hashlib
import re
import unicodedata

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


# Scripts written without spaces between words. Chinese and Japanese: two characters
# make a word; Thai, Lao, Khmer and Burmese (whose vowels and tone marks are characters
# of their own): four.
_HAN_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SOUTHEAST_ASIAN = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")
UNSPACED = re.compile(_HAN_KANA.pattern[:-1] + _SOUTHEAST_ASIAN.pattern[1:])


def word_count(text: str) -> int:
    """Words in `text`, in any script: spaced words, plus the words of unspaced scripts
    estimated from their characters."""
    if not UNSPACED.search(text):
        return len(text.split())
    han = len(_HAN_KANA.findall(text))
    southeast = len(_SOUTHEAST_ASIAN.findall(text))
    spaced = _SOUTHEAST_ASIAN.sub(" ", _HAN_KANA.sub(" ", text)).split()
    return len(spaced) + (han + 1) // 2 + (southeast + 3) // 4


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
    # Most texts hold none: looking for each control character is cheap (a C scan each),
    # the full pattern tried at every position of a 100 KB page is not.
    return _ESCAPES.sub("", text) if any(c in text for c in _CONTROLS) else text
