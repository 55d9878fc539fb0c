"""Plain text from clean HTML, one block per line, for search, hashes and summaries."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

_BLOCKS = {
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "br",
    "figcaption", "figure", "table", "ul", "ol", "dl", "dt", "dd", "hr", "section", "article",
    "header", "footer", "caption", "details", "summary",
}  # fmt: skip
_SPACES = re.compile(r"[ \t\u00a0\u3000\u200b\u200c\u200d\ufeff]+")


def html_to_text(html: str) -> str:
    if not html or not html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return _SPACES.sub(" ", html).strip()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
            if element.tag == "br":
                continue
            element.text = "\n" + (element.text or "")
    lines = (_SPACES.sub(" ", line).strip() for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)
