"""Notifications through apprise: checking a notify URL, masking its secrets, sending.

The one place newswatch calls apprise. apprise logs as it works ("Unsupported URL …",
"Sent JSON POST notification", "Failed to send … notification: …") through the
standard-library logger `apprise`; those records are captured around each call, never
printed on their own, and what they say is folded into our messages and events: the
reason a URL is refused, the reason a delivery failed.
"""

from __future__ import annotations

import ast
import difflib
import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from pipelines.textnorm import printable

# A notifier is called with (URLs, title, body, key) and answers, for each URL, None when
# sent or the reason it failed. `key` names the message for receivers that drop repeats.
Notifier = Callable[[Sequence[str], str, str, str], dict[str, str | None]]
# The header (on webhooks and e-mail) and JSON field that carry a message's key.
KEY_HEADER = "X-Newswatch-Alert"
KEY_FIELD = "newswatch_alert"

EXAMPLES = "'json://host:port/path', 'mailto://user:pass@example.com', 'ntfys://topic'"
# A reason is shown in tables, events and notices: one line, bounded.
_MAX_REASON = 300
# apprise's records that only say a URL was not loaded, without why.
_GENERIC = re.compile(r"^(Unparseable|Unsupported|Could not load|Invalid) .*URL", re.IGNORECASE)
_HTTP_ERROR = re.compile(r",? ?-? ?error=(\d{3})\.?$")
_SOCKET_ERROR = re.compile(
    r"\[Errno -?\d+\] ([^'\")\]]+)|Failed to resolve '([^']+)'"
    r"|(timed out|[Cc]ertificate verify failed)"
)
_SECRET_KEY = re.compile(r"token|key|secret|pass|pwd|auth|sig|hash|code|cred", re.IGNORECASE)
_HOST = re.compile(r"(localhost|\[[0-9a-fA-F:.]+\]|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)")

_capture_lock = threading.RLock()


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _apprise_records() -> Iterator[list[logging.LogRecord]]:
    """apprise's log records while the block runs, at every level, kept from our log.

    The `apprise` logger is shared by the process: one capture at a time (the daemon's
    alert and health notices may send at once from two threads)."""
    logger = logging.getLogger("apprise")
    handler = _Records()
    with _capture_lock:
        level, propagate = logger.level, logger.propagate
        logger.setLevel(logging.DEBUG)  # the debug records hold the socket error's cause
        logger.propagate = False
        logger.addHandler(handler)
        try:
            yield handler.records
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate


def _apprise() -> Any:
    """The apprise module (imported inside a capture: it logs as it loads its plugins)."""
    with _apprise_records():
        import apprise
        import apprise.manager_plugins
    return apprise


@lru_cache(maxsize=1)
def _schemes() -> frozenset[str]:
    return frozenset(_apprise().manager_plugins.NotificationManager().schemas())


def _service_name(scheme: str) -> str:
    plugin = _apprise().manager_plugins.NotificationManager()[scheme.lower()]
    return str(getattr(plugin, "service_name", scheme))


def _instantiate(url: str) -> tuple[Any, list[logging.LogRecord]]:
    """apprise's service for `url` (None if it refuses it), and what apprise said."""
    apprise = _apprise()
    with _apprise_records() as records:
        service = apprise.Apprise.instantiate(url)
    return service, records


def url_problem(url: str) -> str | None:
    """None for a notify URL apprise can use; else what is wrong with it, in one line that
    shows the URL with its secrets masked (its scheme and host stay, for a typo to be seen)."""
    service, records = _instantiate(url)
    if service:
        return None
    shown = repr(redact(url))
    scheme, sep, _ = url.partition("://")
    if not sep or not scheme:
        return f"{shown} is not a notification URL: it has no scheme (like {EXAMPLES})"
    if scheme.lower() not in _schemes():
        close = difflib.get_close_matches(scheme.lower(), _schemes(), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}://'?" if close else f"like {EXAMPLES}"
        return (
            f"{shown} is not a notification URL apprise knows: no service has the scheme "
            f"'{scheme}://' ({hint})"
        )
    said = [
        r.getMessage()
        for r in records
        if r.levelno >= logging.WARNING and not _GENERIC.match(r.getMessage())
    ]
    why = _scrub("; ".join(said), url) if said else "not in a form the service takes"
    return f"{shown} is not a notification URL apprise can use ({_service_name(scheme)}: {why})"


@lru_cache(maxsize=256)
def redact(url: str) -> str:
    """A notify URL fit for logs and output: for a URL apprise reads, its own masking of
    passwords and tokens; for one it refuses, the URL as written with a password, and the
    parts of the host, path and query that look like tokens or keys, masked."""
    service, _ = _instantiate(url)
    if service:
        shown = service.url(privacy=True).split("?", 1)[0]
        return shown if shown.endswith("://") else shown.rstrip("/")
    masked, _ = _masked(url)
    return masked


