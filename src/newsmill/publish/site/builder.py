"""newsmill's own static site: every page derived from Article fields, built incrementally.

A build runs in two phases. The first makes a small `Item` per article, newest
first: enough for every list, feed membership and page key. From the store it
reads only every article's version (`sources.StoreSource`); the manifest's
record of an unchanged article stands for the rest, and only new and changed
articles' heads are read. The second reads full articles only for what must
be rendered: article pages whose key changed, the new entries of feeds that
changed, documents new to the search index. A quiet build therefore never
reads the archive's content, and a full one streams it once without holding
it. Big builds share the second phase with a forked helper (`parallel`).

A build manifest (`.newsmill-site.json` in the site folder) maps every file
newsmill wrote to a key: a hash of everything the page shows, the templates
and the site settings (an article page's key is in its article's record). A
page is rendered only when its key changed (or its file is gone); a page no
longer produced is deleted, so a build with nothing new writes no file and a
removed article takes its page with it. Lists are paginated from the oldest
(see `paths.paginate`), so a new article rewrites the first page of each list
it is in, not all of them, and that page's other entries, like the other
items of a changed feed, are taken from the files the last build wrote.
"""

from __future__ import annotations

import gc
import hashlib
import html
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
from markupsafe import Markup

from newsmill.config import SiteConfig, SiteOutputConfig
from newsmill.dates import in_zone
from newsmill.enrich import is_rtl
from newsmill.files import OutputError
from newsmill.model import Article, PublishReport, Source
from newsmill.publish.site import feeds as feedout
from newsmill.publish.site.files import SiteFiles
from newsmill.publish.site.keys import digest as _hash
from newsmill.publish.site.keys import versions_digest
from newsmill.publish.site.manifest import (
    MANIFEST,
    SITE_FORMAT,
    ArticleRecord,
    manifest_bytes,
    read_manifest,
)
from newsmill.publish.site.parallel import CHUNK_PAGES, Helper, PageSplit, run_helper
from newsmill.publish.site.paths import (
    absolute,
    article_path,
    category_dir,
    month_dir,
    paginate,
    root_of,
    tag_dir,
)
from newsmill.publish.site.render import (
    Namespace,
    labels_for,
    make_environment,
    static_files,
    templates_fingerprint,
)
from newsmill.publish.site.search.index import IndexBuilder
from newsmill.publish.site.search.state import SearchState, doc_meta
from newsmill.publish.site.sources import (
    CachedHead,
    MemorySource,
    StoreSource,
    record_of,
)
from newsmill.store import Store

log = logging.getLogger("newsmill.publish.site")

FEED_SIZE = 20
FEED_FILES = (
    ("atom.xml", "application/atom+xml", "Atom"),
    ("rss.xml", "application/rss+xml", "RSS"),
    ("feed.json", "application/feed+json", "JSON Feed"),
)
# Stands for a page's relative root in fragments rendered once and reused on many pages.
ROOT = "\ue000newsmill-root\ue000"
PARALLEL_MIN = 1000  # pages and documents to make before a second process pays for itself
_Source = MemorySource | StoreSource


def _show(item: Item, head: Any) -> None:
    item.title = head.title
    item.url = head.url
    item.lead_image = head.lead_image
    item.summary = head.summary
    item.language = head.language
    item.publisher = head.publisher
    item.author = head.author
    if head.date_is_fallback:  # shown as undated, with when it was first seen
        item.first_seen, item.first_seen_iso = _first_seen(head.fetched, item.tz)
    item.shown = True


def _first_seen(fetched: datetime, tz: tzinfo) -> tuple[str, str]:
    """(shown, ISO) local time at which an undated article was first seen."""
    seen = in_zone(fetched, tz)
    return seen.strftime("%Y-%m-%d %H:%M"), seen.isoformat()


_NONE: frozenset[str] = frozenset()


_CARD = '<li class="item" data-id="'


def _old_cards(page: str) -> Iterator[tuple[str, str]]:
    """(article id, entry) of each entry of a list page made with the built-in templates."""
    for part in page.split(_CARD)[1:]:
        quote = part.find('"')
        end = part.find("</li>\n")
        if quote < 0 or end < 0:
            return
        yield part[:quote], _CARD + part[: end + len("</li>\n")]


def _overridden(folder: Path | None, names: tuple[str, ...]) -> bool:
    """Whether the user's template folder replaces any of these templates."""
    return folder is not None and any((folder / name).exists() for name in names)


def _json(data: Any) -> bytes:
    """Compact UTF-8 JSON, as `json.dumps(ensure_ascii=False)` writes it but ten times
    faster."""
    return orjson.dumps(data)


@dataclass(slots=True, eq=False)
class Item:
    """What the lists, feeds and search results show of an article; all a list page needs."""

    id: str
    path: str
    source: str
    source_name: str
    section: str
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    tz: tzinfo
    date: str
    iso: str  # the local publishing time
    duplicate_of: str | None
    # What its list entry shows: read only when it is rendered (see `_Build.show`).
    title: str = ""
    url: str = ""
    lead_image: str | None = None
    summary: str = ""
    language: str | None = None
    publisher: str | None = None
    author: str = ""
    # An undated article (its feed gave no date): when it was first seen, shown instead
    # of a date, which for it only places it in the lists (`Store.place_undated`).
    first_seen: str = ""
    first_seen_iso: str = ""
    shown: bool = False  # whether the fields above are read
    key: str = ""  # the article's version: changes whenever any of its fields does
    order: int = 0  # rank in the store's newest-first order
    folders: tuple[str, ...] = ()  # category folders, one per level
    also: list[Item] = field(default_factory=list)  # duplicates of this story, other sources
    primary: Item | None = None  # the story's canonical article, for a duplicate
    card: str | None = None  # its list entry, rendered once with ROOT for the link prefix

    @property
    def dir(self) -> str:
        """`rtl` for an article in a language written right to left (Urdu, Arabic)."""
        return "rtl" if is_rtl(self.language) else ""

    @property
    def published(self) -> datetime:
        return datetime.fromisoformat(self.iso).astimezone(UTC)

    @property
    def local(self) -> datetime:
        return datetime.fromisoformat(self.iso).astimezone(self.tz)

    @property
    def month(self) -> str:
        """The folder of its month in the archive."""
        return month_dir(self.iso)


