"""Per-host site rules: where a site keeps its article, and what on it is chrome.

Rules ship in `site_rules.toml` beside this module; `[rules."host"]` tables in
newsmill.toml extend them (their selectors are tried first) or add new hosts.
A host matches its own key and every subdomain of it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from lxml.cssselect import CSSSelector
from lxml.etree import XPath

LIST_KEYS = ("content", "drop", "title", "published", "publisher", "author", "drop_text")
TEXT_KEYS = ("referer", "user_agent")


class RuleError(ValueError):
    """A rule that cannot be compiled; the message names the host and the rule."""


@lru_cache(maxsize=4096)
def compile_selector(css: str) -> XPath:
    return CSSSelector(css, translator="html")


@dataclass(frozen=True)
class SiteRule:
    """The rules for one page: the host's own, then the generic ones."""

    content: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    title: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    publisher: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    drop_text: tuple[re.Pattern[str], ...] = ()
    referer: str = ""
    user_agent: str = ""

    def selectors(self, key: str) -> list[XPath]:
        return [compile_selector(css) for css in getattr(self, key)]

    def union(self, key: str) -> XPath | None:
        """All of a key's selectors as one XPath: one walk of the tree, not one each."""
        groups = getattr(self, key)
        return compile_selector(", ".join(groups)) if groups else None


@dataclass
class RuleBook:
    hosts: dict[str, dict[str, Any]] = field(default_factory=dict)
    generic: dict[str, Any] = field(default_factory=dict)

    def _host_table(self, host: str) -> dict[str, Any]:
        parts = host.lower().split(".")
        for i in range(len(parts) - 1):
            table = self.hosts.get(".".join(parts[i:]))
            if table is not None:
                return table
        return {}

    @lru_cache(maxsize=1024)  # noqa: B019 - one book lives for the process
    def for_host(self, host: str) -> SiteRule:
        own = self._host_table(host)
        merged: dict[str, Any] = {}
        for key in LIST_KEYS:
            values = [*own.get(key, []), *self.generic.get(key, [])]
            if key == "drop_text":
                merged[key] = tuple(re.compile(v) for v in dict.fromkeys(values))
            else:
                merged[key] = tuple(dict.fromkeys(values))
        for key in TEXT_KEYS:
            merged[key] = own.get(key, "") or ""
        return SiteRule(**merged)

    def for_url(self, url: str) -> SiteRule:
        return self.for_host(urlsplit(url).hostname or "")

    def __hash__(self) -> int:
        return id(self)


def _validate(name: str, table: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in table.items():
        if key in LIST_KEYS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise RuleError(f"rules {name!r}: {key} must be a list of strings")
            for item in value:
                try:
                    re.compile(item) if key == "drop_text" else compile_selector(item)
                except Exception as exc:
                    raise RuleError(f"rules {name!r}: bad {key} {item!r}: {exc}") from None
            clean[key] = list(value)
        elif key in TEXT_KEYS:
            if not isinstance(value, str):
                raise RuleError(f"rules {name!r}: {key} must be a string")
            clean[key] = value
        else:
            raise RuleError(f"rules {name!r}: unknown key {key!r}")
    return clean


@lru_cache(maxsize=1)
def _shipped() -> dict[str, Any]:
    text = resources.files("newsmill.clean").joinpath("site_rules.toml").read_text("utf-8")
    return tomllib.loads(text)


def load_rules(overrides: Mapping[str, Mapping[str, Any]] | None = None) -> RuleBook:
    """The shipped rules, extended by the user's `[rules."host"]` tables."""
    shipped = _shipped()
    hosts = {h.lower(): _validate(h, t) for h, t in shipped.get("hosts", {}).items()}
    generic = _validate("generic", shipped.get("generic", {}))
    for host, table in (overrides or {}).items():
        extra = _validate(host, table)
        if host == "generic":
            for key, values in extra.items():
                generic[key] = [*values, *generic.get(key, [])] if key in LIST_KEYS else values
            continue
        base = hosts.setdefault(host.lower(), {})
        for key, values in extra.items():
            base[key] = [*values, *base.get(key, [])] if key in LIST_KEYS else values
    return RuleBook(hosts=hosts, generic=generic)


@lru_cache(maxsize=1)
def default_rules() -> RuleBook:
    """The shipped rules alone, for callers without a configuration."""
    return load_rules()


def first_match(root: Any, selectors: Sequence[XPath]) -> Any | None:
    for selector in selectors:
        found = selector(root)
        if found:
            return found[0]
    return None
