"""The feeds a web page offers: what it advertises, then where feeds usually live.

A user pastes whatever address they have (a home page, a section, a feed);
`newsmill sources add` needs the feed behind it. Pages declare theirs with
`<link rel="alternate" type="application/rss+xml">` (WordPress, Hugo, Ghost,
most CMSs); a page that declares none may still serve one at a usual path.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from lxml import etree

from newsmill.decoding import decode_document
from newsmill.htmltools import parse_document

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)
# Tried in this order when a page advertises nothing: WordPress, generic, Hugo, Jekyll.
USUAL_PATHS = ("/feed", "/rss", "/rss.xml", "/atom.xml", "/feed.xml", "/index.xml", "/feed.json")


def advertised_feeds(document: bytes, base_url: str, content_type: str = "") -> list[str]:
    """Absolute URLs of the feeds the page links as alternates, in page order, once each."""
    text = decode_document(document, content_type)[0]
    if not text.strip():
        return []
    try:
        root = parse_document(text)
    except (etree.ParserError, ValueError):
        return []
    base = root.xpath("string(//base/@href)").strip() or base_url
    found: list[str] = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            url = urljoin(urljoin(base_url, base), href)
            if url.startswith(("http://", "https://")) and url not in found:
                found.append(url)
    return found


def usual_feed_urls(page_url: str) -> list[str]:
    """Where a site without an advertised feed often has one, on the page's host."""
    parts = urlsplit(page_url)
    root = f"{parts.scheme}://{parts.netloc}"
    return [root + path for path in USUAL_PATHS]
