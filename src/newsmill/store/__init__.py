"""Store stage: articles, source state and the run engine's tables, in SQLite or PostgreSQL.

The only package that speaks SQL: everything else asks through these. Its names
load on first use, so a command that never opens the store (`newsmill extract`,
`probe`) does not import SQLAlchemy; `StoreError` costs nothing to catch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsmill.lazy import lazy_exports
from newsmill.store.errors import StoreError

if TYPE_CHECKING:
    from newsmill.store.db import SourceStatus, Store, UpsertReport
    from newsmill.store.heads import ArticleDisplay, ArticleHead, ArticleVersion, stored_version
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

_WHERE = {
    **dict.fromkeys(("SourceStatus", "Store", "UpsertReport"), "db"),
    **dict.fromkeys(("ArticleDisplay", "ArticleHead", "ArticleVersion", "stored_version"), "heads"),
    "HostLeases": "leases",
    **dict.fromkeys(
        ("DONE", "FAILED", "PENDING", "BatchLedger", "BatchProgress", "TaskResult", "TaskRow"),
        "ledger",
    ),
    **dict.fromkeys(("StoreLock", "store_lock"), "lock"),
    "RunTables": "run_tables",
    **dict.fromkeys(("WorkerRegistry", "WorkerRow"), "workers"),
}
__all__ = [
    "DONE",
    "FAILED",
    "PENDING",
    "ArticleDisplay",
    "ArticleHead",
    "ArticleVersion",
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


__getattr__ = lazy_exports(
    __name__, {name: f"{__name__}.{module}" for name, module in _WHERE.items()}
)
