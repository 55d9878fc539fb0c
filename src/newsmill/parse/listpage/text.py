"""Text helpers shared by the HTML and JSON readers."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from newsmill.htmltools import text_weight


def squash(text: str | None) -> str:
    """White space collapsed, as a reader sees the text."""
    return " ".join(text.split()) if text else ""


def weight(text: str) -> int:
    """Reading length, CJK-aware (see `newsmill.htmltools.text_weight`)."""
    return text_weight(text)


def absolute(href: str | None, base_url: str) -> str | None:
    """`href` resolved against the page, if it names an http(s) page."""
    if not href:
        return None
    href = href.strip().replace("\\/", "/")
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#", "data:")):
        return None
    try:
        url = urljoin(base_url, href)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url
