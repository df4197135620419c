"""What runs inside the extraction worker processes: no Scrapy here, so workers start fast.

A worker imports this module (and through it trafilatura), never the crawl's
modules: `ExtractPipeline` submits `examine` by reference.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time

from pipelines.boilerplate import learned_blocks, without_blocks
from pipelines.extract import Article, Skipped, examine_page, with_text
from pipelines.neardup import DEFAULT_THRESHOLD
from pipelines.storage.clusters import Nearest, nearest_committed


def init_worker(parent: int) -> None:
    # Workers leave SIGINT/SIGTERM to the parent: a process-group signal (Ctrl-C,
    # systemd stop) would otherwise kill them mid-task and lose the items in flight.
    # (The parent starts them with both blocked, so one still importing is spared too.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # A parent killed with SIGKILL never tells its workers: they would wait for work
    # for ever. Each one leaves when its parent is gone. `parent` comes from the parent
    # itself: one that died while this worker was still starting has already made init
    # its parent, and os.getppid() here would watch init for ever (seen: a worker alive
    # 23 minutes after its crawl was killed).
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def warm_up() -> None:
    """Nothing: submitting it starts a worker, which loads the extraction modules."""


def examine(
    body: bytes,
    url: str,
    content_type: str | None,
    min_words: int,
    db_path: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    presented_by: str | None = None,
    source: str | None = None,
) -> tuple[Article | Skipped, Nearest | None, tuple[str, ...]]:
    """The page's article (or why it is none), its nearest story given the database, and
    the keys of the source's boilerplate blocks taken out of its text.

    Looking the story up here, on a read-only snapshot, keeps the crawl process (the
    bottleneck) to checking only the articles stored since that snapshot.
    """
    try:
        result = examine_page(
            body, url, content_type=content_type, min_words=min_words, presented_by=presented_by
        )
    except Exception as exc:  # noqa: BLE001 - a hostile page must not take the crawl down
        return Skipped("extraction_error", f"{type(exc).__name__}: {exc}"), None, ()
    if isinstance(result, Skipped) or not db_path:
        return result, None, ()
    removed: tuple[str, ...] = ()
    if source:
        text, removed = without_blocks(result.text, _boilerplate(db_path, source))
        if removed:
            result = with_text(result, text)
    return result, nearest_committed(db_path, result.minhash, threshold), removed


# Learned boilerplate per (database, source), read again after this many seconds: what a
# crawl learns reaches the workers while it runs.
_LEARNED_TTL = 5.0
_learned: dict[tuple[str, str], tuple[float, frozenset[str]]] = {}


def _boilerplate(db_path: str, source: str) -> frozenset[str]:
    cached = _learned.get((db_path, source))
    if cached is not None and time.monotonic() - cached[0] < _LEARNED_TTL:
        return cached[1]
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            keys = learned_blocks(conn, source)
        finally:
            conn.close()
    except sqlite3.Error:
        keys = cached[1] if cached else frozenset()
    _learned[(db_path, source)] = (time.monotonic(), keys)
    return keys
