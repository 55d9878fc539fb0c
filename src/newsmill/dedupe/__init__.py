"""Dedupe stage: content hashes and near-duplicate clusters across sources.

URL keys (canonical URLs, guid keys) are in `newsmill.urls`: the clean stage
and the store use them too.
"""

from newsmill.dedupe.clusters import Deduper, DedupeReport, DedupeSettings
from newsmill.dedupe.hashing import content_hash

__all__ = ["DedupeReport", "DedupeSettings", "Deduper", "content_hash"]
