"""One run at a time per store: a second `newsmill run` waits or refuses.

The lock itself is the store's (`newsmill.store.lock`: an flock beside a
SQLite database, a session advisory lock on PostgreSQL, both freed if the
holder dies); this module decides how long to wait and what to say.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsmill.store import Store


class RunLocked(Exception):
    """Another run holds the lock; the message says which and what to do."""


@contextlib.contextmanager
def run_lock(store: Store, wait: float = 0.0) -> Iterator[None]:
    """Hold the store's run lock for the block; RunLocked after `wait` seconds."""
    from newsmill.store import store_lock  # every command imports RunLocked; few lock

    deadline = time.monotonic() + wait
    with store_lock(store) as lock:
        while not lock.try_acquire():
            if time.monotonic() >= deadline:
                raise RunLocked(
                    f"another newsmill run is using {lock.holder()}; "
                    "try again later, or pass --wait-lock SECONDS"
                )
            time.sleep(lock.poll)
        yield
