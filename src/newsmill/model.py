"""The few types every stage shares.

Stages hand these to each other and never reach into one another's internals,
so the in-process runner and a distributed one can call the same functions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Source:
    """One configured feed: where it lives and how its articles are filed."""

    name: str
    url: str
    categories: tuple[str, ...]
    author: str = ""
    full_text: str = "auto"
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    user_agent: str | None = None
    encoding: str | None = None
    enabled: bool = True
    interval: float | None = None
    max_age: float | None = None
    languages: tuple[str, ...] = ()
    # The same document elsewhere (RSSHub instances after the first), tried in order
    # when `url` fails.
    mirrors: tuple[str, ...] = ()
    # Sent with every request of the source (RSSHub's ?key=), never shown or logged.
    access_key: str | None = field(default=None, repr=False)
    # "feed", or "list": `url` is a page (or JSON API) listing articles, whose own
    # pages are fetched; `select` holds the user's selectors as (name, value) pairs.
    kind: str = "feed"
    list_format: str = "auto"
    select: tuple[tuple[str, str], ...] = ()
    max_pages: int = 3
    render: str = "never"  # list pages loaded in a browser: "never", "auto", "always"


@dataclass
class FetchState:
    """What a source remembers between runs, so a repeated fetch can be conditional."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass
class FetchResult:
    """The outcome of one HTTP fetch. `error` is set instead of raising, so one
    bad source is a record, not an exception that stops the others."""

    url: str
    final_url: str
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    not_modified: bool = False
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None  # what the server asked for when it said "later"
    note: str | None = None  # how it was had, when users should know (a mirror served it)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass(frozen=True)
class Enclosure:
    url: str
    type: str = ""
    length: int | None = None


@dataclass
class Entry:
    """What a feed says about one item, before any cleaning."""

    guid: str
    link: str
    title: str
    author: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    content_html: str = ""
    summary_html: str = ""
    enclosures: list[Enclosure] = field(default_factory=list)
    thumbnails: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    language: str | None = None  # as the item, or else its feed, declares it


@dataclass
class Article:
    """A clean article, the unit the store keeps and every writer publishes."""

    id: str
    source: str
    guid: str
    url: str
    canonical_url: str
    title: str
    author: str
    categories: list[str]
    tags: list[str]
    published: datetime
    updated: datetime | None
    fetched: datetime
    date_is_fallback: bool
    lead_image: str | None
    content_html: str
    text: str
    summary: str
    language: str | None
    publisher: str | None
    editor: str | None
    content_hash: str
    fingerprint: str | None = None
    # The story this article belongs to (shared across sources) and, when it is
    # not the story's canonical article, the id of the one that is.
    cluster: str | None = None
    duplicate_of: str | None = None
    # Where `published` came from: "feed", "list" (the date a list page shows),
    # "page" (the article's own page) or "first_seen" (none: when it was fetched).
    date_source: str = ""

    @staticmethod
    def make_id(source: str, guid: str) -> str:
        """Stable across runs and machines, so file names and links never move."""
        return hashlib.sha256(f"{source}\x00{guid}".encode()).hexdigest()[:16]


@dataclass
class PublishReport:
    """What an output (or a stage after the store: retention, dedupe) did on one run,
    for the run summary, `newsmill status` and the tests. One that failed carries
    the reason; posts that could not be written are counted, the rest were."""

    output: str
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.failed

    def __str__(self) -> str:
        text = (
            f"{self.output}: {self.written} written, {self.unchanged} unchanged, "
            f"{self.removed} removed"
        )
        if self.failed:
            text += f", {self.failed} failed"
        return f"{text}: {self.error}" if self.error else text
