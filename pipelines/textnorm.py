"""Text normalisation for deduplication: equal text whatever its spacing, case, punctuation."""

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


# Chinese and Japanese are written without spaces: count two characters as a word.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def word_count(text: str) -> int:
    unspaced = len(_UNSPACED.findall(text))
    return len(_UNSPACED.sub(" ", text).split()) + (unspaced + 1) // 2
