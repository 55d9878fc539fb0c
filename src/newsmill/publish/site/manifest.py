"""The build manifest (`.newsmill-site.json`): what the last build wrote, and why.

It maps every file a build wrote to a key (a hash of everything the page shows),
and keeps a record of every article: where its page is, the key of that page and
what places it in lists. A build compares its own keys with these to render only
what changed. On disk an article record is a JSON array, compact for archives of
100,000 articles; in memory it is an `ArticleRecord` with named fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from newsmill.publish.site.search.state import SearchState

MANIFEST = ".newsmill-site.json"
SITE_FORMAT = 3  # 3: entries and pages say their own language


class ArticleRecord(NamedTuple):
    """What the manifest keeps of one article, for the next build."""

    version: str  # the article's version: changes whenever any of its fields does
    path: str  # its page, relative to the site folder
    iso: str  # its local publishing time
    owner: str  # the article it is listed under (its story's primary), "" for itself
    page_key: str  # what its page shows of the story's other reports ("" for none)
    source: str
    categories: list[str]
    tags: list[str]
    primary: str | None  # the article it duplicates, as the store says


def _record(value: Any) -> ArticleRecord:
    """A record read from disk, checked: a manifest edited by hand or cut short must
    make the build start afresh, not fail half-way. (The paths it names are checked
    again before anything is deleted: `paths.inside_site`.) A few type checks, not one
    per field: a manifest holds a record per article, 100,000 of them on big sites."""
    if (
        type(value) is not list
        or len(value) != 9
        or type(value[0]) is not str
        or type(value[1]) is not str
        or type(value[3]) is not str
        or type(value[6]) is not list
    ):
        raise ValueError("an article record of an unknown shape")
    return ArticleRecord._make(value)


@dataclass
class Manifest:
    """The last build's manifest; empty when there is none or it cannot be read."""

    pages: dict[str, str] = field(default_factory=dict)  # path -> key
    articles: dict[str, ArticleRecord] = field(default_factory=dict)  # id -> record
    search: SearchState | None = None
    site_key: str = ""
    versions: str = ""  # `keys.versions_digest` of the articles it was built from
    # list folder: the key of what all its pages show alike (heading, breadcrumbs, feeds)
    lists: dict[str, str] = field(default_factory=dict)


def read_manifest(folder: Path) -> Manifest:
    """The manifest in `folder`; anything unreadable means building it all afresh. Its
    list of pages, if that much reads, is kept: the next build removes the pages it
    no longer makes even when the article records were damaged."""
    try:
        data = orjson.loads((folder / MANIFEST).read_bytes())
        if data.get("v") != SITE_FORMAT:
            return Manifest()
        pages = data["pages"]
        if not isinstance(pages, dict) or not set(map(type, pages.values())) <= {str}:
            raise ValueError("pages of an unknown shape")
    except (FileNotFoundError, ValueError, KeyError, TypeError, AttributeError):
        return Manifest()
    manifest = Manifest(pages=pages)
    try:
        manifest.search = SearchState.from_json(data["search"]) if data.get("search") else None
        articles = data["articles"]
        if not isinstance(articles, dict):
            raise ValueError("article records of an unknown shape")
        manifest.articles = {key: _record(value) for key, value in articles.items()}
        manifest.site_key = str(data["site_key"])
        manifest.versions = str(data.get("versions", ""))
        lists = data.get("lists", {})
        if not isinstance(lists, dict) or not set(map(type, lists.values())) <= {str}:
            raise ValueError("lists of an unknown shape")
        manifest.lists = lists
    except (ValueError, KeyError, TypeError, AttributeError):
        manifest.articles, manifest.site_key, manifest.versions = {}, "", ""
        manifest.lists = {}
    return manifest


def manifest_bytes(
    pages: dict[str, str],
    articles: dict[str, ArticleRecord],
    site_key: str,
    fingerprint: str,
    search: bytes | None,
    versions: str,
    lists: dict[str, str],
) -> bytes:
    """The manifest's file. The search state comes encoded: a helper process that
    built the index encodes it there. Article records (in the store's order, the
    same every build) take orjson a few milliseconds for 10,000 articles."""
    head = orjson.dumps(
        {"v": SITE_FORMAT, "fingerprint": fingerprint, "pages": dict(sorted(pages.items())),
         "site_key": site_key, "versions": versions, "lists": dict(sorted(lists.items()))}
    )  # fmt: skip
    # Records as plain tuples, which orjson writes itself (a NamedTuple goes through a
    # Python callback, 100,000 calls on a big site).
    records = orjson.dumps(dict(zip(articles, map(tuple, articles.values()), strict=True)))
    return head[:-1] + b',"search":%b,"articles":%b}' % (search or b"null", records)