class SiteWriter:
    """The `[publish.site]` output: pages, feeds, sitemap and search index in one folder."""

    name = "site"
    wants_duplicates = True  # shown once, under "also reported by"

    def __init__(
        self, options: SiteOutputConfig, site: SiteConfig, sources: Mapping[str, Source]
    ) -> None:
        self.options = options
        self.site = site
        self.sources = sources

    @property
    def folder(self) -> Path:
        return self.options.dir

    def publish(self, articles: Iterable[Article]) -> PublishReport:
        """From any articles, newest first. Holds them all: for tests and small sets;
        `publish_store` is the path that scales."""
        with _collector_paused():
            return _Build(self).run(MemorySource(list(articles)))

    def publish_store(self, store: Store) -> PublishReport:
        """From the store: versions of every article, heads and full rows only for what
        changed."""
        with _collector_paused():
            return _Build(self).run(StoreSource(store))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during a build. A build makes hundreds of thousands
    of objects that live to its end (the manifest, an entry per article), so collections
    kept walking them: a fifth of a small build's time. Rendering leaves almost no
    cycles behind (a few hundred objects over thousands of pages)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _base_urls(options: SiteOutputConfig, site: SiteConfig) -> tuple[str, str]:
    """(absolute base for feeds and the sitemap, path for the 404 page's <base>).

    Feeds need absolute links; when no base URL is absolute they carry
    root-relative paths, which readers resolve against the feed's own URL.
    """
    candidates = [options.base_url, site.base_url]
    absolute_base = next((u for u in candidates if u.startswith(("http://", "https://"))), "")
    path = urlsplit(absolute_base).path if absolute_base else options.base_url or "/"
    path = "/" + path.strip("/") + "/" if path.strip("/") else "/"
    return (absolute_base.rstrip("/") or path.rstrip("/")), path