def _masked(url: str) -> tuple[str, dict[str, str]]:
    """`url` with what may be a secret masked, and each secret found with its mask."""
    secrets: dict[str, str] = {}

    def part(text: str, always: bool = False) -> str:
        if text and (always or _secretish(text)):
            secrets[text] = "****" if always else _outer(text)
            return secrets[text]
        return text

    scheme, sep, rest = url.partition("://")
    if not sep:
        return part(url), secrets
    rest = rest.split("#", 1)[0]
    rest, qmark, query = rest.partition("?")
    authority, slash, path = rest.partition("/")
    shown = f"{scheme}://"
    if "@" in authority:
        userinfo, authority = authority.rsplit("@", 1)
        user, colon, password = userinfo.partition(":")
        shown += part(user) + (colon and ":" + part(password, always=True)) + "@"
    host, colon, port = authority.rpartition(":") if ":" in authority else (authority, "", "")
    if colon and not port.isdigit():  # not a port: a token with a colon (tgram://bot:token)
        host, port = f"{host}:{port}", ""
        shown += host if _HOST.fullmatch(host) else ":".join(part(p) for p in host.split(":"))
    else:
        shown += (host if _HOST.fullmatch(host) else part(host)) + (colon and f":{port}")
    shown += slash + "/".join(part(segment) for segment in path.split("/"))
    if qmark:
        pairs = []
        for pair in query.split("&"):
            key, equals, value = pair.partition("=")
            pairs.append(key + equals + part(value, always=bool(_SECRET_KEY.search(key))))
        shown += "?" + "&".join(pairs)
    return shown, secrets


def _secretish(text: str) -> bool:
    """Could this piece of a URL be a token or a key? Words and short numbers are not."""
    if len(text) >= 20:
        return True
    return len(text) >= 6 and any(c.isdigit() for c in text) and any(not c.isdigit() for c in text)


def _outer(text: str) -> str:
    """apprise's way of masking a token: its first and last characters."""
    return f"{text[0]}...{text[-1]}" if len(text) > 1 else "****"


def _scrub(message: str, url: str) -> str:
    """apprise's words, with anything from the URL that may be secret masked, on one
    bounded line (a response body is the remote end's text)."""
    masked, secrets = _masked(url)
    message = message.replace(url, masked)
    for secret in sorted(secrets, key=len, reverse=True):
        message = message.replace(secret, secrets[secret])
    message = " ".join(printable(message).split())
    return message if len(message) <= _MAX_REASON else message[: _MAX_REASON - 1] + "…"


def _delivery_reason(records: list[logging.LogRecord], url: str) -> str:
    """Why apprise could not deliver, from what it logged: its last warning or error,
    with the HTTP status, the socket's error or the service's answer where it gave one."""
    said = [r.getMessage() for r in records if r.levelno >= logging.WARNING]
    reason = said[-1].strip() if said else "the service did not accept the message"
    if status := _HTTP_ERROR.search(reason):
        # "Failed to send JSON POST notification: Page not found., error=404."
        said = reason[: status.start()].rstrip(" .,-")
        meaning = said.rsplit(": ", 1)[1] if ": " in said else ""
        reason = f"HTTP {status.group(1)}" + (f" ({meaning})" if meaning else "")
    for record in records:
        if record.levelno >= logging.WARNING:
            continue
        text = record.getMessage()
        if text.startswith("Socket Exception") and (cause := _SOCKET_ERROR.search(text)):
            errno, host, other = cause.groups()
            detail = errno or (f"cannot resolve {host}" if host else other)
            reason = f"{reason.rstrip('.')}: {detail.strip().lower()}"
        elif text.startswith("Response Details") and (answer := _answer(text)):
            reason = f"{reason.rstrip('.')}, answered: {answer}"
    return _scrub(reason, url)


def _answer(text: str) -> str | None:
    """A short, plain-text response body from apprise's "Response Details" record."""
    body = text.partition(":")[2].strip()
    if body[:2] in ("b'", 'b"'):
        try:
            body = ast.literal_eval(body).decode("utf-8", "replace")
        except (ValueError, SyntaxError):
            return None
    body = " ".join(body.split())
    if not body or body.startswith("<") or len(body) > 120:
        return None
    return body


def send(urls: Sequence[str], title: str, body: str, key: str) -> dict[str, str | None]:
    """Notify each URL separately, so one failing channel does not hide the others:
    for each, None when it was sent, or the reason it was not.

    `key` goes with the message where the channel carries it (a header on webhooks and
    e-mail, a field of the JSON payload), so a receiver can drop a repeat.
    """
    apprise = _apprise()
    results: dict[str, str | None] = {}
    for url in urls:
        with _apprise_records() as records:
            notifier = apprise.Apprise()
            added = notifier.add(url)
            for service in notifier:
                if isinstance(getattr(service, "headers", None), dict):
                    service.headers[KEY_HEADER] = key
                if isinstance(getattr(service, "payload_extras", None), dict):
                    service.payload_extras[KEY_FIELD] = key
            ok = added and bool(notifier.notify(title=title, body=body))
        if ok:
            results[url] = None
        else:
            results[url] = url_problem(url) if not added else _delivery_reason(records, url)
    return results


def failures(results: Mapping[str, str | None]) -> list[str]:
    """The failed channels of a `send`, each as "URL (secrets masked): reason"."""
    return [f"{redact(url)}: {error}" for url, error in results.items() if error]
