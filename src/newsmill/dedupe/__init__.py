"""Dedupe stage: content hashes and near-duplicate clusters across sources.

URL keys (canonical URLs, guid keys) are in `newsmill.urls`: the clean stage
and the store use them too. The deduper reads and writes its store through
`DedupeStore`, whose records are defined here, so it needs no database types.
The deduper itself (and numpy under it) loads on first use: the store imports
the records on every command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsmill.dedupe.storage import (
    DedupeStore,
    FingerprintedMember,
    Member,
    PendingArticle,
    Placement,
)
from newsmill.lazy import lazy_exports

if TYPE_CHECKING:
    from newsmill.dedupe.clusters import Deduper, DedupeReport, DedupeSettings
    from newsmill.dedupe.hashing import content_hash

__all__ = [
    "DedupeReport",
    "DedupeSettings",
    "DedupeStore",
    "Deduper",
    "FingerprintedMember",
    "Member",
    "PendingArticle",
    "Placement",
    "content_hash",
]
_WHERE = {
    "DedupeReport": "newsmill.dedupe.clusters",
    "DedupeSettings": "newsmill.dedupe.clusters",
    "Deduper": "newsmill.dedupe.clusters",
    "content_hash": "newsmill.dedupe.hashing",
}


__getattr__ = lazy_exports(__name__, _WHERE)
