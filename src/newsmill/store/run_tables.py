"""The distributed engine's tables in the shared store, over a pool of their own.

The ledger, the worker heartbeats and the host leases are small, frequent
statements from many threads; a small pool beside the Store's keeps them from
queueing behind article writes.
"""

from __future__ import annotations

from sqlalchemy import create_engine

from newsmill.store.leases import HostLeases
from newsmill.store.ledger import BatchLedger
from newsmill.store.workers import WorkerRegistry


class RunTables:
    """Ledger, workers and (on demand) host leases of one store URL; close when done."""

    def __init__(self, url: str, pool_size: int = 4) -> None:
        self._engine = create_engine(
            url, pool_size=pool_size, max_overflow=2 * pool_size, pool_pre_ping=True
        )
        self.ledger = BatchLedger(self._engine)
        self.workers = WorkerRegistry(self._engine)

    def host_leases(self) -> HostLeases:
        """The host leases, on this pool; ValueError unless the store is PostgreSQL."""
        return HostLeases(self._engine)

    def close(self) -> None:
        self._engine.dispose()
