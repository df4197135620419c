"""Locks between processes: one daemon per database, one crawl per source.

OS file locks (`flock`): the kernel releases them when their process dies, however it
dies, so a lock is never left behind by a killed process. The file names its holder.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from pathlib import Path
from typing import IO


class LockBusy(Exception):
    """The lock is held by another process (`pid`, when it could be read)."""

    def __init__(self, path: Path, pid: int | None) -> None:
        super().__init__(f"{path} is held by pid {pid or 'unknown'}")
        self.path = path
        self.pid = pid


class FileLock:
    """An exclusive lock on `path`, taken without waiting."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self, *, sign: bool = True) -> None:
        """Take the lock (`sign`: writing this process's pid in it), or raise LockBusy
        naming its holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - held until release
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            raise LockBusy(self.path, int(holder) if holder.isdigit() else None) from None
        if sign:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def holder(self) -> int | None:
        """The pid holding the lock now (0 when it is held but names no pid), or None."""
        try:
            self.acquire(sign=False)
        except LockBusy as busy:
            return busy.pid or 0
        except OSError:
            return None
        self.release()
        return None


def daemon_lock(database: Path) -> FileLock:
    return FileLock(database.with_name(database.name + ".daemon.lock"))


def source_lock(database: Path, source: str) -> FileLock:
    """The lock a crawl of `source` holds for as long as it runs."""
    # Any source name gives a safe file name; the digest keeps two names apart that
    # differ only in characters replaced.
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", source)[:40]
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:8]
    return FileLock(database.with_name(database.name + ".locks") / f"{slug}-{digest}.lock")
