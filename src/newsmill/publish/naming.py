"""File names for articles: stable, safe on every filesystem, and unique."""

from __future__ import annotations

import re
import unicodedata

from newsmill.model import Article

_UNSAFE = re.compile(r"[^\w]+", re.UNICODE)
MAX_SLUG_BYTES = 120
SHORT_ID_LENGTH = 10


def slugify(title: str, max_bytes: int = MAX_SLUG_BYTES) -> str:
    """Lower-case words joined by `-`; Chinese stays Chinese (readable URLs).

    Everything but letters, digits and `_` becomes `-`, so no slug can hold a
    path separator, a dot-dot or a reserved character.
    """
    text = unicodedata.normalize("NFKC", title).casefold()
    slug = _UNSAFE.sub("-", text).strip("-_")
    encoded = slug.encode("utf-8")
    if len(encoded) > max_bytes:
        slug = encoded[:max_bytes].decode("utf-8", errors="ignore").rstrip("-_")
    return slug


def short_id(article: Article) -> str:
    return article.id[:SHORT_ID_LENGTH]


def post_stem(article: Article, date_prefix: str) -> str:
    """`2026-11-28-slug-0123456789`: date, slug, short id; well under 255 bytes."""
    slug = slugify(article.title)
    parts = [date_prefix, slug, short_id(article)] if slug else [date_prefix, short_id(article)]
    return "-".join(parts)


ID_SUFFIX = re.compile(rf"-([0-9a-f]{{{SHORT_ID_LENGTH}}})\.[a-z]+$")
