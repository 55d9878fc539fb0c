"""The link to a list's next page, as the page itself prints it."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml.html import HtmlElement

from newsmill.parse.listpage.text import squash

_NEXT_WORDS = frozenset(
    {
        "下一页",
        "下页",
        "后页",
        "下一頁",
        "next",
        "nextpage",
        "more",
        "older",
        "olderposts",
        "olderentries",
        "nextposts",
        "morestories",
        "loadmore",
    }
)
# A page path inside an onclick or data attribute: `go('/news/index2.html')`.
_PRINTED = re.compile(r"(?:https?://[^\s'\"()]+|/[\w\-./]+\.s?html?(?:\?[^\s'\"()]*)?)")
_ARROWS = re.compile(r"^[›»>→]+$")
_STRIP = re.compile(r"[\s›»>→<←‹«\-_.:：()\[\]]+")


def _is_next_text(text: str) -> bool:
    text = text.strip()
    if not text:
        return False
    if _ARROWS.match(text.replace(" ", "")):
        return True
    return _STRIP.sub("", text).lower() in _NEXT_WORDS


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
    """`rel=next` first, then a link whose text says next (下一页, Next, ›, More)."""
    for element in root.iter("link", "a"):
        if "next" in (element.get("rel") or "").lower().split():
            url = _href(element, base_url)
            if url:
                return url
    for element in root.iter("a"):
        label = (
            squash(element.text_content())
            or element.get("title")
            or element.get("aria-label")
            or ""
        )
        if len(label) <= 20 and _is_next_text(label):
            url = _href(element, base_url)
            if url:
                return url
    return None
