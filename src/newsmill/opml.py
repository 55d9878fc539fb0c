"""OPML 2.0 import and export of sources, category levels as nested outlines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from newsmill.configfile import ConfigError
from newsmill.model import Source
from newsmill.names import source_name


class OpmlError(ConfigError):
    """The OPML file cannot be read; the message names it."""


UNFILED = "Feeds"  # the group of feeds an OPML file keeps in no folder


def read_opml(path: Path, taken_names: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Sources as config tables. The folders above a feed become its categories (group,
    source, channel), with the feed's own title as the source level when they are
    fewer than two; feeds in no folder are filed under one group (`UNFILED`), not
    each a group of its own. The title is not the author: it would become the
    author of every article whose feed names none."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except OSError as exc:
        raise OpmlError(f"{path}: cannot read: {exc}") from None
    except etree.XMLSyntaxError as exc:
        raise OpmlError(f"{path}: not valid XML: {exc}") from None
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise OpmlError(f"{path}: not an OPML document (no <opml><body>)")
    taken = set(taken_names)
    found: list[dict[str, Any]] = []

    def walk(element: etree._Element, trail: list[str]) -> None:
        for outline in element.findall("outline"):
            label = (outline.get("text") or outline.get("title") or "").strip()
            url = (outline.get("xmlUrl") or "").strip()
            if url:
                folders = trail or [UNFILED]
                if len(folders) < 2:
                    folders = [*folders, label or urlsplit(url).hostname or "feed"]
                found.append(
                    {
                        "name": source_name(outline.get("newsmillName") or label, url, taken),
                        "url": url,
                        "categories": folders[:3],
                    }
                )
            else:
                walk(outline, [*trail, label] if label else trail)

    walk(body, [])
    return found


def write_opml(sources: Sequence[Source], title: str) -> bytes:
    """OPML 2.0 with one nested outline per category level; feeds only (a list
    source has no feed for another reader to subscribe to)."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = etree.SubElement(root, "body")
    folders: dict[tuple[str, ...], etree._Element] = {}
    for source in (s for s in sources if s.kind == "feed"):
        parent = body
        for depth in range(1, len(source.categories) + 1):
            key = source.categories[:depth]
            if key not in folders:
                folders[key] = etree.SubElement(parent, "outline", text=key[-1], title=key[-1])
            parent = folders[key]
        label = source.author or source.name
        etree.SubElement(
            parent, "outline", type="rss", text=label, title=label, xmlUrl=source.url
        ).set("newsmillName", source.name)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
