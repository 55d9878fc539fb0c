"""What the index holds, for the next build: its segments, deleted numbers and the
key of every document. It lives in the site's manifest; reading it needs no numpy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newsmill.publish.site.search.tokens import (
    CHUNK,
    MAX_DELETED_RATIO,
    MAX_SEGMENTS,
    SUMMARY_CHARS,
    posting_width,
)


@dataclass(frozen=True)
class Segment:
    id: str
    base: int
    n: int
    shards: int

    @property
    def width(self) -> int:
        return posting_width(self.n)

    def files(self) -> list[str]:
        """Site-relative paths of every file of the segment."""
        chunks = (self.n + CHUNK - 1) // CHUNK
        return [f"search/{self.id}/t{k}.json" for k in range(self.shards)] + [
            f"search/{self.id}/d{k}.json" for k in range(chunks)
        ]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "base": self.base, "n": self.n, "shards": self.shards}

    def to_meta(self) -> dict[str, Any]:
        """What the client reads: the manifest's fields and the posting width."""
        return {**self.to_json(), "w": self.width}


@dataclass
class SearchState:
    """What the next build needs to update the index: kept in the site's build manifest."""

    segments: list[Segment] = field(default_factory=list)
    deleted: set[int] = field(default_factory=set)
    docs: dict[str, tuple[int, str]] = field(default_factory=dict)  # id -> (docno, key)

    def to_json(self) -> dict[str, Any]:
        return {
            "segments": [s.to_json() for s in self.segments],
            "deleted": sorted(self.deleted),
            "docs": dict(sorted(self.docs.items())),  # (docno, key) tuples, written as arrays
        }

    @classmethod
    def from_json(cls, data: Any) -> SearchState | None:
        """None for anything unreadable: the caller then rebuilds the index."""
        try:
            return cls(
                segments=[Segment(**s) for s in data["segments"]],
                deleted={int(x) for x in data["deleted"]},
                docs={str(k): (int(v[0]), str(v[1])) for k, v in data["docs"].items()},
            )
        except (KeyError, TypeError, ValueError, IndexError):
            return None

    @property
    def total(self) -> int:
        return sum(s.n for s in self.segments)

    def needs_rebuild(self) -> bool:
        return (
            len(self.segments) >= MAX_SEGMENTS
            or self.total == 0
            or len(self.deleted) > MAX_DELETED_RATIO * self.total
        )


def doc_meta(path: str, title: str, date: str, section: str, summary: str) -> list[str]:
    """What a search result shows, in the order the client reads it."""
    if len(summary) > SUMMARY_CHARS:
        summary = summary[:SUMMARY_CHARS].rstrip() + "…"
    return [path, title, date, section, summary]
