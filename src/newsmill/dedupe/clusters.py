"""One story, one article: stored articles grouped into clusters across sources.

`StoryIndex` is the in-memory core (exact keys, LSH, clusters, canonical
choice); `Deduper` feeds it from the store: the articles not yet deduplicated
(fingerprint NULL: new, or changed since) against the stored ones published
near them, so a run that crashed half-way simply finishes the job next time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from newsmill.dates import shifted
from newsmill.dedupe.near import Fingerprint, NearDuplicateIndex, decode, encode, fingerprint
from newsmill.dedupe.storage import DedupeStore, Member, PendingArticle, Placement

__all__ = [
    "DedupeReport",
    "DedupeSettings",
    "Deduper",
    "Member",
    "StoryIndex",
    "choose_canonical",
    "is_article_link",
    "match_text",
]

log = logging.getLogger("newsmill.dedupe")


@dataclass
class DedupeSettings:
    threshold: float = 0.5
    canonical: str = "earliest"  # or "most_complete"
    window: timedelta = timedelta(days=7)


@dataclass
class DedupeReport:
    checked: int = 0
    joined: int = 0  # articles that joined an existing story
    interrupted: bool = False  # asked to stop: the rest stay pending for the next run
    changed: list[str] = field(default_factory=list)  # ids whose cluster or canonical moved


# The same title and text is one story only when there is text to compare: items
# with none (a title of a few words, or none at all) are alike by accident.
MIN_SAME_TEXT = 20


def is_article_link(canonical: str) -> bool:
    """Whether a canonical URL can name one article: not empty (an item without a
    link of its own) and not a site's home page, which feeds give as every item's
    link when they have no better one."""
    return bool(canonical) and urlsplit(canonical).path.strip("/") != ""


def choose_canonical(members: list[Member], policy: str) -> Member:
    if policy == "most_complete":
        return min(members, key=lambda m: (-m.length, m.published, m.id))
    return min(members, key=lambda m: (m.published, m.id))


def match_text(title: str, text: str) -> str:
    """What is fingerprinted: the text, with the title only when the text is too short
    to speak for itself (titles are what outlets rewrite most)."""
    return text if len(text) >= 80 else f"{title}\n{text}"


class StoryIndex:
    """Articles and their stories in memory: add one, learn which story it joins."""

    def __init__(self, settings: DedupeSettings) -> None:
        self.settings = settings
        self.members: dict[str, Member] = {}
        self.index = NearDuplicateIndex(settings.threshold)
        self._by_url: dict[str, dict[str, str]] = {}  # canonical URL -> source -> id
        self._by_hash: dict[str, list[str]] = {}  # content hash -> ids

    def load(self, members: Iterable[tuple[Member, Fingerprint]]) -> None:
        """Articles already clustered; their stories stay as they are."""
        signatures = []
        for member, minhash in members:
            self.members[member.id] = member
            signatures.append((member.id, minhash))
            self._remember(member)
        self.index.add_many(signatures)

    def _remember(self, member: Member) -> None:
        if is_article_link(member.canonical_url):
            self._by_url.setdefault(member.canonical_url, {}).setdefault(member.source, member.id)
        if member.length >= MIN_SAME_TEXT:
            self._by_hash.setdefault(member.content_hash, []).append(member.id)

    def _may_share_story(self, member: Member, other_id: str) -> bool:
        """Whether text alone may make `other_id` the same story as `member`: another
        source's article published within the window.

        Within one source, distinct guids are distinct items, however alike their
        text: a changelog's entries, a quote site's jokes, a course's lectures are
        written from one template. And one text on a blog in 2011 and another in
        2025 are not one story."""
        other = self.members[other_id]
        if other.source == member.source or other_id == member.id:
            return False
        return abs(other.published - member.published) <= self.settings.window

    def find_story(self, member: Member, minhash: Fingerprint) -> str | None:
        """The id of another source's article of the same story, if any: the same
        link first, else the same text, else the most similar near-duplicate.

        Within one source a shared link says nothing either: the feed gave the
        items distinct guids (comments of one page, episodes linking the show's home).
        """
        for source, other in self._by_url.get(member.canonical_url, {}).items():
            if source != member.source and other != member.id:
                return other
        if member.length >= MIN_SAME_TEXT:
            for same_text in self._by_hash.get(member.content_hash, ()):
                if self._may_share_story(member, same_text):
                    return same_text
        for near, _score in self.index.matches(minhash, exclude=member.id):
            if self._may_share_story(member, near):
                return near
        return None

    def add(self, member: Member, minhash: Fingerprint) -> str:
        """Place a new (or changed) article; returns its cluster."""
        match = self.find_story(member, minhash)
        member.cluster = (self.members[match].cluster or match) if match else member.id
        self.members[member.id] = member
        self.index.add(member.id, minhash)
        self._remember(member)
        return member.cluster

    def canonical_assignments(self, clusters: set[str]) -> dict[str, str | None]:
        """duplicate_of for every member of these clusters (None for the canonical)."""
        stories: dict[str, list[Member]] = {}
        for member in self.members.values():
            if member.cluster in clusters:
                stories.setdefault(member.cluster, []).append(member)
        result: dict[str, str | None] = {}
        for group in stories.values():
            canonical = choose_canonical(group, self.settings.canonical)
            for member in group:
                result[member.id] = None if member is canonical else canonical.id
        return result


def _pending_member(article: PendingArticle, length: int) -> Member:
    """A pending article as a member not placed yet (its old cluster forgotten)."""
    return Member(
        article.id, article.source, article.published, length,
        article.canonical_url, article.content_hash, cluster=None, duplicate_of=None,
    )  # fmt: skip


TEXT_CHUNK = 500  # articles whose text is in memory at once


def _chunks(rows: Sequence[PendingArticle], size: int) -> Iterable[Sequence[PendingArticle]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class Deduper:
    def __init__(
        self, store: DedupeStore, settings: DedupeSettings, stop: Callable[[], bool] | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        # Checked between articles: a long backlog must not hold up SIGTERM.
        self.stop = stop or (lambda: False)

    def run(self) -> DedupeReport:
        report = DedupeReport()
        pending = self.store.pending_dedupe()
        if not pending:
            return report
        lo = shifted(min(p.published for p in pending), -self.settings.window)
        hi = shifted(max(p.published for p in pending), self.settings.window)
        stories = StoryIndex(self.settings)
        stories.load(
            (stored.member, decode(stored.fingerprint))
            for stored in self.store.dedupe_neighbours(lo, hi)
        )
        before = {m.id: (m.cluster, m.duplicate_of) for m in stories.members.values()}

        touched: set[str] = set()
        new_fingerprints: dict[str, str] = {}
        for chunk in _chunks(pending, TEXT_CHUNK):
            texts = self.store.dedupe_texts([row.id for row in chunk])
            for row in chunk:
                if self.stop():
                    report.interrupted = True  # what was placed is saved; the rest waits
                    break
                title, text = texts[row.id]
                report.checked += 1
                if row.cluster:
                    touched.add(row.cluster)  # it may be leaving its old story
                minhash = fingerprint(match_text(title, text))
                member = _pending_member(row, length=len(text))
                cluster = stories.add(member, minhash)
                report.joined += cluster != row.id
                touched.add(cluster)
                new_fingerprints[row.id] = encode(minhash)
            if report.interrupted:
                break

        # Members of touched stories published outside the window still count.
        outside = self.store.cluster_members(
            touched - {m.cluster for m in stories.members.values()}
        )
        for other in outside:
            stories.members.setdefault(other.id, other)
            before.setdefault(other.id, (other.cluster, other.duplicate_of))
        updates: list[Placement] = []
        for member_id, duplicate_of in stories.canonical_assignments(touched).items():
            cluster = stories.members[member_id].cluster or member_id
            fp = new_fingerprints.get(member_id)
            if fp or before.get(member_id) != (cluster, duplicate_of):
                updates.append(Placement(member_id, fp, cluster, duplicate_of))
                if not fp:
                    report.changed.append(member_id)
        self.store.save_dedupe(updates)
        log.info("dedupe: %d checked, %d joined an existing story", report.checked, report.joined)
        return report
