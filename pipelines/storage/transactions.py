"""The write transaction every reader-then-writer of the database takes (its own module so
that `pipelines.storage.writer` and `pipelines.storage.runs`, which both write, can share it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database


@contextmanager
def immediate(db: Database) -> Iterator[Database]:
    """A transaction that takes the write lock at its start, waiting the busy timeout for
    it (a savepoint inside an open one). Use it for every transaction that reads, then
    writes: a plain BEGIN fails at once, without waiting, when another process commits
    between its first read and its first write."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")
