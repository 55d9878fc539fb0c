"""Plain text from clean HTML, one block per line, for search, hashes and summaries."""

from __future__ import annotations

import re

from lxml import etree

from newsmill.htmltools import parse_fragment

# Tags that end a line of text: what the clean stage also treats as a line of its own.
LINE_TAGS = frozenset({
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "br",
    "figcaption", "figure", "table", "ul", "ol", "dl", "dt", "dd", "hr", "section", "article",
    "header", "footer", "caption", "details", "summary",
})  # fmt: skip
# Spaces, tabs, no-break, ideographic and zero-width spaces: a run of them reads as one space.
_SPACE_CHARS = " \t\u00a0\u3000\u200b\u200c\u200d\ufeff"
_SPACE_RUN = re.compile(" {2,}")


def _collapse_spaces(text: str) -> str:
    """Each run of _SPACE_CHARS to one space.

    str.replace and a run of plain spaces, not one regex character class: re tests
    a class with characters beyond Latin-1 one character at a time, five times slower.
    """
    for char in _SPACE_CHARS[1:]:
        if char in text:
            text = text.replace(char, " ")
    return _SPACE_RUN.sub(" ", text)


def html_to_text(html: str) -> str:
    if not html or not html.strip():
        return ""
    try:
        # Control characters go before parsing: lxml would refuse them as we add newlines.
        root = parse_fragment(html)
    except (etree.ParserError, ValueError):
        return _collapse_spaces(html).strip()
    for element in root.iter(*LINE_TAGS):
        element.tail = "\n" + (element.tail or "")
        if element.tag == "br":
            continue
        element.text = "\n" + (element.text or "")
    text = _collapse_spaces(root.text_content())  # once, not once per line
    return "\n".join([line for line in (raw.strip() for raw in text.split("\n")) if line])
