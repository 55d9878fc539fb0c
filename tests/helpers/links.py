"""Every link of a built site checked against its files, as a crawler would find them."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import html

LINKING = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src"}


def broken_links(site: Path) -> list[str]:
    """`page -> link` for each link of each page that leads to no file of the site.
    Links with a scheme or a host (other sites) and in-page anchors are not followed."""
    root = site.resolve()
    broken = []
    for page in sorted(root.rglob("*.html")):
        tree = html.fromstring(page.read_bytes())
        for element in tree.iter(*LINKING):
            link = element.get(LINKING[element.tag])
            if not link:
                continue
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            path = unquote(parts.path)
            target = (root / path.lstrip("/")) if path.startswith("/") else page.parent / path
            if path.endswith("/"):
                target = target / "index.html"
            target = target.resolve()
            if not target.is_relative_to(root) or not target.is_file():
                broken.append(f"{page.relative_to(root)} -> {link}")
    return broken
