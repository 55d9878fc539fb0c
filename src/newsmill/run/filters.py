"""Include and exclude rules, maximum age and languages, per source and global.

A rejected item is recorded with its reason (see Store.record_filtered), so
it is neither processed again nor silently lost.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from newsmill.config import FiltersConfig
from newsmill.model import Article, Source


@lru_cache(maxsize=1024)
def _matcher(rule: str) -> re.Pattern[str]:
    if len(rule) > 1 and rule.startswith("/") and rule.endswith("/"):
        return re.compile(rule[1:-1], re.IGNORECASE)
    return re.compile(re.escape(rule), re.IGNORECASE)


def first_match(rules: Sequence[str], text: str) -> str | None:
    return next((rule for rule in rules if _matcher(rule).search(text)), None)


def is_wanted(include: Sequence[str], exclude: Sequence[str], title: str, text: str) -> bool:
    """Kept if it matches an include rule (when there are any) and no exclude rule."""
    return _rule_rejection(include, exclude, f"{title}\n{text}") is None


def _rule_rejection(include: Sequence[str], exclude: Sequence[str], haystack: str) -> str | None:
    if include and first_match(include, haystack) is None:
        return "matches no include rule"
    if exclude and (rule := first_match(exclude, haystack)):
        return f"matches exclude rule {rule!r}"
    return None


def rejection(source: Source, shared: FiltersConfig, article: Article, now: datetime) -> str | None:
    """Why the article is filtered out, or None to keep it."""
    haystack = f"{article.title}\n{article.text}"
    for include, exclude in ((source.include, source.exclude), (shared.include, shared.exclude)):
        if reason := _rule_rejection(include, exclude, haystack):
            return reason
    for max_age in (source.max_age, shared.max_age):
        if max_age and not article.date_is_fallback:
            age = (now - article.published).total_seconds()
            if age > max_age:
                return f"older than {max_age / 86400:g} days"
    for languages in (source.languages, shared.languages):
        if languages and not _speaks(article.language, languages):
            return f"language {article.language or 'unknown'} not in {list(languages)}"
    return None


def _speaks(language: str | None, wanted: Sequence[str]) -> bool:
    """`zh` admits `zh-CN` and `zh-Hant`; `pt-BR` admits only `pt-BR`."""
    if not language:
        return False
    lowered = language.lower()
    return any(lowered == w.lower() or lowered.startswith(w.lower() + "-") for w in wanted)
