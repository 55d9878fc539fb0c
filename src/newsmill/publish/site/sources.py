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

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from newsmill.model import Article
from newsmill.publish.site.keys import article_version
from newsmill.publish.site.manifest import ArticleRecord
from newsmill.store import Store, stored_version

HEAD_FIELDS = (
    "id", "source", "title", "url", "categories", "tags", "published",
    "lead_image", "summary", "language", "publisher", "author", "duplicate_of",
    "date_is_fallback", "fetched",
)  # fmt: skip
# What a list entry shows, read only for the entries that are rendered.
DISPLAY_FIELDS = (
    "title", "url", "lead_image", "summary", "language", "publisher", "author",
    "date_is_fallback", "fetched",
)  # fmt: skip
BY_ID_BATCH = 500


class Head:
    """An article without content and text, from a store row."""

    __slots__ = HEAD_FIELDS

    id: str
    source: str
    title: str
    url: str
    categories: list[str]
    tags: list[str]
    published: datetime
    lead_image: str | None
    summary: str
    language: str | None
    publisher: str | None
    author: str
    duplicate_of: str | None
    date_is_fallback: bool  # undated: `published` only places it; `fetched` is first seen
    fetched: datetime


class Display:
    """What a list entry shows of an article: a row of DISPLAY_FIELDS after the id."""

    __slots__ = DISPLAY_FIELDS

    def __init__(self, row: Sequence[Any]) -> None:
        (self.title, self.url, self.lead_image, self.summary, self.language, self.publisher,
         self.author, undated, fetched) = row[1:]  # fmt: skip
        self.date_is_fallback = bool(undated)
        self.fetched = _Decoder.moment(fetched)


class CachedHead:
    """An unchanged article: its manifest record, which says where it goes (page path,
    local time, source, categories, tags, primary), not what it shows."""

    __slots__ = ("id", "record")

    def __init__(self, article_id: str, record: ArticleRecord) -> None:
        self.id = article_id
        self.record = record


def record_of(item: Any, owner: str, page: str) -> ArticleRecord:
    """What the manifest keeps of an article, for `CachedHead` and the next build."""
    return ArticleRecord(
        item.key, item.path, item.iso, owner, page, item.source, list(item.categories),
        list(item.tags), item.duplicate_of,
    )  # fmt: skip


class _Decoder:
    """Driver values into Python ones: SQLite gives text for JSON and dates, PostgreSQL
    gives lists and datetimes. Repeated JSON values (categories) are decoded once."""

    def __init__(self) -> None:
        self._lists: dict[str, list[str]] = {}

    def strings(self, value: Any) -> list[str]:
        if isinstance(value, str):
            found = self._lists.get(value)
            if found is None:
                found = self._lists[value] = [str(x) for x in json.loads(value)]
            return found
        return [str(x) for x in value or ()]

    @staticmethod
    def moment(value: Any) -> datetime:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def head(self, row: Sequence[Any]) -> Head:
        """A row of HEAD_FIELDS."""
        head = Head()
        (head.id, head.source, head.title, head.url, categories, tags, published,
         head.lead_image, head.summary, head.language, head.publisher, head.author,
         head.duplicate_of, undated, fetched) = row  # fmt: skip
        head.categories = self.strings(categories)
        head.tags = self.strings(tags)
        head.published = self.moment(published)
        head.date_is_fallback = bool(undated)
        head.fetched = self.moment(fetched)
        return head


class MemorySource:
    """Articles given in a list, newest first (tests and small sets)."""

    forkable = True

    def __init__(self, articles: list[Article]) -> None:
        self.articles = articles
        self._by_id: dict[str, Article] | None = None

    def heads(self, cached: Mapping[str, ArticleRecord]) -> Iterator[tuple[Any, str]]:
        for article in self.articles:
            yield article, article_version(article)

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

    def heads(self, cached: Mapping[str, ArticleRecord]) -> Iterator[tuple[Any, str]]:
        """(head, version) of every article, newest first; `cached` maps ids to the
        manifest's records, whose heads stand for the articles whose version they have."""
        versions = [
            (i, stored_version(changed, cluster, primary))
            for i, changed, cluster, primary in self.store.article_versions()
        ]
        stale = [
            i for i, version in versions if (r := cached.get(i)) is None or r.version != version
        ]
        fresh = self._heads(stale)
        for article_id, version in versions:
            head: Head | CachedHead | None = fresh.get(article_id)
            if head is None:
                record = cached.get(article_id)
                if record is None:
                    continue  # deleted since the first query
                head = CachedHead(article_id, record)
            yield head, version

    def display(self, ids: Sequence[str]) -> dict[str, Display]:
        """What the list entries of these articles show."""
        rows = self.store.article_fields(("id", *DISPLAY_FIELDS), ids)
        return {row[0]: Display(row) for row in rows}

    def _heads(self, ids: list[str]) -> dict[str, Head]:
        """The heads of these articles, all of them: most of the store in one pass."""
        decoder = _Decoder()
        wanted = set(ids)
        if len(ids) > BY_ID_BATCH * 4:
            rows = self.store.article_fields(HEAD_FIELDS)
        else:
            rows = self.store.article_fields(HEAD_FIELDS, ids)
        heads = (decoder.head(row) for row in rows if row[0] in wanted)
        return {head.id: head for head in heads}

    def ordered(self, ids: Sequence[str]) -> Iterator[Article]:
        """The articles with these ids, in this order, read a batch at a time."""
        for start in range(0, len(ids), BY_ID_BATCH):
            batch = ids[start : start + BY_ID_BATCH]
            found = {a.id: a for a in self.store.articles_by_id(batch)}
            yield from (found[i] for i in batch if i in found)

    def after_fork(self) -> None:
        """Connections are not shared across a fork: the child opens its own."""
        self.store.forget_inherited_connections()
