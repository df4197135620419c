"""A real redis-server for the tests: its own process on a free loopback port, its own
folder, stopped and started again on the same port without losing what it acknowledged.

Debian's redis-server (`.ci/run` installs it); a system service it may have started is
never used: each RedisServer listens on a port of its own.
"""

from __future__ import annotations

import atexit
import ctypes
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis

# Each write reaches the append-only file, fsynced, before its reply: nothing acknowledged is
# lost by a SHUTDOWN, a SIGKILL or a crash of the machine, whatever the disk's load (`everysec`
# may hold a write back for up to 2 s while a slow fsync runs). Measured here: 4,600 SETs/s
# and 2,100-2,700 20 KB XADDs/s against `everysec`'s 13,800 and 9,200; tests write far less.
APPENDFSYNC = "always"
START_LIMIT = 60.0  # seconds for a new server to answer PING, on a loaded CI machine
STOP_LIMIT = 60.0

_PR_SET_PDEATHSIG = 1
# Loaded here, in the parent: the child between fork and exec only calls it (no dlopen).
_prctl = ctypes.CDLL(None, use_errno=True).prctl


def _die_with_parent() -> None:
    """In the child before exec: the kernel sends SIGKILL to redis when the test process
    dies (strictly, the thread that started it: start it from the test's own thread), so a
    killed pytest worker leaves no server behind."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """`RedisServer(dir)`: started at once; `url`, `client()`, `stop()` (a clean SHUTDOWN),
    `kill()` (SIGKILL), `start()` again on the same port, `close()` (also at exit)."""

    def __init__(self, dir: Path, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (.ci/run installs Debian's redis-server)"
        self.binary = binary
        self.dir = Path(dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen | None = None
        atexit.register(self.close)
        for attempt in range(3):
            self.port = port or free_port()
            try:
                self.start()
                return
            except RuntimeError:
                # Another process took the free port between its probe and redis's bind.
                if port or attempt == 2 or "Address already in use" not in self.log_tail():
                    raise

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def log_path(self) -> Path:
        return self.dir / "redis.log"

    def client(self, **kwargs) -> redis.Redis:
        return redis.Redis.from_url(self.url, **kwargs)

    def command(self) -> list[str]:
        return [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--protected-mode", "no",
            "--dir", str(self.dir),
            "--logfile", str(self.log_path),
            "--daemonize", "no",
            "--appendonly", "yes",
            "--appendfsync", APPENDFSYNC,
            "--save", "",  # the append-only file is the persistence; no RDB snapshots
        ]  # fmt: skip

    def start(self) -> None:
        assert not self.running, "redis-server is already running"
        self.proc = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + START_LIMIT
        probe = self.client(socket_timeout=5, socket_connect_timeout=5)
        try:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(
                        f"redis-server exited with {self.proc.returncode} on port {self.port}:\n"
                        + self.log_tail()
                    )
                try:
                    # PING answers LOADING while the append-only file is replayed.
                    if probe.ping():
                        return
                except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError):
                    pass
                if time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError(
                        f"redis-server did not answer PING within {START_LIMIT:.0f}s:\n"
                        + self.log_tail()
                    )
                time.sleep(0.05)
        finally:
            probe.close()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """A clean SHUTDOWN: the append-only file is flushed and the process exits."""
        if not self.running:
            return
        client = self.client(socket_timeout=STOP_LIMIT)
        try:
            client.shutdown()
        except redis.ConnectionError:
            pass  # the server closed the connection while going down: what SHUTDOWN does
        finally:
            client.close()
        self._reap()

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would."""
        if self.running:
            self.proc.kill()
        self._reap()

    def _reap(self) -> None:
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=STOP_LIMIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def close(self) -> None:
        self.kill()
        atexit.unregister(self.close)

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
