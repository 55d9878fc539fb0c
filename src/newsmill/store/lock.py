"""The store's one run lock, as the database kind allows it.

SQLite: an flock on a file beside the database (released by the kernel if
the holder dies, even by SIGKILL). PostgreSQL: a session advisory lock,
released when the holder's connection closes. How long to wait for it and
what to tell the user is the caller's business (`newsmill.run.lock`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, text

from newsmill.store.db import Store

_PG_KEY = zlib.crc32(b"newsmill run lock")


class StoreLock(Protocol):
    """The lock, not yet taken: try it as often as needed; the block that opened
    it releases it (if taken) when it ends."""

    poll: float  # seconds between tries worth waiting

    def try_acquire(self) -> bool: ...

    def holder(self) -> str:
        """Who holds the lock, as much as the lock can tell: for the user's message."""
        ...


def database_file(url: str) -> Path | None:
    """The SQLite database file of a store URL; None for PostgreSQL (or in memory)."""
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url.removeprefix("sqlite:///"))
    return None


class FileLock:
    """An flock on `<database>.lock`, which names the holder's pid."""

    poll = 0.2

    def __init__(self, database: Path, handle: IO[str]) -> None:
        self.database = database
        self._handle = handle

    def try_acquire(self) -> bool:
        try:
            fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.write(str(os.getpid()))
        self._handle.flush()
        return True

    def holder(self) -> str:
        self._handle.seek(0)
        pid = self._handle.read().strip() or "unknown"
        return f"{self.database} (pid {pid})"


class AdvisoryLock:
    """A PostgreSQL session advisory lock on one connection kept for the block."""

    poll = 0.5

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.held = False

    def try_acquire(self) -> bool:
        self.held = bool(
            self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _PG_KEY}).scalar()
        )
        return self.held

    def holder(self) -> str:
        return "this database"

    def release(self) -> None:
        self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_KEY})
        self._conn.commit()


@contextlib.contextmanager
def store_lock(store: Store) -> Iterator[StoreLock]:
    """The store's run lock for the block, to be taken with `try_acquire`."""
    database = database_file(store.url)
    if database is not None:
        lock_path = database.with_name(database.name + ".lock")
        with open(lock_path, "a+") as handle:  # closing it releases the flock
            yield FileLock(database, handle)
        return
    with store.engine.connect() as conn:
        lock = AdvisoryLock(conn)
        try:
            yield lock
        finally:
            if lock.held:
                lock.release()
