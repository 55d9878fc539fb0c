"""Cleaning a feed item's own HTML: the same boilerplate rules as pages, then sanitizing."""

from __future__ import annotations

import lxml.html
from lxml import etree

from newsmill.clean.boilerplate import clean_tree
from newsmill.clean.rules import SiteRule
from newsmill.clean.sanitize import CONTROL_CHARACTERS, sanitize_html


def inner_html(element: etree._Element) -> str:
    parts = [element.text or ""]
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in element)
    return "".join(parts)


def clean_fragment(html: str, base_url: str, rule: SiteRule) -> str:
    """Boilerplate removed (site rules, promos, editor lines, pixels), then sanitized."""
    if not html or not html.strip():
        return ""
    # lxml parses control characters into text but refuses them when text is set.
    html = CONTROL_CHARACTERS.sub("", html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return sanitize_html(html, base_url)
    clean_tree(root, rule, base_url)
    return sanitize_html(inner_html(root), base_url)
