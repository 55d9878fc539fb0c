"""One run at a time per store: a second `newsmill run` waits or refuses.

SQLite: an flock on a file beside the database (released by the kernel if
the holder dies, even by SIGKILL). PostgreSQL: a session advisory lock,
released when the holder's connection closes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text

from newsmill.store import Store

_PG_KEY = zlib.crc32(b"newsmill run lock")


class RunLocked(Exception):
    """Another run holds the lock; the message says which and what to do."""


def _sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url.removeprefix("sqlite:///"))
    return None


@contextlib.contextmanager
def run_lock(store: Store, wait: float = 0.0) -> Iterator[None]:
    """Hold the store's run lock for the block; RunLocked after `wait` seconds."""
    deadline = time.monotonic() + wait
    database = _sqlite_path(store.url)
    if database is not None:
        lock_path = database.with_name(database.name + ".lock")
        handle = open(lock_path, "a+")  # noqa: SIM115 - held for the whole block
        try:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        handle.seek(0)
                        holder = handle.read().strip() or "unknown"
                        raise RunLocked(
                            f"another newsmill run is using {database} (pid {holder}); "
                            "try again later, or pass --wait-lock SECONDS"
                        ) from None
                    time.sleep(0.2)
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            handle.close()
        return
    with store.engine.connect() as conn:
        while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _PG_KEY}).scalar():
            if time.monotonic() >= deadline:
                raise RunLocked(
                    "another newsmill run is using this database; "
                    "try again later, or pass --wait-lock SECONDS"
                )
            time.sleep(0.5)
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_KEY})
            conn.commit()
