"""Each source's own boilerplate, learned from its articles: pure functions.

A single-page extractor cannot tell a newsletter pitch written as a plain paragraph
from the article; a crawler that sees hundreds of a source's pages can. A block (a
line of the extracted text) that recurs in most of a source's articles since it first
appeared is that source's boilerplate: a subscription appeal, "Click the alert icon to
follow topics", a standard disclaimer, a copyright line. It is removed from the
source's new articles.

A block seen in only a few articles is never learned (a quote, a recurring name), nor
one that recurs in a small share of the articles since it first appeared (a background
paragraph reused across a series of stories).

The rules are pure functions; `learned_blocks` is the one read the extraction workers
make (`Store.learn_blocks` counts the blocks as articles are stored).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable

from pipelines.textnorm import normalise_text

# A block is learned once this many articles carry it ...
MIN_ARTICLES = 5
# ... and it is in at least this share of the source's articles since it first appeared.
MIN_SHARE = 0.5
# Shorter blocks (normalised) are not worth a row: "Share", "Photo". Longer ones are the
# story's paragraphs: a site's pitches, credits and disclaimers are short.
_MIN_CHARS = 12
_MAX_CHARS = 300


def block_keys(text: str) -> dict[str, str]:
    """{key: block} for the text's blocks: its lines, keyed by a hash of their normalised
    form (the same block whatever its spacing, case and punctuation)."""
    keys: dict[str, str] = {}
    for line in text.split("\n"):
        if len(line) > _MAX_CHARS:
            continue  # a paragraph of the story, not a line of the site's
        normal = normalise_text(line)
        if len(normal) >= _MIN_CHARS:
            keys.setdefault(hashlib.blake2b(normal.encode(), digest_size=8).hexdigest(), line)
    return keys


def without_blocks(text: str, learned: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    """`text` without its learned blocks, and the keys of the blocks removed. A text that
    would be left empty is kept whole: a page is never all boilerplate."""
    learned = set(learned)
    if not learned:
        return text, ()
    kept, removed = [], []
    for line in text.split("\n"):
        normal = normalise_text(line)
        key = hashlib.blake2b(normal.encode(), digest_size=8).hexdigest() if normal else ""
        if key in learned:
            removed.append(key)
        else:
            kept.append(line)
    cleaned = "\n".join(kept).strip()
    if not removed or not cleaned:
        return text, ()
    return cleaned, tuple(dict.fromkeys(removed))


def is_learned(articles: int, since_first_seen: int) -> bool:
    """A block in `articles` of the `since_first_seen` articles the source has had since
    the block first appeared (that one included) is the source's boilerplate."""
    return articles >= MIN_ARTICLES and articles >= MIN_SHARE * since_first_seen


def learned_blocks(conn: sqlite3.Connection, source: str) -> frozenset[str]:
    """The keys of the blocks learned as `source`'s boilerplate."""
    rows = conn.execute(
        "SELECT b.key, b.articles, c.articles - b.since + 1 FROM source_blocks b "
        "JOIN source_counters c ON c.source = b.source WHERE b.source = ? AND b.articles >= ?",
        [source, MIN_ARTICLES],
    ).fetchall()
    return frozenset(key for key, carried, since in rows if is_learned(carried, since))
