"""Content hashes: the same text is the same article, whatever markup wraps it."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def content_hash(title: str, text: str) -> str:
    normalized = unicodedata.normalize("NFKC", f"{title}\n{text}").casefold()
    return hashlib.sha256(_NOT_WORD.sub(" ", normalized).strip().encode()).hexdigest()
