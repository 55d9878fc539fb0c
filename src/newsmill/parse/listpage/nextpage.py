"""The link to a list's next page, as the page itself prints it."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml.html import HtmlElement

from newsmill.parse.listpage.text import squash

# Words that say "next page" whatever the link points to.
_NEXT_WORDS = frozenset(
    {
        "下一页",
        "下页",
        "后页",
        "下一頁",
        "next",
        "nextpage",
        "older",
        "olderposts",
        "olderentries",
        "nextposts",
    }
)
# Words and arrows that say "next page" only when the link is a page of the
# same list: a section header's "More ›" points at the section, not page 2.
_WEAK_WORDS = frozenset({"more", "morestories", "loadmore", "显示更多", "加载更多"})
_PAGED = re.compile(
    r"(?:[?&/_-](?:page|paged|p|pn|pg|pageno|pageindex|start|offset)[=/_-]?\d+)"
    r"|(?:index|list)?[_-]?\d{1,4}\.s?html?$|#page=?\d+",
    re.I,
)
# A page path inside an onclick or data attribute: `go('/news/index2.html')`.
_PRINTED = re.compile(r"(?:https?://[^\s'\"()]+|/[\w\-./]+\.s?html?(?:\?[^\s'\"()]*)?)")
_ARROWS = re.compile(r"^[›»>→]+$")
_STRIP = re.compile(r"[\s›»>→<←‹«\-_.:：()\[\]]+")


def _strength(text: str) -> int:
    """2: says next page; 1: says next only if the target is paged; 0: not a next link."""
    text = text.strip()
    if not text or len(text) > 20:
        return 0
    if _ARROWS.match(text.replace(" ", "")):
        return 1
    word = _STRIP.sub("", text).lower()
    if word in _NEXT_WORDS:
        return 2
    return 1 if word in _WEAK_WORDS else 0


def _href(element: HtmlElement, base_url: str) -> str | None:
    """The link's target; for a script-driven link, a page path printed in its attributes."""
    href = (element.get("href") or "").strip()
    if not href or href == "#" or href.lower().startswith("javascript:"):
        href = _printed_path(element)
        if href is None:
            return None
    url = urljoin(base_url, href)
    return url if url.startswith(("http://", "https://")) and url != base_url else None


def _printed_path(element: HtmlElement) -> str | None:
    for name, value in element.attrib.items():
        if name in ("href", "class", "style", "id", "title"):
            continue
        found = _PRINTED.search(value)
        if found:
            return found.group(0)
    return None


def find_next_page(root: HtmlElement, base_url: str) -> str | None:
    """`rel=next` first, then a link that says next (下一页, Next, Older posts), then one
    that says more or shows an arrow and points at a numbered page."""
    for element in root.iter("link", "a"):
        if "next" in (element.get("rel") or "").lower().split():
            url = _href(element, base_url)
            if url:
                return url
    weak: str | None = None
    for element in root.iter("a"):
        label = (
            squash(element.text_content())
            or element.get("title")
            or element.get("aria-label")
            or ""
        )
        strength = _strength(label)
        if not strength:
            continue
        url = _href(element, base_url)
        if url is None:
            continue
        if strength == 2:
            return url
        if weak is None and _PAGED.search(url):
            weak = url
    return weak
