"""Article <-> row of `articles`, both ways from one field list.

Every field of `Article` is a column of the same name, so a field added to the
model and not to the schema fails the first write instead of going unsaved.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from newsmill.model import Article

ARTICLE_FIELDS = tuple(f.name for f in fields(Article))
# Set by deduplication (`Store.save_dedupe`), never by a write of the article itself.
_SET_BY_DEDUPE = frozenset({"cluster", "duplicate_of"})
_LISTS = ("categories", "tags")  # JSON columns


def article_to_row(article: Article, changed_at: datetime) -> dict[str, Any]:
    """The column values of an article written at `changed_at`."""
    row = {name: getattr(article, name) for name in ARTICLE_FIELDS if name not in _SET_BY_DEDUPE}
    for name in _LISTS:
        row[name] = list(row[name])
    row["changed_at"] = changed_at
    return row


def columns_to_article(row: Row[Any] | tuple[Any, ...]) -> Article:
    """The article of a row of exactly ARTICLE_FIELDS, in that order: read by position,
    half the cost of reading each value by name, for the thousands a build reads."""
    values = dict(zip(ARTICLE_FIELDS, row, strict=True))
    for name in _LISTS:
        values[name] = list(values[name] or [])
    values["date_is_fallback"] = bool(values["date_is_fallback"])
    values["date_source"] = values["date_source"] or ""  # stored before v9
    return Article(**values)
