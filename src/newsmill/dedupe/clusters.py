"""One story, one article: stored articles grouped into clusters across sources.

Runs over the articles not yet deduplicated (their fingerprint is NULL: new,
or changed since), against the stored ones published near them, so a run
that crashed half-way simply finishes the job next time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from newsmill.dedupe.near import NearDuplicateIndex, decode, encode, fingerprint

log = logging.getLogger("newsmill.dedupe")


@dataclass
class Member:
    id: str
    source: str
    published: datetime
    length: int
    canonical_url: str
    content_hash: str
    cluster: str | None
    duplicate_of: str | None


@dataclass
class DedupeSettings:
    threshold: float = 0.5
    canonical: str = "earliest"  # or "most_complete"
    window: timedelta = timedelta(days=7)


@dataclass
class DedupeReport:
    checked: int = 0
    joined: int = 0  # articles that joined an existing story
    changed: list[str] = field(default_factory=list)  # ids whose cluster or canonical moved


def choose_canonical(members: list[Member], policy: str) -> Member:
    if policy == "most_complete":
        return min(members, key=lambda m: (-m.length, m.published, m.id))
    return min(members, key=lambda m: (m.published, m.id))


def match_text(title: str, text: str) -> str:
    """What is fingerprinted: the text, with the title only when the text is too short
    to speak for itself (titles are what outlets rewrite most)."""
    return text if len(text) >= 80 else f"{title}\n{text}"


class Deduper:
    def __init__(self, store: object, settings: DedupeSettings) -> None:
        self.store = store
        self.settings = settings

    def run(self) -> DedupeReport:
        store = self.store
        report = DedupeReport()
        pending = store.pending_dedupe()  # type: ignore[attr-defined]
        if not pending:
            return report
        lo = min(p.published for p in pending) - self.settings.window
        hi = max(p.published for p in pending) + self.settings.window
        members: dict[str, Member] = {}
        index = NearDuplicateIndex(self.settings.threshold)
        signatures = []
        by_url: dict[str, str] = {}
        by_hash: dict[str, str] = {}
        for row in store.dedupe_neighbours(lo, hi):  # type: ignore[attr-defined]
            members[row.id] = Member(
                row.id, row.source, row.published, row.length, row.canonical_url,
                row.content_hash, row.cluster, row.duplicate_of,
            )  # fmt: skip
            signatures.append((row.id, decode(row.fingerprint)))
            by_url.setdefault(row.canonical_url, row.id)
            by_hash.setdefault(row.content_hash, row.id)
        index.add_many(signatures)

        touched: set[str] = set()
        new_fingerprints: dict[str, str] = {}
        for row in pending:
            report.checked += 1
            minhash = fingerprint(match_text(row.title, row.text))
            match = None
            same_url = by_url.get(row.canonical_url)
            same_hash = by_hash.get(row.content_hash)
            if same_url and same_url != row.id:
                match = same_url
            elif same_hash and same_hash != row.id:
                match = same_hash
            else:
                near = index.matches(minhash, exclude=row.id)
                match = near[0][0] if near else None
            if row.cluster:
                touched.add(row.cluster)  # it may be leaving its old story
            cluster = members[match].cluster or match if match else row.id
            if match:
                report.joined += 1
            members[row.id] = Member(
                row.id, row.source, row.published, len(row.text), row.canonical_url,
                row.content_hash, cluster, None,
            )  # fmt: skip
            index.add(row.id, minhash)
            by_url.setdefault(row.canonical_url, row.id)
            by_hash.setdefault(row.content_hash, row.id)
            touched.add(cluster)
            new_fingerprints[row.id] = encode(minhash)

        # Members of touched stories published outside the window still count.
        for row in store.cluster_members(touched - set(members)):  # type: ignore[attr-defined]
            members.setdefault(
                row.id,
                Member(row.id, row.source, row.published, row.length, row.canonical_url,
                       row.content_hash, row.cluster, row.duplicate_of),
            )  # fmt: skip
        stories: dict[str, list[Member]] = {}
        for member in members.values():
            if member.cluster in touched:
                stories.setdefault(member.cluster, []).append(member)
        updates: list[tuple[str, str | None, str, str | None]] = []
        for cluster, group in stories.items():
            canonical = choose_canonical(group, self.settings.canonical)
            for member in group:
                duplicate_of = None if member is canonical else canonical.id
                fp = new_fingerprints.get(member.id)
                if fp or member.duplicate_of != duplicate_of or member.cluster != cluster:
                    updates.append((member.id, fp, cluster, duplicate_of))
                    if not fp:
                        report.changed.append(member.id)
        store.save_dedupe(updates)  # type: ignore[attr-defined]
        log.info("dedupe: %d checked, %d joined an existing story", report.checked, report.joined)
        return report
