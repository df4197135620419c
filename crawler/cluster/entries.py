"""What a worker sends the daemon: one stream entry per page outcome, and one when the
crawl ends. Pure functions: an item in, a stream entry's fields out, and back.

An entry is `{"v": VERSION, "kind": …, "run": run id, "data": JSON}`. Bytes (page bodies,
signatures) travel as base64. The daemon decodes entries from Redis, which anyone who can
reach it may write: `decode` checks every field it returns and raises `BadEntry` on
anything else, never more.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, fields
from typing import Any

import orjson

from crawler.items import ArticlePage, FailedPage, ListingPage
from pipelines.extract import Article, Skipped
from pipelines.extract_pipeline import ExtractionFailed, NotAnArticle

VERSION = 1
# The daemon's consumer group: the one writer reads every entry once, acknowledging it
# after its commit.
GROUP = "newswatch-writer"
# A page body is bounded by [crawl] max_page_size; an entry larger than this is refused.
MAX_ENTRY_BYTES = 64 * 1024 * 1024
_PAGES = {"article": ArticlePage, "listing": ListingPage, "failed": FailedPage}
_BYTES = {"body", "minhash"}


def stream_key(queue: str) -> str:
    """The stream the workers of `queue` ([cluster] queue) send their outcomes to."""
    return f"newswatch:{queue}:pages"


class BadEntry(ValueError):
    """A stream entry that is not one a worker of this version wrote."""


@dataclass(frozen=True)
class Entry:
    kind: str  # "page", "dropped" or "end"
    run_id: int
    item: ArticlePage | ListingPage | FailedPage | None = None
    dropped: Exception | None = None  # NotAnArticle or ExtractionFailed ("dropped")
    reason: str = ""  # why the crawl closed ("end")
    stats: dict[str, Any] | None = None  # the crawl's Scrapy stats ("end")
    worker: str = ""  # who crawled ("end")


def page_entry(
    item: ArticlePage | ListingPage | FailedPage, run_id: int, *, body: bool = True
) -> dict[str, bytes]:
    """`body`: send an article page's body (the daemon keeps it only with [storage]
    archive_html); a listing's body always goes (the feed saved for conditional GET)."""
    return _fields("page", run_id, _item_data(item, body))


def dropped_entry(
    item: ArticlePage, exception: Exception, run_id: int, *, body: bool = True
) -> dict[str, bytes]:
    if isinstance(exception, NotAnArticle):
        why = {"kind": "not_an_article", "reason": exception.reason, "detail": exception.detail}
    else:
        why = {"kind": "extraction_failed", "message": str(exception)}
    return _fields("dropped", run_id, {**_item_data(item, body), "why": why})


def end_entry(run_id: int, reason: str, stats: dict[str, Any], worker: str) -> dict[str, bytes]:
    return _fields("end", run_id, {"reason": reason, "stats": stats, "worker": worker})


def _fields(kind: str, run_id: int, data: dict[str, Any]) -> dict[str, bytes]:
    return {
        "v": str(VERSION).encode(),
        "kind": kind.encode(),
        "run": str(run_id).encode(),
        "data": orjson.dumps(data, default=_jsonable),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    return str(value)  # datetimes in Scrapy's stats


def _item_data(item: ArticlePage | ListingPage | FailedPage, body: bool) -> dict[str, Any]:
    type_ = next(name for name, cls in _PAGES.items() if isinstance(item, cls))
    data = {f.name: getattr(item, f.name) for f in fields(item)}
    if isinstance(item, ArticlePage):
        data["nearest"] = None  # found on the worker's snapshot: the daemon looks again
        data["article_id"] = None
        if not body:
            data["body"] = b""
        data["article"] = asdict(item.article) if isinstance(item.article, Article) else None
    return {"type": type_, "item": data}


def decode(entry: dict[bytes, bytes] | dict[str, bytes]) -> Entry:
    """The entry a worker wrote (its fields as Redis gives them back); `BadEntry` for
    anything else."""
    entry = {k.encode() if isinstance(k, str) else k: v for k, v in entry.items()}
    try:
        version = entry[b"v"].decode()
        kind = entry[b"kind"].decode()
        run_id = int(entry[b"run"])
        raw = entry[b"data"]
    except (KeyError, ValueError, UnicodeDecodeError) as exc:
        raise BadEntry(f"not a newswatch entry ({exc.__class__.__name__}: {exc})") from None
    if version != str(VERSION):
        raise BadEntry(f"entry version {version[:20]!r}, this daemon reads {VERSION}")
    if len(raw) > MAX_ENTRY_BYTES:
        raise BadEntry(f"entry of {len(raw)} bytes, over the {MAX_ENTRY_BYTES} allowed")
    try:
        data = orjson.loads(raw)
        if not isinstance(data, dict):
            raise TypeError("its data is not an object")
        if kind == "end":
            stats = data["stats"]
            if not isinstance(stats, dict):
                raise TypeError("its stats are not an object")
            return Entry(
                "end",
                run_id,
                reason=_text(data["reason"]),
                stats=stats,
                worker=_text(data["worker"]),
            )
        if kind not in ("page", "dropped"):
            raise TypeError(f"unknown kind {kind[:20]!r}")
        item = _item(data)
        dropped = _dropped(data["why"]) if kind == "dropped" else None
        if dropped is not None and not isinstance(item, ArticlePage):
            raise TypeError("a dropped page that is no article page")
        return Entry(kind, run_id, item=item, dropped=dropped)
    except (KeyError, TypeError, ValueError, orjson.JSONDecodeError, base64.binascii.Error) as exc:
        raise BadEntry(f"entry {kind[:20]!r} of run {run_id}: {exc}") from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _item(data: dict[str, Any]) -> ArticlePage | ListingPage | FailedPage:
    cls = _PAGES[_text(data["type"])]
    values = data["item"]
    if not isinstance(values, dict):
        raise TypeError("its item is not an object")
    names = {f.name for f in fields(cls)}
    unknown = set(values) - names
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)[:5]}")
    values = {k: _field(k, v) for k, v in values.items()}
    if cls is ArticlePage:
        values["headers"] = [tuple(pair) for pair in values.get("headers") or []]
        values["boilerplate"] = tuple(values.get("boilerplate") or ())
        if values.get("article") is not None:
            values["article"] = _article(values["article"])
    item = cls(**values)
    for name in ("url", "source", "fetched_at"):
        _text(getattr(item, name))
    return item


def _field(name: str, value: Any) -> Any:
    return base64.b64decode(value, validate=True) if name in _BYTES and value is not None else value


def _article(values: Any) -> Article:
    if not isinstance(values, dict):
        raise TypeError("its article is not an object")
    names = {f.name for f in fields(Article)}
    if set(values) - names:
        raise TypeError(f"unknown article fields {sorted(set(values) - names)[:5]}")
    values = {k: _field(k, v) for k, v in values.items()}
    values["authors"] = tuple(values.get("authors") or ())
    article = Article(**values)
    _text(article.url)
    _text(article.text)
    return article


def _dropped(why: Any) -> Exception:
    if not isinstance(why, dict):
        raise TypeError("its reason is not an object")
    if why.get("kind") == "not_an_article":
        return NotAnArticle(Skipped(_text(why["reason"]), _text(why.get("detail", ""))))
    if why.get("kind") == "extraction_failed":
        return ExtractionFailed(_text(why["message"]))
    raise TypeError("an unknown reason for a dropped page")
