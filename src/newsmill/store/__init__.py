"""Store stage: articles, source state and the run engine's tables, in SQLite or PostgreSQL.

The only package that speaks SQL: everything else asks through these.
"""

from newsmill.store.db import SourceStatus, Store, StoreError, UpsertReport, stored_version
from newsmill.store.leases import HostLeases
from newsmill.store.ledger import (
    DONE,
    FAILED,
    PENDING,
    BatchLedger,
    BatchProgress,
    TaskResult,
    TaskRow,
)
from newsmill.store.lock import StoreLock, store_lock
from newsmill.store.run_tables import RunTables
from newsmill.store.workers import WorkerRegistry, WorkerRow

__all__ = [
    "DONE",
    "FAILED",
    "PENDING",
    "BatchLedger",
    "BatchProgress",
    "HostLeases",
    "RunTables",
    "SourceStatus",
    "Store",
    "StoreError",
    "StoreLock",
    "TaskResult",
    "TaskRow",
    "UpsertReport",
    "WorkerRegistry",
    "WorkerRow",
    "store_lock",
    "stored_version",
]
