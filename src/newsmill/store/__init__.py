"""Store stage: articles and source state in SQLite or PostgreSQL."""

from newsmill.store.db import SourceStatus, Store, StoreError, UpsertReport, stored_version

__all__ = ["SourceStatus", "Store", "StoreError", "UpsertReport", "stored_version"]
