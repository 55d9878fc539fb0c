"""Per-host site rules: where a site keeps its article, and what on it is chrome.

Rules ship in `site_rules.toml` beside this module; `[rules."host"]` tables in
newsmill.toml extend them (their selectors are tried first) or add new hosts.
A host matches its own key and every subdomain of it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from cssselect import parse as parse_css
from cssselect.parser import Class, Element, Hash, Selector
from lxml import etree
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
    # drop_text by origin, the host's own and the generic ones: each group is joined
    # into one regex (see `any_pattern`) once, the generic one for every host.
    drop_text_groups: tuple[tuple[re.Pattern[str], ...], ...] = ()

    def text_matcher(self) -> Callable[[str], bool]:
        """Whether any drop_text pattern matches a text (see `any_pattern`)."""
        groups = [group for group in self.drop_text_groups or (self.drop_text,) if group]
        if len(groups) == 1:
            return any_pattern(groups[0])
        matchers = [any_pattern(group) for group in groups]
        return lambda text: any(matches(text) for matches in matchers)

    def selectors(self, key: str) -> list[XPath]:
        return [compile_selector(css) for css in getattr(self, key)]

    def selector_set(self, key: str) -> SelectorSet | None:
        """All of a key's selectors, matched in one walk (see SelectorSet)."""
        groups = getattr(self, key)
        return compile_selector_set(groups) if groups else None


@dataclass(frozen=True)
class SimpleSelector:
    """`tag`, `.class`, `#id` or a compound of them: `ins.adsbygoogle`, `div#main.wide`."""

    tag: str | None
    classes: frozenset[str]
    ident: str | None

    def matches(self, tag: str, classes: frozenset[str], ident: str | None) -> bool:
        return (
            (self.tag is None or self.tag == tag)
            and self.classes <= classes
            and (self.ident is None or self.ident == ident)
        )


def _as_simple(selector: Selector) -> SimpleSelector | None:
    """The selector as a SimpleSelector, or None if it needs more (combinators,
    attributes, pseudo-classes, namespaces, two ids)."""
    if selector.pseudo_element:
        return None
    node, classes, ident = selector.parsed_tree, set(), None
    while not isinstance(node, Element):
        if isinstance(node, Class):
            classes.add(node.class_name)
        elif isinstance(node, Hash) and ident is None:
            ident = node.id
        else:
            return None
        node = node.selector
    if node.namespace:
        return None
    tag = node.element.lower() if node.element else None  # HTML names ignore case
    return SimpleSelector(tag, frozenset(classes), ident)


def _class_names(value: str) -> frozenset[str]:
    """The names of a class attribute as CSS reads them: split at XML white space.

    str.split() also splits at other white space; no such character is left in a
    parsed page (control characters go before parsing) unless the value is not ASCII.
    """
    return frozenset(value.split() if value.isascii() else _XML_SPACE.split(value.strip()))


_XML_SPACE = re.compile(r"[ \t\r\n]+")


class SelectorSet:
    """CSS selectors matched in one walk of the tree, in document order.

    A union XPath of fifty class selectors costs libxml2 fifty tests of every
    element's class string; here the simple selectors (tag, class, id: nearly all
    site rules) are one set lookup per element, and only the others run as XPath.
    """

    def __init__(self, selectors: Sequence[str]) -> None:
        self._tags: set[str] = set()
        self._by_class: dict[str, list[SimpleSelector]] = {}
        self._by_id: dict[str, list[SimpleSelector]] = {}
        self._any = False
        complex_parts = []
        for css in selectors:
            for parsed in parse_css(css):
                simple = _as_simple(parsed)
                if simple is None:
                    complex_parts.append(css)
                elif simple.classes:
                    self._by_class.setdefault(min(simple.classes), []).append(simple)
                elif simple.ident is not None:
                    self._by_id.setdefault(simple.ident, []).append(simple)
                elif simple.tag is not None:
                    self._tags.add(simple.tag)
                else:
                    self._any = True  # `*`
        self._xpath = (
            compile_selector(", ".join(dict.fromkeys(complex_parts))) if complex_parts else None
        )

    def _matches(self, element: etree._Element) -> bool:
        tag = element.tag
        if self._any or tag in self._tags:
            return True
        ident = element.get("id")
        klass = element.get("class") if self._by_class else None
        if not klass and (ident is None or ident not in self._by_id):
            return False
        classes = _class_names(klass) if klass else frozenset()
        candidates = [s for name in classes for s in self._by_class.get(name, ())]
        candidates += self._by_id.get(ident, ()) if ident is not None else ()
        return any(s.matches(tag, classes, ident) for s in candidates)

    def select(self, root: etree._Element) -> list[etree._Element]:
        """`root` and its descendants that match any selector, in document order."""
        matched = set(self._xpath(root)) if self._xpath is not None else set()
        return [
            element
            for element in root.iter(etree.Element)
            if element in matched or self._matches(element)
        ]


@lru_cache(maxsize=1024)
def compile_selector_set(selectors: tuple[str, ...]) -> SelectorSet:
    return SelectorSet(selectors)


# Back-references by number would point at other groups once patterns are joined.
_NUMBERED_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")


@lru_cache(maxsize=1024)
def any_pattern(patterns: tuple[re.Pattern[str], ...]) -> Callable[[str], bool]:
    """Whether any of `patterns` is found in a text, asked as one regex search.

    Forty drop_text patterns cost forty searches per block; joined as alternatives
    they cost one. Patterns that cannot be joined without changing what they mean
    (flags of their own, numbered back-references, repeated group names) are
    searched one by one, as before.
    """
    joinable = all(
        p.flags == re.UNICODE and not _NUMBERED_REFERENCE.search(p.pattern) for p in patterns
    )
    if joinable:
        try:
            joined = re.compile("|".join(f"(?:{p.pattern})" for p in patterns))
        except re.error:
            pass
        else:
            return lambda text: joined.search(text) is not None
    return lambda text: any(p.search(text) for p in patterns)


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
        merged["drop_text_groups"] = tuple(
            tuple(re.compile(v) for v in dict.fromkeys(table.get("drop_text", [])))
            for table in (own, self.generic)
        )
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