class _Build:
    def __init__(self, writer: SiteWriter) -> None:
        options, site = writer.options, writer.site
        self.dir = options.dir
        self.dir_str = str(options.dir)
        self.options = options
        self.site = site
        self.sources = writer.sources
        self.tz = site.tz
        self.lang = site.language
        self.t = Namespace(labels_for(site.language))
        self.search = options.search
        self.base, self.base_path = _base_urls(options, site)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{self.dir}: cannot create: {exc.strerror}") from None
        self._load_manifest()
        self.files = SiteFiles(self.dir, self.old_pages)
        self.env = make_environment(options.templates)
        self.fingerprint = templates_fingerprint(options.templates)
        self.nav = self._nav()
        self.site_ctx = Namespace(
            title=site.title,
            language=site.language,
            search=self.search,
            base_path=self.base_path,
        )
        self.site_key = _hash(
            SITE_FORMAT,
            self.fingerprint,
            self.site_ctx,
            self.tz.key,
            self.base,
            options.page_size,
            [(g["name"], g["path"]) for g in self.nav],
        )
        self.items: list[Item] = []
        self.by_id: dict[str, Item] = {}
        self.listed: list[Item] = []
        self.page_keys: dict[str, str] = {}
        self.feed_members: dict[str, list[Item]] = {}
        self.feed_names: dict[str, str] = {"": site.title}
        self.feed_work: list[tuple[str, str, Any, feedout.FeedInfo, list[Item]]] = []
        self.feed_content: dict[str, feedout.Entry] = {}
        self.fragments = feedout.Fragments()
        self.folder_cache: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.section_cache: dict[tuple[str, ...], tuple[tuple[str, ...], str, str]] = {}
        self.cache_ok = self.old_site_key == self.site_key
        self.index = IndexBuilder(self._usable(self.old_search)) if self.search else None
        self.helper: Helper | None = None
        self.page_chunks: list[list[str]] = []  # ids of the article pages to render, by chunk
        self.deferred: list[tuple[str, Callable[[], str], list[Item], str | None]] = []
        self.cards: dict[tuple[str, str], str] = {}  # (root, id): entry of the last build's
        self.reuse_cards = self.cache_ok and not _overridden(
            options.templates, ("_card.html", "list.html")
        )
        self.search_state: SearchState | None = None
        self.search_json: bytes | None = None  # the search state, encoded by a helper
        self.tag_members: tuple[dict[str, list[Item]], dict[str, str]] | None = None
        self.old_tag_pages: dict[str, list[str]] | None = None
        self.category_members: (
            tuple[dict[str, list[Item]], dict[str, tuple[str, ...]], dict[str, list[str]]] | None
        ) = None
        self._article_template = self.env.get_template("article.html")
        self._list_template = self.env.get_template("list.html")
        self._card_template = self.env.get_template("_card.html")
        self._headers: dict[str, Markup] = {}

    # -- manifest ------------------------------------------------------------------

    def _load_manifest(self) -> None:
        """What the last build wrote; anything unreadable means starting afresh."""
        old = read_manifest(self.dir)
        self.old_pages = old.pages
        self.old_search = old.search
        self.old_articles = old.articles
        self.old_site_key = old.site_key
        self.old_versions = old.versions

    def _usable(self, state: SearchState | None) -> SearchState | None:
        """The previous index state if all its files are still there, else None (rebuild)."""
        if state is None:
            return None
        for segment in state.segments:
            for name in segment.files():
                if not (self.dir / name).is_file():
                    return None
        return state

    # -- writing -------------------------------------------------------------------

    def emit(self, path: str, key: str, render: Callable[[], str | bytes]) -> None:
        """Render and write `path` unless the manifest says it already shows `key`."""
        if not self.files.claim(path, key):
            self.files.write(path, render)

    def defer(
        self,
        path: str,
        key: str,
        render: Callable[[], str],
        items: list[Item],
        cards: str | None = None,
    ) -> None:
        """`emit` a list page in `flush`, once what the entries of every list page to
        render show has been read in one go (`show`), not a page at a time. `cards`
        names the folder of a page made of cards, which the last build's may lend."""
        if not self.files.claim(path, key):
            self.deferred.append((path, render, items, cards))

    def flush(self) -> None:
        shown: dict[str, int] = {}
        for _, _, items, folder in self.deferred:
            if folder is not None:
                shown[folder] = shown.get(folder, 0) + len(items)
        # Reading a page back pays for itself only where it saves rendering many entries.
        self._keep_cards({folder for folder, count in shown.items() if count >= 8})
        wanted = []
        for path, _, entries, folder in self.deferred:
            root = root_of(path)
            for item in entries:
                if folder is None or (item.card is None and (root, item.id) not in self.cards):
                    wanted.append(item)
        self.show(wanted)
        for path, render, *_ in self.deferred:
            self.files.write(path, render)
        self.deferred = []

    def _keep_cards(self, folders: set[str]) -> None:
        """The entries of the first pages the last build wrote in these folders, for the
        articles whose entries have not changed since (`_cards`): a new article rewrites
        the first page of each of its lists, otherwise made of entries it had already.
        Only with the built-in list and entry templates, whose entries it can find."""
        if not self.reuse_cards:
            return
        for folder in folders:
            path = folder + "index.html"
            if path not in self.old_pages:
                continue
            try:
                text = (self.dir / path).read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            root = root_of(path)
            for article_id, card in _old_cards(text):
                item = self.by_id.get(article_id)
                record = self.old_articles.get(article_id)
                if item is None or record is None or record.version != item.key:
                    continue
                if article_id not in self.also_changed:
                    self.cards.setdefault((root, article_id), card)

    # -- the helper process ------------------------------------------------------------

    def helper_main(self, conn: Connection, split: PageSplit) -> None:
        """In the forked helper: see `_helper_work`."""
        run_helper(conn, partial(self._helper_work, split))

    def _helper_work(self, split: PageSplit) -> tuple[int, int, bytes | None, dict[str, str]]:
        """Article pages from the newest end and the search index; then the TASKS the
        other process has not taken (from the last); then whatever pages are left."""
        self.source.after_fork()
        self.files.forked()
        chunk_of = {i: n for n, chunk in enumerate(self.page_chunks) for i in chunk}
        reserve = self._reserve()
        current, mine = -1, False
        for article in self.source.ordered(self.helper_ids):
            needs = self.needed[article.id]
            if "page" in needs:
                chunk = chunk_of[article.id]
                if chunk != current:
                    current, mine = chunk, split.claim_front(chunk, reserve)
                if mine:
                    self.fill(article, {"page"})
            if "search" in needs:
                self.fill(article, {"search"})
        if self.index is not None:
            self._search_index()
        for task in reversed(range(len(self.TASKS))):
            if split.claim_task(task):
                self._task(task)
        while (left := split.claim_next()) is not None:
            for article in self.source.ordered(self.page_chunks[left]):
                self.fill(article, {"page"})
        search = _json(self.search_state.to_json()) if self.search_state is not None else None
        return self.files.counts.written, self.files.counts.unchanged, search, self.files.pages

    def _reserve(self) -> int:
        """Chunks of article pages the helper leaves to the other process: about what
        that one renders while the helper finishes the search index (a third of the
        time adding the documents took; a page costs about what a document does), so
        that neither waits for the other at the end. The helper takes any left over."""
        documents = sum(1 for i in self.helper_ids if "search" in self.needed[i])
        return -(-documents // (3 * CHUNK_PAGES))

    def _pages_from_back(self, split: PageSplit) -> None:
        """In this process, once lists and feeds are done: article pages from the oldest end."""
        while (chunk := split.claim_back()) is not None:
            ids = self.page_chunks[chunk]
            for article in self.source.ordered(ids):
                self.fill(article, {"page"})

    def emit_data(self, path: str, data: bytes) -> None:
        """A file whose bytes are already made: its key is their hash."""
        self.emit(path, hashlib.blake2b(data, digest_size=12).hexdigest(), lambda: data)

    def _ctx(self, path: str, **values: Any) -> dict[str, Any]:
        root = values.get("root", root_of(path))
        ctx: dict[str, Any] = {
            "site": self.site_ctx,
            "t": self.t,
            "nav": self.nav,
            "root": root,
            "page_path": path,
            "lang": self.lang,
            "feeds": [],
            "header": self._header(root),
        }
        ctx.update(values)
        return ctx

    def _header(self, root: str) -> Markup:
        """The site header for pages `root` away from the top, rendered once per depth."""
        header = self._headers.get(root)
        if header is None:
            ctx = {"site": self.site_ctx, "t": self.t, "nav": self.nav, "root": root}
            header = Markup(self.env.get_template("_header.html").render(ctx))
            self._headers[root] = header
        return header

    def _cards(self, items: list[Item], root: str) -> list[Markup]:
        template = self._card_template
        cards = []
        for item in items:
            if item.card is None:
                kept = self.cards.get((root, item.id))
                if kept is not None:
                    cards.append(Markup(kept))
                    continue
                ctx = {"site": self.site_ctx, "t": self.t, "root": ROOT, "item": item}
                item.card = template.render(ctx)
            cards.append(Markup(item.card.replace(ROOT, root)))
        return cards

    def _nav(self) -> list[Namespace]:
        """The configured groups (first category level), known before any article is read,
        so every page can show them without waiting for the end of the pass."""
        seen: dict[str, Namespace] = {}
        for source in self.sources.values():
            if source.categories:
                folder = category_dir(source.categories[:1])
                name = source.categories[0]
                seen.setdefault(folder, Namespace(name=name, path=folder + "index.html"))
        return sorted(seen.values(), key=lambda g: g["path"])

    # -- phase 1: heads ---------------------------------------------------------------

    def run(self, source: _Source) -> PublishReport:
        self.source = source
        self.versions = versions_digest(source.versions())
        if (
            self.cache_ok
            and self.versions == self.old_versions
            and not self.files.interrupted
            and self._all_there()
        ):
            return self._nothing_new()
        for head, version in source.heads(self.old_articles if self.cache_ok else {}):
            self.take(head, version)
        self.needed = self.plan()
        if self._start_helper():
            return self._run_with_helper()
        ids = [i.id for i in self.items if i.id in self.needed]
        for article in source.ordered(ids):
            self.fill(article, self.needed[article.id])
        self._lists()
        for task in range(len(self.TASKS)):
            self._task(task)
        if self.index is not None:
            self._search_index()
        return self._conclude()

    def _all_there(self) -> bool:
        """Whether every file the last build wrote is still in the site folder."""
        exists = self.files.exists
        return all(map(exists, self.old_pages)) and all(
            exists(record.path) for record in self.old_articles.values()
        )

    def _nothing_new(self) -> PublishReport:
        """The articles and settings the last build saw, and its files in place: every
        page would come out as it is, so none is planned, rendered or even looked at."""
        report = PublishReport("site")
        report.unchanged = len(self.old_pages) + len(self.old_articles)
        return report

    def _start_helper(self) -> bool:
        """Fork the helper for a site big enough (forking costs about a hundredth of a
        second) if the source can be read from it."""
        if len(self.items) < PARALLEL_MIN or (os.cpu_count() or 1) < 2:
            return False
        if not self.source.forkable:
            return False
        needed = self.needed
        heavy = [i.id for i in self.items if needed.get(i.id, _NONE) & {"page", "search"}]
        pages = [i.id for i in self.items if "page" in needed.get(i.id, _NONE)]
        self.page_chunks = [pages[k : k + CHUNK_PAGES] for k in range(0, len(pages), CHUNK_PAGES)]
        self.helper_ids = heavy
        try:
            self.helper = Helper(self.helper_main, len(self.page_chunks), len(self.TASKS))
        except (AssertionError, OSError, ValueError) as exc:
            # e.g. inside a daemonic worker process, which may not fork: do it all here
            log.info("site build in one process: %r", exc)
            return False
        return True

    def _run_with_helper(self) -> PublishReport:
        assert self.helper is not None
        try:
            self._lists()
            for task in range(len(self.TASKS)):
                if self.helper.split.claim_task(task):
                    self._task(task)
            self._pages_from_back(self.helper.split)
        except BaseException:
            self.helper.stop()  # no helper left writing once this build has failed
            raise
        written, unchanged, search, pages = self.helper.result()
        self.files.merge(written, unchanged, pages)
        self.search_json = search
        return self._conclude()

    def take(self, head: Any, version: str) -> None:
        if isinstance(head, CachedHead):
            self._take_cached(head.id, head.record)
            return
        path, iso = self._placed(head, version)
        item = self._add_item(
            head.id, version, path, iso, head.source, head.categories, head.tags,
            head.duplicate_of,
        )  # fmt: skip
        _show(item, head)

    def _take_cached(self, article_id: str, record: ArticleRecord) -> None:
        """`take` for an unchanged article, straight from its record: thousands a build."""
        version, path, iso, _owner, _page, source, categories, tags, primary = record
        self._add_item(article_id, version, path, iso, source, categories, tags, primary)

    def _add_item(
        self,
        article_id: str,
        version: str,
        path: str,
        iso: str,
        source: str,
        levels: Sequence[str],
        tags: Sequence[str],
        primary: str | None,
    ) -> Item:
        categories, source_name, section = self._sections(source, levels)
        item = Item(
            id=article_id,
            path=path,
            source=source,
            source_name=source_name,
            section=section,
            categories=categories,
            tags=tuple(tags),
            tz=self.tz,
            date=iso[:16].replace("T", " "),
            iso=iso,
            duplicate_of=primary or None,
            key=version,
            order=len(self.items),
            folders=self._folders(categories),
        )
        self.items.append(item)
        self.by_id[article_id] = item
        return item

    def show(self, items: Iterable[Item | None]) -> None:
        """Read what these items' list entries show, for those not read yet."""
        missing = [i for i in items if i is not None and not i.shown]
        if missing:
            heads = self.source.display([i.id for i in missing])
            for item in missing:
                head = heads.get(item.id)
                if head is None:
                    raise OutputError(f"article {item.id} left the store during the build")
                _show(item, head)

    def _placed(self, head: Any, version: str) -> tuple[str, str]:
        """(page path, local ISO time): from the manifest when the article is unchanged,
        since a slug and a time zone conversion for each of thousands of articles add up."""
        record = self.old_articles.get(head.id) if self.cache_ok else None
        if record is not None and record.version == version:
            return record.path, record.iso
        local = in_zone(head.published, self.tz)
        return article_path(head.id, head.title, local), local.isoformat()

    def _sections(self, name: str, levels: Sequence[str]) -> tuple[tuple[str, ...], str, str]:
        """(categories, source name, section): few distinct ones, so computed once each."""
        key = (name, *levels)
        found = self.section_cache.get(key)
        if found is None:
            categories = tuple(levels)
            source = self.sources.get(name)
            source_name = (
                categories[1]
                if len(categories) > 1
                else (source.author if source and source.author else name)
            )
            found = (categories, source_name, " › ".join(categories[:2]) or source_name)
            self.section_cache[key] = found
        return found

    def _folders(self, levels: tuple[str, ...]) -> tuple[str, ...]:
        folders = self.folder_cache.get(levels)
        if folders is None:
            folders = tuple(category_dir(levels[: i + 1]) for i in range(len(levels)))
            self.folder_cache[levels] = folders
        return folders

    def plan(self) -> dict[str, set[str]]:
        """Relations, lists and keys from the heads; what each article's content is needed for."""
        needed: dict[str, set[str]] = {}
        for item in self.items:
            primary = self.by_id.get(item.duplicate_of) if item.duplicate_of else None
            if primary is not None and primary is not item:
                primary.also.append(item)
                item.primary = primary
        self.listed = [i for i in self.items if i.primary is None]
        for item in self.items:
            key = self.page_keys[item.id] = self._page_key(item)
            if not self._article_unchanged(item, key):
                needed.setdefault(item.id, set()).add("page")
        self._find_dirty_lists()
        if self.index is not None:
            for item in self.listed:
                if not self.index.keep(item.id, item.key):
                    needed.setdefault(item.id, set()).add("search")
        return needed

    def _page_key(self, item: Item) -> str:
        """An article page's key, besides its version and the site's key (both in the
        manifest's record of the article): what it shows of the story's other reports.
        Most pages have none, and an empty key (thousands of them on every build)."""
        if not item.also and item.primary is None:
            return ""
        self.show([*item.also, item.primary])
        return _hash(
            self.site_key,
            item.path,
            item.key,
            [(o.path, o.title, o.source_name) for o in item.also],
            (item.primary.path, item.primary.title, item.primary.source_name)
            if item.primary
            else None,
        )

    def _lists_of(self, item: Item) -> list[str]:
        """Every list `item` shows in: home, its categories, its tags, its month."""
        return ["", *item.folders, *dict.fromkeys(map(tag_dir, item.tags)), item.month]

    def _find_dirty_lists(self) -> None:
        """Lists with an article added, changed or removed since the last build.

        Any other list shows exactly what it showed, so its pages are carried
        over without being keyed again. A duplicate counts as a member of its
        primary's lists (its owner), whose entry names it. An article's lists
        follow from its owner's fields, which its owner's version covers: an
        article whose version and owner are those of the last build is in the
        same lists, with no need to work them out. The manifest keeps, for each
        article, an `ArticleRecord`.
        """
        self.all_dirty = self.old_site_key != self.site_key
        dirty: set[str] = set()
        seen: dict[str, ArticleRecord] = {}
        old = self.old_articles if self.cache_ok else {}
        keys = self.page_keys
        also_changed: set[str | None] = set()  # articles whose other reports changed
        for item in self.items:
            owner = item.primary.id if item.primary is not None else ""
            record = old.get(item.id)
            if record is None or record.version != item.key or record.owner != owner:
                dirty.update(self._lists_of(item.primary or item))
                also_changed.add(item.duplicate_of)
                if record is not None:
                    dirty.update(self._old_lists(record.owner or item.id))
                    also_changed.add(record.primary)
                record = record_of(item, owner, keys[item.id])
            elif record.page_key != keys[item.id]:
                record = record_of(item, owner, keys[item.id])
            seen[item.id] = record
        for article_id, record in self.old_articles.items():
            if article_id not in seen:
                dirty.update(self._old_lists(record.owner or article_id))
                also_changed.add(record.primary)
        self.dirty = dirty
        self.also_changed = also_changed
        self.new_articles = seen

    def _old_lists(self, owner: str) -> list[str]:
        """The lists an owner's articles were in at the last build, from its record."""
        record = self.old_articles.get(owner)
        if record is None:  # cannot tell: every list is looked at again
            self.all_dirty = True
            return []
        folders = self._folders(tuple(record.categories))
        return ["", *folders, *dict.fromkeys(map(tag_dir, record.tags)), month_dir(record.iso)]

    def carried(self, folder: str, path: str) -> bool:
        """True (and the page kept) if `path` belongs to a list that did not change."""
        if self.all_dirty or folder in self.dirty:
            return False
        return self.files.carry([path])

    def _article_unchanged(self, item: Item, key: str) -> bool:
        """True if the article's page, as the manifest records it, shows what it would now."""
        record = self.old_articles.get(item.id) if self.cache_ok else None
        if (
            record is None
            or record.version != item.key
            or record.path != item.path
            or record.page_key != key
        ):
            return False
        return self.files.keep_recorded(item.path)

    def _group_feeds(self) -> None:
        """The newest FEED_SIZE listed articles of the site and of every category."""
        members = self.feed_members
        members[""] = []
        site = members[""]
        for item in self.listed:
            if len(site) < FEED_SIZE:
                site.append(item)
            for depth, folder in enumerate(item.folders, 1):
                group = members.get(folder)
                if group is None:
                    group = members[folder] = []
                    levels = item.categories[:depth]
                    self.feed_names[folder] = self.site.title + " · " + " › ".join(levels)
                if len(group) < FEED_SIZE:
                    group.append(item)

    def _feed_plans(self, folder: str, members: list[Item]) -> bool:
        """Note the feed files of `folder` that changed; True if any did."""
        changed = False
        title = self.feed_names.get(folder, self.site.title)
        for name, kind, make in (
            ("atom.xml", "atom", feedout.atom),
            ("rss.xml", "rss", feedout.rss),
            ("feed.json", "json", feedout.json_feed),
        ):
            info = feedout.FeedInfo(
                title=title,
                home=absolute(self.base, folder + "index.html"),
                self_url=absolute(self.base, folder + name),
                language=None,  # each entry says its own
                id=f"urn:newsmill:feed:{folder or '/'}",
            )
            key = _hash(self.site_key, name, info, [i.key for i in members])
            if not self.files.keep_if_same(folder + name, key):
                self.feed_work.append((folder + name, key, make, info, members))
                self._keep_entries(kind, folder + name)
                changed = True
        return changed

    def _keep_entries(self, kind: str, path: str) -> None:
        """The entries of the feed file the last build wrote at `path` whose articles are
        unchanged since: a new article rewrites all the feeds of its categories, which
        are otherwise made of articles that were in them already."""
        if not self.cache_ok or path not in self.old_pages:
            return
        try:
            data = (self.dir / path).read_bytes()
        except OSError:
            return
        for article_id, text in feedout.kept_entries(kind, data).items():
            record = self.old_articles.get(article_id)
            item = self.by_id.get(article_id)
            if record is not None and item is not None and record.version == item.key:
                self.fragments.keep(kind, article_id, text)

    def _kept_entry(self, item: Item) -> bool:
        """True (and its entry noted) if the feeds can show `item` from kept text alone."""
        if item.id in self.feed_content:
            return True
        fragments = self.fragments
        if not all(fragments.has(kind, item.id) for kind in ("atom", "rss", "json")):
            return False
        modified = feedout.kept_modified(fragments.text("atom", item.id))
        if modified is None:
            return False
        self.feed_content[item.id] = feedout.KeptEntry(item.id, modified)
        return True

    # -- phase 2: content ------------------------------------------------------------

    def fill(self, article: Article, needs: set[str]) -> None:
        item = self.by_id[article.id]
        if "page" in needs:
            self._write_article(item, article)
        if "feed" in needs:
            self.feed_content[item.id] = feedout.FeedEntry(
                id=article.id,
                title=article.title,
                link=absolute(self.base, item.path),
                original=article.url,
                published=article.published,
                updated=article.updated,
                author=article.author,
                summary=article.summary,
                content_html=article.content_html,
                categories=item.categories,
                tags=item.tags,
                image=article.lead_image,
                key=item.key,
                language=article.language,
            )
        if "search" in needs and self.index is not None:
            when = item.date[:10]
            if article.date_is_fallback:  # a result shows no date its article does not have
                seen = _first_seen(article.fetched, item.tz)[0][:10]
                when = f"{self.t['undated']} · {self.t['first_seen']} {seen}"
            meta = doc_meta(item.path, article.title, when, item.section, article.summary)
            self.index.add(item.id, item.key, item.order, article.title, article.text, meta)

    def _write_article(self, item: Item, article: Article) -> None:
        """An article page: its key lives in the manifest's record of the article."""
        path = item.path
        self.files.write_bytes(path, self._render_article(article, item).encode("utf-8"))

    def _render_article(self, article: Article, item: Item) -> str:
        _show(item, article)
        self.show([*item.also, item.primary])
        content = article.content_html
        lead = article.lead_image
        if lead and (lead in content or html.escape(lead, quote=True) in content):
            lead = None  # the content shows it already
        levels = item.categories
        updated = None
        if article.updated and article.updated != article.published:
            when = in_zone(article.updated, self.tz)
            updated = Namespace(date=when.strftime("%Y-%m-%d %H:%M"), iso=when.isoformat())
        ctx = self._ctx(
            item.path,
            lang=self.lang,  # the page's own words; the article says its language
            item=item,
            article=article,
            content=Markup(content),  # sanitized by the clean stage before it was stored
            lead_image=lead,
            breadcrumbs=self._crumbs(levels),
            channel=levels[2] if len(levels) > 2 else "",
            tags=[(tag, tag_dir(tag) + "index.html") for tag in item.tags],
            editor=article.editor,
            updated=updated,
            also=item.also,
            primary=item.primary,
            canonical=absolute(self.base, item.path),
        )
        return self._article_template.render(ctx)

    def _crumbs(self, levels: tuple[str, ...]) -> list[tuple[str, str]]:
        return [
            (name, category_dir(levels[: i + 1]) + "index.html") for i, name in enumerate(levels)
        ]

    # -- after the pass ----------------------------------------------------------------

    def _lists(self) -> None:
        """The home list, the archive and the fixed pages (the other lists are TASKS)."""
        self._home(self.listed)
        self._archives(self.listed)
        self.flush()
        self._fixed_pages()

    # Work that depends on nothing but the plan, each done by whichever process asks
    # first (`parallel.PageSplit.claim_task`): this one from the start, the helper
    # from the end.
    # Parts small enough that whichever process ends first has little left to wait for.
    TASKS = (
        "categories:0", "categories:1", "tags:0", "tags:1", "tags:2", "tags:3", "sitemap",
        "feeds",
    )  # fmt: skip

    def _task(self, task: int) -> None:
        kind, _, part = self.TASKS[task].partition(":")
        if kind == "categories":
            self._categories(self.listed, int(part), 2)
        elif kind == "tags":
            self._tags(self.listed, int(part), 4)
        elif kind == "sitemap":
            self._site_map()
        else:
            self._feed_work()
        self.flush()

    def _site_map(self) -> None:
        """`sitemap.xml`, an index of `sitemap-pages.xml` (every list's first page) and one
        file per month of article pages, as the archive groups them: new articles
        rewrite their month's file, not a map of the whole archive."""
        parts: dict[str, list[tuple[str, str | None]]] = {
            "pages": [(p, None) for p in self._index_pages()]
        }
        for item in self.items:
            iso = item.iso
            month = parts.get(iso[:7])
            if month is None:
                month = parts[iso[:7]] = []
            month.append((item.path, iso[:10]))
        names = []
        for part, pages in parts.items():
            for n, start in enumerate(range(0, len(pages), feedout.SITEMAP_LIMIT)):
                name = f"sitemap-{part}.xml" if n == 0 else f"sitemap-{part}-{n + 1}.xml"
                chunk = pages[start : start + feedout.SITEMAP_LIMIT]
                names.append(name)
                key = _hash(self.site_key, name, "\n".join([f"{p} {m}" for p, m in chunk]))
                self.emit(name, key, partial(self._urlset, chunk))
        key = _hash(self.site_key, "sitemap", names)
        urls = [absolute(self.base, name) for name in names]
        self.emit("sitemap.xml", key, partial(feedout.sitemap_index, urls))

    def _urlset(self, pages: list[tuple[str, str | None]]) -> bytes:
        return feedout.urlset([(absolute(self.base, p), m) for p, m in pages])

    def _index_pages(self) -> list[str]:
        """The first page of every list, in the order the lists are made."""
        listed = self.listed
        categories = dict.fromkeys(folder for item in listed for folder in item.folders)
        tags = dict.fromkeys(tag_dir(tag) for item in listed for tag in item.tags)
        months = dict.fromkeys(item.month for item in listed)
        return [
            "index.html",
            *(folder + "index.html" for folder in (*categories, *tags, *months)),
            "archive/index.html",
        ]

    def _feed_work(self) -> None:
        """The feeds whose entries changed, reading only the articles they cannot keep."""
        self._group_feeds()
        wanted: dict[str, None] = {}
        for folder, members in self.feed_members.items():
            if self._feed_plans(folder, members):
                wanted.update((i.id, None) for i in members if not self._kept_entry(i))
        for article in self.source.ordered(list(wanted)):
            self.fill(article, {"feed"})
        self._feeds()

    def _conclude(self) -> PublishReport:
        """Stale files and the manifest: after every page is made."""
        self._remove_stale()
        self._write_manifest()
        self.files.finish()
        counts = self.files.counts
        report = PublishReport("site")
        report.written, report.unchanged, report.removed = (
            counts.written, counts.unchanged, counts.removed
        )  # fmt: skip
        return report

    def _list_pages(
        self,
        folder: str,
        items: list[Item],
        heading: str,
        breadcrumbs: list[tuple[str, str]],
        subsections: list[tuple[str, str, int]],
        feeds: list[Namespace],
    ) -> None:
        template = self._list_template
        size = self.options.page_size
        kept: set[str] = set()
        if not self.all_dirty and folder not in self.dirty:
            # Carried over as they are (paths as `paginate` names them), unless a file is gone.
            paths = [f"{folder}index.html"]
            paths += [f"{folder}page-{k}.html" for k in range(1, len(items) // size)]
            kept = {path for path in paths if self.carried(folder, path)}
            if len(kept) == len(paths):
                return
        # What every page of the list shows alike, hashed once for all of them.
        common = _hash(self.site_key, heading, breadcrumbs, feeds)
        for pager in paginate(folder, len(items), size):
            if pager.path in kept or self.carried(folder, pager.path):
                continue
            shown = items[pager.start : pager.stop]
            first = pager.number == 0
            key = _hash(
                common,
                # Not the slice: it shifts as articles are added while the page stays the same.
                (pager.path, pager.newer or "", pager.older or "", str(pager.number)),
                repr(subsections) if first else "",
                str(len(items)) if first else "",
                tuple(i.key + "".join(o.key for o in i.also) if i.also else i.key for i in shown),
            )

            def render(pager: Any = pager, shown: list[Item] = shown, first: bool = first) -> str:
                ctx = self._ctx(
                    pager.path,
                    heading=heading,
                    items=shown,
                    cards=self._cards(shown, root_of(pager.path)),
                    pager=pager,
                    breadcrumbs=breadcrumbs,
                    subsections=subsections if first else [],
                    feeds=feeds,
                    count=len(items) if first else None,
                )
                return template.render(ctx)

            self.defer(pager.path, key, render, shown, folder)

    def _feed_links(self, folder: str, title: str) -> list[Namespace]:
        return [
            Namespace(path=folder + name, type=mime, label=label, title=f"{title} ({label})")
            for name, mime, label in FEED_FILES
        ]

    def _home(self, listed: list[Item]) -> None:
        self._list_pages("", listed, self.site.title, [], [], self._feed_links("", self.site.title))

    def _categories(self, listed: list[Item], part: int = 0, parts: int = 1) -> None:
        """The lists of every `parts`-th category folder, from the `part`-th."""
        if self.category_members is None:
            self.category_members = self._category_members(listed)
        members, names, children = self.category_members
        for n, (folder, items) in enumerate(members.items()):
            if n % parts != part:
                continue
            levels = names[folder]
            crumbs = []
            for depth in range(1, len(levels)):
                ancestor = category_dir(levels[:depth])
                crumbs.append((names.get(ancestor, levels[:depth])[-1], ancestor + "index.html"))
            subs = [
                (names[child][-1], child + "index.html", len(members[child]))
                for child in sorted(children.get(folder, []))
            ]
            title = " › ".join(levels)
            links = self._feed_links(folder, title)
            self._list_pages(folder, items, levels[-1], crumbs, subs, links)

    def _category_members(
        self, listed: list[Item]
    ) -> tuple[dict[str, list[Item]], dict[str, tuple[str, ...]], dict[str, list[str]]]:
        """({folder: its articles}, {folder: its names, as first met}, {folder: subfolders}).
        Names that slugify alike share a folder: one category, shown by the first name met."""
        members: dict[str, list[Item]] = {}
        names: dict[str, tuple[str, ...]] = {}
        for item in listed:
            for depth, folder in enumerate(item.folders, 1):
                group = members.get(folder)
                if group is None:
                    group = members[folder] = []
                    names[folder] = item.categories[:depth]
                group.append(item)
        children: dict[str, list[str]] = {}
        for folder in members:
            parent = folder[: folder.rstrip("/").rfind("/") + 1]
            if parent != "c/":
                children.setdefault(parent, []).append(folder)
        return members, names, children

    def _tags(self, listed: list[Item], part: int = 0, parts: int = 1) -> None:
        """The lists of every `parts`-th tag, from the `part`-th.

        Thousands of tags, few of them changed: the lists of tags no article added,
        changed or removed since the last build are carried over from the manifest
        without gathering their articles, unless a page of theirs is gone."""
        if self.tag_members is None:
            only = None if self.all_dirty else {f for f in self.dirty if f.startswith("t/")}
            self.tag_members = self._tag_members(listed, only)
        members, names = self.tag_members
        gone: set[str] = set()
        if not self.all_dirty:
            for n, (folder, paths) in enumerate(self._old_tag_pages().items()):
                if n % parts == part and folder not in self.dirty and not self.files.carry(paths):
                    gone.add(folder)
        todo = [(f, items) for n, (f, items) in enumerate(members.items()) if n % parts == part]
        if gone:
            found, found_names = self._tag_members(listed, gone)
            todo += found.items()
            names = {**names, **found_names}
        for folder, items in todo:
            heading = self.t["tag"].replace("{name}", names[folder])
            self._list_pages(folder, items, heading, [], [], [])

    def _old_tag_pages(self) -> dict[str, list[str]]:
        """{tag folder: the pages the last build wrote in it}."""
        if self.old_tag_pages is None:
            self.old_tag_pages = {}
            for path in self.old_pages:
                if path.startswith("t/"):
                    folder = path[: path.rindex("/") + 1]
                    self.old_tag_pages.setdefault(folder, []).append(path)
        return self.old_tag_pages

    def _tag_members(
        self, listed: list[Item], only: set[str] | None = None
    ) -> tuple[dict[str, list[Item]], dict[str, str]]:
        """({tag folder: its articles}, {tag folder: the tag's name, as first met}), for
        every tag or `only` these folders."""
        members: dict[str, list[Item]] = {}
        names: dict[str, str] = {}
        for item in listed:
            for tag in item.tags:
                folder = tag_dir(tag)
                if only is not None and folder not in only:
                    continue
                names.setdefault(folder, tag)
                group = members.setdefault(folder, [])
                if not group or group[-1] is not item:
                    group.append(item)
        return members, names

    def _archives(self, listed: list[Item]) -> None:
        months: dict[str, list[Item]] = {}
        for item in listed:
            months.setdefault(item.month, []).append(item)
        template = self.env.get_template("month.html")
        index: dict[str, list[tuple[str, str, int]]] = {}
        for folder, items in months.items():
            year, month = folder.split("/")[1:3]
            heading = self.t["month"].replace("{y}", year).replace("{m}", month)
            path = folder + "index.html"
            index.setdefault(year, []).append((heading, path, len(items)))
            if self.carried(folder, path):
                continue
            crumbs = [(self.t["archive"], "archive/index.html")]
            key = _hash(self.site_key, path, heading, [i.key for i in items])

            def render(
                path: str = path,
                heading: str = heading,
                items: list[Item] = items,
                crumbs: list[tuple[str, str]] = crumbs,
            ) -> str:
                ctx = self._ctx(path, heading=heading, items=items, breadcrumbs=crumbs)
                return template.render(ctx)

            self.defer(path, key, render, items)
        years = sorted(
            ((y, sorted(ms, key=lambda m: m[1], reverse=True)) for y, ms in index.items()),
            reverse=True,
        )
        path = "archive/index.html"
        self.emit(
            path,
            _hash(self.site_key, years),
            lambda: self.env.get_template("archive.html").render(self._ctx(path, years=years)),
        )

    def _feeds(self) -> None:
        for path, key, make, info, members in self.feed_work:
            entries = [self.feed_content[i.id] for i in members]
            self.emit(path, key, partial(make, info, entries, self.fragments))

    def _fixed_pages(self) -> None:
        not_found = self._ctx("404.html", root="", base_path=self.base_path)
        self.emit(
            "404.html",
            _hash(self.site_key, "404"),
            lambda: self.env.get_template("404.html").render(not_found),
        )
        robots = "User-agent: *\nAllow: /\n"
        if self.base.startswith(("http://", "https://")):
            robots += f"Sitemap: {absolute(self.base, 'sitemap.xml')}\n"
        self.emit("robots.txt", _hash(robots), lambda: robots)
        for path, data in static_files(self.options.templates).items():
            self.emit_data(path, data)
        if self.search:
            labels = json.dumps(
                {k: self.t[k] for k in ("results", "searching", "failed")}, ensure_ascii=False
            )
            path = "search/index.html"
            ctx = self._ctx(path, search_page=True, search_labels=labels)
            self.emit(
                path,
                _hash(self.site_key, "search"),
                lambda: self.env.get_template("search.html").render(ctx),
            )

    def _search_index(self) -> None:
        assert self.index is not None
        state, files = self.index.finish()
        self.search_state = state
        written = set(files)
        for segment in state.segments:
            for name in segment.files():
                if name not in written:
                    # An unchanged segment: keep it, and its manifest entry.
                    self.files.pages[name] = self.old_pages.get(name, segment.id)
        for name, data in files.items():
            self.emit_data(name, data)

    def _remove_stale(self) -> None:
        """Files the last build wrote and this one did not: pages, and article pages (which
        the manifest lists in its article records)."""
        self.files.remove_stale(
            (record.path for record in self.old_articles.values()),
            (item.path for item in self.items),
        )

    def _write_manifest(self) -> None:
        """The manifest, unless this build changed nothing it records."""
        if (
            self.files.pages == self.old_pages
            and self.new_articles == self.old_articles
            and self.site_key == self.old_site_key
            and self.versions == self.old_versions
            and not self.files.counts.written
            and not self.files.counts.removed
        ):
            return  # a quiet build: the manifest on disk says all of this already
        # The search index's state lives in the helper, when there is one, which encodes it.
        search = self.search_json
        if search is None and self.index is not None and self.search_state is not None:
            search = _json(self.search_state.to_json())
        text = manifest_bytes(
            self.files.pages, self.new_articles, self.site_key, self.fingerprint, search,
            self.versions,
        )  # fmt: skip
        self.files.output.write(MANIFEST, text)
