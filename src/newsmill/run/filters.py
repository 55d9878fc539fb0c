"""Include and exclude rules: a keyword, or a /regex/, matched on title and text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache


@lru_cache(maxsize=1024)
def _matcher(rule: str) -> re.Pattern[str]:
    if len(rule) > 1 and rule.startswith("/") and rule.endswith("/"):
        return re.compile(rule[1:-1], re.IGNORECASE)
    return re.compile(re.escape(rule), re.IGNORECASE)


def matches_any(rules: Sequence[str], text: str) -> bool:
    return any(_matcher(rule).search(text) for rule in rules)


def is_wanted(include: Sequence[str], exclude: Sequence[str], title: str, text: str) -> bool:
    """Kept if it matches an include rule (when there are any) and no exclude rule."""
    haystack = f"{title}\n{text}"
    if include and not matches_any(include, haystack):
        return False
    return not (exclude and matches_any(exclude, haystack))
