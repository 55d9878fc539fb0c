"""Where a site build reads its articles: a list in memory, or the store.

A build needs every article's version and what places it in lists (source,
categories, tags, date, primary), then full articles only for what it
renders, in the order it asks for them. From the store, the version of every
article comes from one narrow query (id, when its row last changed, its
cluster and primary); the manifest keeps the rest for unchanged articles
(`CachedHead`), so only new and changed heads are read. What a list entry
shows (title, summary, ...) is read only for the entries of the lists that
are rendered again (`display`). A source can also be read from a forked
helper process (`after_fork`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from newsmill.model import Article
from newsmill.publish.site.keys import article_version
from newsmill.publish.site.manifest import ArticleRecord
from newsmill.store import ArticleDisplay, ArticleHead, Store

BY_ID_BATCH = 500


class CachedHead:
    """An unchanged article: its manifest record, which says where it goes (page path,
    local time, source, categories, tags, primary), not what it shows."""

    __slots__ = ("id", "record")

    def __init__(self, article_id: str, record: ArticleRecord) -> None:
        self.id = article_id
        self.record = record


class MemorySource:
    """Articles given in a list, newest first (tests and small sets)."""

    forkable = True

    def __init__(self, articles: list[Article]) -> None:
        self.articles = articles
        self._by_id: dict[str, Article] | None = None
        self._versions: list[tuple[str, str]] | None = None

    def versions(self) -> list[tuple[str, str]]:
        """(id, version) of every article, newest first."""
        if self._versions is None:
            self._versions = [(a.id, article_version(a)) for a in self.articles]
        return self._versions

    def heads(self, cached: Mapping[str, ArticleRecord]) -> Iterator[tuple[Any, str]]:
        for article, (_, version) in zip(self.articles, self.versions(), strict=True):
            yield article, version

    def ordered(self, ids: Sequence[str]) -> Iterator[Article]:
        """The articles with these ids, in this order."""
        if self._by_id is None:
            self._by_id = {a.id: a for a in self.articles}
        return map(self._by_id.__getitem__, ids)

    def display(self, ids: Sequence[str]) -> dict[str, Any]:
        """What list entries show (never asked: every head is read in full here)."""
        return {a.id: a for a in self.ordered(ids)}

    def after_fork(self) -> None:
        """Nothing to reopen: the forked copy holds the list."""


class StoreSource:
    """The store: versions in one narrow query, heads of what changed, full rows by id."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # A forked process reopens the database; an in-memory one would be another, empty one.
        self.forkable = ":memory:" not in store.url and store.url.rstrip("/") != "sqlite:"
        self._versions: list[tuple[str, str]] | None = None

    def versions(self) -> list[tuple[str, str]]:
        """(id, version) of every article, newest first: one narrow query, made once."""
        if self._versions is None:
            self._versions = [(row.id, row.version) for row in self.store.article_versions()]
        return self._versions

    def heads(self, cached: Mapping[str, ArticleRecord]) -> Iterator[tuple[Any, str]]:
        """(head, version) of every article, newest first; `cached` maps ids to the
        manifest's records, whose heads stand for the articles whose version they have."""
        versions = self.versions()
        stale = [
            i for i, version in versions if (r := cached.get(i)) is None or r.version != version
        ]
        fresh = {head.id: head for head in self.store.article_heads(stale)} if stale else {}
        for article_id, version in versions:
            head: ArticleHead | CachedHead | None = fresh.get(article_id)
            if head is None:
                record = cached.get(article_id)
                if record is None:
                    continue  # deleted since the first query
                head = CachedHead(article_id, record)
            yield head, version

    def display(self, ids: Sequence[str]) -> dict[str, ArticleDisplay]:
        """What the list entries of these articles show."""
        return self.store.article_displays(ids)

    def ordered(self, ids: Sequence[str]) -> Iterator[Article]:
        """The articles with these ids, in this order, read a batch at a time."""
        for start in range(0, len(ids), BY_ID_BATCH):
            batch = ids[start : start + BY_ID_BATCH]
            found = {a.id: a for a in self.store.articles_by_id(batch)}
            yield from (found[i] for i in batch if i in found)

    def after_fork(self) -> None:
        """Connections are not shared across a fork: the child opens its own."""
        self.store.forget_inherited_connections()


SiteSource = MemorySource | StoreSource
