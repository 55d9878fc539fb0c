"""Dedupe stage: content hashes and near-duplicate clusters across sources.

URL keys (canonical URLs, guid keys) are in `newsmill.urls`: the clean stage
and the store use them too. The deduper reads and writes its store through
`DedupeStore`, whose records are defined here, so it needs no database types.
"""

from newsmill.dedupe.clusters import Deduper, DedupeReport, DedupeSettings
from newsmill.dedupe.hashing import content_hash
from newsmill.dedupe.storage import (
    DedupeStore,
    FingerprintedMember,
    Member,
    PendingArticle,
    Placement,
)

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
