"""lxml helpers shared by extraction and cleaning: page chrome by class words,
text weights that treat Chinese fairly, and removal that keeps following text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement

# Words of class and id attributes (split at `-`, `_` and camelCase) that mark
# page chrome, and those that mark an article body.
NEGATIVE_WORDS = frozenset(
    """comment comments commentlist footer footnote foot share shares sharing sharebar social
    sidebar sponsor sponsored related relatedposts recommend recommended recommendation promo
    advert advertisement advertising ad ads adsense adslot adunit banner breadcrumb breadcrumbs
    nav navbar navigation menu masthead subscribe subscription newsletter popup modal cookie
    cookies outbrain taboola widget widgets toolbar login signup pagination pager copyright
    disclaimer qrcode qr erweima appendqr hot rank ranking xgyd xgwz tuijian bio byline tags
    tagcloud skip print hidden rating reactions popular trending follow disqus author meta
    dateline timestamp caption credit newsletter paywall more also next prev previous
    donate donation membership""".split()
)
POSITIVE_WORDS = frozenset(
    """article articles body content contents entry main post story text blog artibody detail
    details richmedia rich zw cont txt articlebody postbody storybody entrycontent""".split()
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")


_NO_WORDS: frozenset[str] = frozenset()


@lru_cache(maxsize=65536)
def _words(marks: str) -> frozenset[str]:
    return frozenset(_WORD_SPLIT.split(_CAMEL.sub(" ", marks).lower())) - {""}


def mark_words(element: HtmlElement) -> frozenset[str]:
    """The words of an element's class and id: `articleBody-main` -> article, body, main."""
    klass, ident = element.get("class"), element.get("id")
    if not klass and not ident:
        return _NO_WORDS
    return _words(f"{klass or ''} {ident or ''}")


def is_negative(words: frozenset[str]) -> bool:
    return bool(words & NEGATIVE_WORDS)


def is_positive(words: frozenset[str]) -> bool:
    return bool(words & POSITIVE_WORDS)


ALWAYS_JUNK = {
    "script", "style", "noscript", "template", "button", "input", "select", "textarea", "svg",
    "canvas", "object", "embed", "link", "meta", "iframe",
}  # fmt: skip
JUNK_TAGS = {"form", "nav", "aside", "footer", "dialog"}
_NOT_TEXT = {"script", "style", "noscript", "template"}


@dataclass
class Counts:
    text: int = 0
    links: int = 0


def _is_hidden(element: HtmlElement) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = element.get("style", "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def text_weight(text: str) -> int:
    """Length in reading units: a CJK character counts like a short English word's letters.

    Characters other than white space, plus two more for each CJK character,
    read off the UTF-8 length (three bytes for CJK) so no regex runs per node.
    """
    if not text or text.isspace():
        return 0
    stripped = "".join(text.split())
    return len(stripped.encode("utf-8"))


def remove_junk(root: HtmlElement) -> None:
    """Drop elements that never hold article text: code, forms, chrome, hidden boxes.

    A box that holds a large share of the page's text is a wrapper, whatever its
    class says (`page-ad-margins`, `has-sidebar`, a form around the whole page),
    so it stays and scoring decides.
    """
    counts = count_text(root)
    body = root.find("body")
    total = counts[body].text if body is not None and body in counts else counts[root].text
    doomed = []
    for element in root.iter():
        if not isinstance(element.tag, str):  # comments, processing instructions
            doomed.append(element)
            continue
        tag = element.tag.lower()
        if tag in ALWAYS_JUNK:
            doomed.append(element)
            continue
        if tag in ("body", "html", "article", "main", "a", "img", "p", "figure", "figcaption"):
            continue
        words = mark_words(element)
        unwanted = (
            tag in JUNK_TAGS
            or _is_hidden(element)
            or (is_negative(words) and not is_positive(words))
        )
        if unwanted and counts[element].text < max(total * 0.25, 200):
            doomed.append(element)
    for element in doomed:
        drop_keep_tail(element)


def drop_keep_tail(element: etree._Element) -> None:
    """Remove an element but keep the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def count_text(root: HtmlElement) -> dict[HtmlElement, Counts]:
    """Text and link-text weights of every element, in one bottom-up pass."""
    counts: dict[HtmlElement, Counts] = {}
    for element in reversed(list(root.iter(etree.Element))):
        if element.tag in _NOT_TEXT:
            counts[element] = Counts()
            continue
        c = Counts(text=text_weight(element.text or ""))
        for child in element:
            if not isinstance(child.tag, str):
                continue
            sub = counts.get(child)
            if sub is not None:
                c.text += sub.text
                c.links += sub.links
            c.text += text_weight(child.tail or "")
        if element.tag == "a":
            c.links = c.text
        counts[element] = c
    return counts
