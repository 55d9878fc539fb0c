"""What the deduper reads from and writes to its store, and nothing more.

The store implements `DedupeStore` with these plain records, so the deduper
needs no database types, and tests or benchmarks can feed it from memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol


@dataclass
class Member:
    """An article as a story's member; `cluster` is set when it is placed."""

    id: str
    source: str
    published: datetime
    length: int
    canonical_url: str
    content_hash: str
    cluster: str | None
    duplicate_of: str | None


@dataclass(frozen=True)
class PendingArticle:
    """An article not yet deduplicated (new or changed), without its text."""

    id: str
    source: str
    published: datetime
    canonical_url: str
    content_hash: str
    cluster: str | None  # the story it was in before it changed, if any


class FingerprintedMember(NamedTuple):
    """A deduplicated article and its stored fingerprint (`near.encode`)."""

    member: Member
    fingerprint: str


class Placement(NamedTuple):
    """Where deduplication put one article."""

    id: str
    fingerprint: str | None  # None keeps the stored one
    cluster: str
    duplicate_of: str | None


class DedupeStore(Protocol):
    def pending_dedupe(self) -> Sequence[PendingArticle]:
        """Articles not yet deduplicated, oldest first."""
        ...

    def dedupe_texts(self, ids: Sequence[str]) -> Mapping[str, tuple[str, str]]:
        """(title, text) of these articles."""
        ...

    def dedupe_neighbours(self, start: datetime, end: datetime) -> Iterable[FingerprintedMember]:
        """Deduplicated articles published in [start, end]."""
        ...

    def cluster_members(self, clusters: set[str]) -> Iterable[Member]:
        """Deduplicated articles of these clusters, whenever published."""
        ...

    def save_dedupe(self, updates: Sequence[Placement]) -> None:
        """Store these placements at once."""
        ...
