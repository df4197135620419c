"""Real local notification receivers for alert tests."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Receiver:
    """A webhook on 127.0.0.1 recording what apprise's json:// posts (and the key header
    each message carries); can go down and up. With `hold`, it keeps its first POST
    waiting for an answer until `release` is set (`holding` says it is). It answers
    `status` (a broken webhook: 404, 500), with `answer` as the body."""

    def __init__(
        self, port: int, *, hold: bool = False, status: int = 200, answer: str = ""
    ) -> None:
        self.port = port
        self.status = status
        self.answer = answer.encode()
        self.messages: list[dict] = []
        self.keys: list[str | None] = []
        self.httpd: ThreadingHTTPServer | None = None
        self.hold = hold
        self.holding = threading.Event()
        self.release = threading.Event()

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.messages.append(json.loads(body))
                receiver.keys.append(self.headers.get("X-Newswatch-Alert"))
                if receiver.hold and not receiver.holding.is_set():
                    receiver.holding.set()
                    receiver.release.wait(120)
                try:
                    self.send_response(receiver.status)
                    self.send_header("Content-Length", str(len(receiver.answer)))
                    self.end_headers()
                    self.wfile.write(receiver.answer)
                except OSError:
                    pass  # the sender is gone

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def watches_alerted(self) -> list[str]:
        return [m["title"].split(":", 1)[1].split(" in “", 1)[0].strip() for m in self.messages]
