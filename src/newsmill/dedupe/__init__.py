"""Dedupe stage: canonical URLs and content hashes (near-duplicates come later)."""

from newsmill.dedupe.hashing import content_hash
from newsmill.dedupe.urls import canonical_url, guid_key, strip_tracking

__all__ = ["canonical_url", "content_hash", "guid_key", "strip_tracking"]
