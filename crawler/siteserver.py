"""A static news site on 127.0.0.1: the demo's sample site, and the test sites.

Serves a folder: `/a/b` from `a/b.html`, `/a/b/` from `a/b/index.html`, other
paths as files. `{{BASE}}` in a file becomes the server's own address, so
feeds and canonical links carry absolute URLs. Answers conditional GETs
(ETag, Last-Modified -> 304) and keeps a log of the requests it served.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

_TYPES = {
    ".html": "text/html",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
}
_STARTED = formatdate(usegmt=True)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # A client that hangs up mid-answer (a crawler abandoning a page that is
        # too large) is not an error of the site's.
        pass


class SiteServer:
    """A threaded HTTP server for one folder; use as a context manager or call start/stop."""

    def __init__(self, root: str | Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root).resolve()
        self.requests: list[tuple[str, str, int, float]] = []  # (method, path, status, time)
        # For tests: seconds to wait before each answer, scripted answers by path, and the
        # Content-Type of a path (a page served under a charset it is not in).
        self.delay = 0.0
        self.scripted: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.content_types: dict[str, str] = {}
        self.in_flight = 0  # requests being answered now
        self.peak_in_flight = 0  # the most answered at once
        self._lock = threading.Lock()
        self.httpd = _QuietServer((host, port), self._handler())
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SiteServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def paths(self, status: int | None = None) -> list[str]:
        """Paths requested so far (optionally only those answered with `status`)."""
        with self._lock:
            return [p for _, p, s, _ in self.requests if status is None or s == status]

    def times(self, path: str) -> list[float]:
        """When `path` was requested (time.monotonic), in order."""
        with self._lock:
            return [t for _, p, _, t in self.requests if p == path]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def script(
        self, path: str, status: int, headers: dict[str, str] | None = None, times: int = 1
    ) -> None:
        """Answer the next `times` requests for `path` with `status` (e.g. 429 + Retry-After)."""
        with self._lock:
            self.scripted.setdefault(path, []).extend([(status, headers or {})] * times)

    def resolve(self, path: str) -> Path | None:
        path = unquote(urlsplit(path).path)
        relative = path.lstrip("/")
        candidates = (
            [relative + "index.html"] if path.endswith("/") else [relative + ".html", relative]
        )
        for candidate in candidates:
            target = (self.root / candidate).resolve()
            if target.is_file() and self.root in target.parents:
                return target
        return None

    def body(self, target: Path) -> bytes:
        return target.read_bytes().replace(b"{{BASE}}", self.base.encode("ascii"))

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                with server._lock:
                    server.in_flight += 1
                    server.peak_in_flight = max(server.peak_in_flight, server.in_flight)
                self.counted = True
                try:
                    self._answer()
                finally:
                    self._answered()

            def _answered(self) -> None:
                # Before the answer goes out: the client cannot send its next request
                # while this one still counts.
                if self.counted:
                    self.counted = False
                    with server._lock:
                        server.in_flight -= 1

            def _answer(self) -> None:
                if server.delay:
                    time.sleep(server.delay)
                with server._lock:
                    scripted = server.scripted.get(self.path)
                    answer = scripted.pop(0) if scripted else None
                if answer is not None:
                    return self._send(answer[0], b"scripted", "text/plain", headers=answer[1])
                target = server.resolve(self.path)
                if target is None:
                    return self._send(
                        404,
                        b"<html><body><h1>Not found</h1></body></html>",
                        "text/html; charset=utf-8",
                    )
                body = server.body(target)
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    return self._send(304, b"", None, etag)
                kind = (
                    server.content_types.get(self.path)
                    or _TYPES.get(target.suffix)
                    or mimetypes.guess_type(target.name)[0]
                )
                self._send(200, body, kind or "application/octet-stream", etag)

            def _send(
                self,
                status: int,
                body: bytes,
                kind: str | None,
                etag: str | None = None,
                headers: dict[str, str] | None = None,
            ):
                with server._lock:
                    server.requests.append(("GET", self.path, status, time.monotonic()))
                self._answered()
                self.send_response(status)
                if kind:
                    self.send_header("Content-Type", kind)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                if etag:
                    self.send_header("ETag", etag)
                    self.send_header("Last-Modified", _STARTED)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

            def log_message(self, format: str, *args) -> None:  # quiet: the log is `requests`
                pass

        return Handler
