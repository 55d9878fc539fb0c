"""What newsmill knows of RSSHub: its access key and the error page it answers with.

RSSHub (self-hosted, one or more instances) answers a route it cannot serve with
an HTML page whose message is a JavaScript error and its stack. A user reading
`newsmill status` wants the first line ("Error: Error test"), not the page.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import lxml.html
from lxml import etree

_HIDDEN = "***"


def hide_key(text: str, key: str | None) -> str:
    """`text` with the key masked, as it may come back in a URL or a message."""
    if not key or not text:
        return text
    return text.replace(f"key={key}", "key=" + _HIDDEN).replace(key, _HIDDEN)


def with_key(url: str, key: str | None) -> str:
    """The URL as RSSHub's access control expects it: `?key=` added (or replaced)."""
    return _keyed(url, [("key", key)]) if key else url


def without_key(url: str, key: str | None) -> str:
    """The URL a user may see: the `key` parameter this module added, removed."""
    return _keyed(url, []) if key else url


def _keyed(url: str, key: list[tuple[str, str]]) -> str:
    """`url` with its `key` parameters replaced by `key` (none: removed)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "key"]
    return urlunsplit(parts._replace(query=urlencode([*query, *key])))


_STACK_LINE = re.compile(r"^\s+at\s")


def error_message(body: bytes) -> str | None:
    """RSSHub's own one-line message from its error page, or None for another page."""
    if b"RSSHub" not in body[:4096]:
        return None
    try:
        root = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return None
    title = root.findtext(".//title") or ""
    if "RSSHub" not in title:
        return None
    for element in root.xpath(
        '//*[contains(concat(" ", normalize-space(@class), " "), " message ")]'
    ):
        lines = [line.strip() for line in element.text_content().splitlines()]
        message = next((line for line in lines if line and not _STACK_LINE.match(line)), "")
        if message:
            return message[:300]
    return None
