"""Retention: `[publish] keep = "90d"` or a count per source.

The old system never pruned and grew to tens of thousands of posts per
channel. Pruning happens in the store, before any output is written, so
every writer sees the same smaller archive and removes the pages and posts
of what is gone (each writer already removes files whose article vanished).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from newsmill.config import PublishConfig
from newsmill.store import Store

log = logging.getLogger("newsmill.publish.retention")


def apply_retention(publish: PublishConfig, store: Store, now: datetime | None = None) -> int:
    """Delete what `keep` does not keep; return how many articles were deleted."""
    seconds, count = publish.keep_seconds, publish.keep_count
    if seconds is None and count is None:
        return 0
    cutoff = (now or datetime.now(UTC)) - timedelta(seconds=seconds) if seconds else None
    deleted = store.prune_articles(older_than=cutoff, keep_per_source=count)
    if deleted:
        log.info("retention (keep %s): %d articles removed", publish.keep, len(deleted))
    return len(deleted)
