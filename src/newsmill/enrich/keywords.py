"""Tags for articles whose feed gives none: keywords of the text.

jieba's TF-IDF for Chinese (it segments words too), YAKE for other text.
Both load lazily: jieba's dictionary takes about a second, paid only by a
run that needs it.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

_NUMERIC = re.compile(r"^[\d.,%\-]+$")


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    return jieba.analyse


@lru_cache(maxsize=1)
def _yake(top: int) -> Any:
    import yake

    return yake.KeywordExtractor(lan="en", n=2, top=top * 2, dedupLim=0.7)


def keywords(text: str, language: str | None, limit: int) -> list[str]:
    """At most `limit` keywords, best first; none for text too short to judge."""
    if limit <= 0 or len(text) < 40:
        return []
    sample = text[:5000]
    if language == "zh":
        found = _jieba().extract_tags(sample, topK=limit * 2)
    else:
        found = [k for k, _score in _yake(limit).extract_keywords(sample)]
    tags: list[str] = []
    for word in found:
        word = word.strip()
        if len(word) < 2 or _NUMERIC.match(word) or word.lower() in (t.lower() for t in tags):
            continue
        tags.append(word)
        if len(tags) == limit:
            break
    return tags
