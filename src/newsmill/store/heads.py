"""What the outputs read of an article without its content: typed rows for builds that
read thousands of articles each time (the site, the post writers).

The driver's values differ by database: SQLite gives JSON lists and times as text,
PostgreSQL gives lists and datetimes. They are decoded here, once, so no output
sees a driver value. SQLAlchemy's per-value conversions were most of the cost of
reading heads, so the rows come as the driver gives them and are decoded in bulk.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

HEAD_FIELDS = (
    "id", "source", "title", "url", "categories", "tags", "published",
    "lead_image", "summary", "language", "publisher", "author", "duplicate_of",
    "date_is_fallback", "fetched",
)  # fmt: skip
# What a list entry shows of an article, read only for the entries that are rendered.
DISPLAY_FIELDS = (
    "id", "title", "url", "lead_image", "summary", "language", "publisher", "author",
    "date_is_fallback", "fetched",
)  # fmt: skip


class ArticleVersion(NamedTuple):
    """An article's id and version (changes whenever the article does), newest first."""

    id: str
    version: str
    primary: str | None  # the article of its story it duplicates, if any


def stored_version(changed_at: Any, cluster: str | None, primary: str | None) -> str:
    """An article's version: every change the store makes to an article sets
    `changed_at`, but for deduplication, which sets the cluster and the primary;
    together they change whenever the article does."""
    return f"{changed_at}|{cluster or ''}|{primary or ''}"


class ArticleHead:
    """An article without content and text."""

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


class ArticleDisplay:
    """What a list entry shows of an article."""

    __slots__ = DISPLAY_FIELDS

    id: str
    title: str
    url: str
    lead_image: str | None
    summary: str
    language: str | None
    publisher: str | None
    author: str
    date_is_fallback: bool
    fetched: datetime


class RowDecoder:
    """Driver values into Python ones. Repeated JSON values (categories) are decoded once."""

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

    def head(self, row: Sequence[Any]) -> ArticleHead:
        """A row of HEAD_FIELDS."""
        head = ArticleHead()
        (head.id, head.source, head.title, head.url, categories, tags, published,
         head.lead_image, head.summary, head.language, head.publisher, head.author,
         head.duplicate_of, undated, fetched) = row  # fmt: skip
        head.categories = self.strings(categories)
        head.tags = self.strings(tags)
        head.published = self.moment(published)
        head.date_is_fallback = bool(undated)
        head.fetched = self.moment(fetched)
        return head

    def display(self, row: Sequence[Any]) -> ArticleDisplay:
        """A row of DISPLAY_FIELDS."""
        shown = ArticleDisplay()
        (shown.id, shown.title, shown.url, shown.lead_image, shown.summary, shown.language,
         shown.publisher, shown.author, undated, fetched) = row  # fmt: skip
        shown.date_is_fallback = bool(undated)
        shown.fetched = self.moment(fetched)
        return shown
