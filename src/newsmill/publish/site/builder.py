"""newsmill's own static site: every page derived from Article fields, built incrementally.

A build runs in two phases. The first reads every article's *head* (all its
fields but content and text) newest first and keeps a small `Item` per
article: enough for every list, feed membership and page key. The second
reads full articles only for what must be rendered: article pages whose key
changed, the entries of feeds that changed, documents new to the search
index. A quiet build therefore never reads the archive's content, and a full
one streams it once without holding it.

A build manifest (`.newsmill-site.json` in the site folder) maps every file
newsmill wrote to a key: a hash of everything the page shows, the templates
and the site settings. A page is rendered only when its key changed (or its
file is gone); a page no longer produced is deleted, so a build with nothing
new writes no file and a removed article takes its page with it. Lists are
paginated from the oldest (see `paths.paginate`), so a new article rewrites
the first page of each list it is in, not all of them.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from newsmill.config import SiteConfig, SiteOutputConfig
from newsmill.model import Article, Source
from newsmill.publish.files import TEMP_SUFFIX, OutputError, write_if_changed
from newsmill.publish.report import PublishReport
from newsmill.publish.site import feeds as feedout
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
    labels_for,
    make_environment,
    static_files,
    templates_fingerprint,
)
from newsmill.publish.site.search import IndexBuilder, SearchState, doc_meta
from newsmill.store import Store

log = logging.getLogger("newsmill.publish.site")

MANIFEST = ".newsmill-site.json"
BUILDING = ".newsmill-building"
SITE_FORMAT = 1
FEED_SIZE = 20
FEED_FILES = (
    ("atom.xml", "application/atom+xml", "Atom"),
    ("rss.xml", "application/rss+xml", "RSS"),
    ("feed.json", "application/feed+json", "JSON Feed"),
)
# Not shown on any page, so a change to them alone re-renders nothing.
_UNSHOWN = frozenset({"fetched"})
# Stands for a page's relative root in fragments rendered once and reused on many pages.
ROOT = "\ue000newsmill-root\ue000"


def _hash(*parts: object) -> str:
    """A page key: strings are hashed as they are (long ones cost no repr), the rest by repr."""
    digest = hashlib.blake2b(digest_size=12)
    for part in parts:
        if isinstance(part, str):
            digest.update(part.encode("utf-8", "surrogatepass"))
        elif isinstance(part, tuple) and all(isinstance(p, str) for p in part):
            digest.update("\x1f".join(part).encode("utf-8", "surrogatepass"))
            digest.update(b"\x1e%d" % len(part))
        else:
            digest.update(repr(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def _article_values(article: Article) -> tuple[object, ...]:
    """Every shown field, long strings apart from the rest so they are hashed without repr."""
    values = [getattr(article, name) for name in _shown_fields(type(article))]
    texts = tuple(v if isinstance(v, str) else "" for v in values)
    others = tuple("<str>" if isinstance(v, str) else v for v in values)
    return (texts, others)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _shown_fields(kind: type) -> tuple[str, ...]:
    """Every field of the article type but the unshown ones, so a field added to
    Article later (cluster, duplicate_of) is part of every page key at once."""
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in fields(kind) if f.name not in _UNSHOWN)
    return names


@dataclass(slots=True, eq=False)
class Item:
    """What the lists, feeds and search results show of an article; all a list page needs."""

    id: str
    path: str
    title: str
    url: str
    source: str
    source_name: str
    section: str
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    published: datetime
    local: datetime
    date: str
    iso: str
    lead_image: str | None
    summary: str
    language: str | None
    publisher: str | None
    author: str
    duplicate_of: str | None
    key: str = ""  # the article's version: changes whenever any of its fields does
    order: int = 0  # rank in the store's newest-first order
    folders: tuple[str, ...] = ()  # category folders, one per level
    also: list[Item] = field(default_factory=list)  # duplicates of this story, other sources
    primary: Item | None = None  # the story's canonical article, for a duplicate
    card: str | None = None  # its list entry, rendered once with ROOT for the link prefix

    @property
    def list_key(self) -> str:
        return self.key + "".join(o.key for o in self.also) if self.also else self.key


@dataclass
class _Counts:
    written: int = 0
    unchanged: int = 0
    removed: int = 0


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
        return _Build(self).run(_MemorySource(list(articles)))

    def publish_store(self, store: Store) -> PublishReport:
        """From the store: heads of every article, full rows only for what changed."""
        return _Build(self).run(_StoreSource(store))


_HEAD_FIELDS = (
    "id", "source", "title", "url", "categories", "tags", "published", "updated",
    "lead_image", "summary", "language", "publisher", "author",
)  # fmt: skip


class _Head:
    """An article without content and text, from a store row."""

    __slots__ = (*_HEAD_FIELDS, "duplicate_of")

    def __init__(self, row: dict[str, Any]) -> None:
        for name in _HEAD_FIELDS:
            setattr(self, name, row[name])
        self.duplicate_of = row.get("duplicate_of")


class _MemorySource:
    def __init__(self, articles: list[Article]) -> None:
        self.articles = articles

    def heads(self) -> Iterator[tuple[Any, str]]:
        for article in self.articles:
            yield article, _hash(*_article_values(article))

    def full(self, ids: set[str]) -> Iterator[Article]:
        return (a for a in self.articles if a.id in ids)


class _StoreSource:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.count = 0

    def heads(self) -> Iterator[tuple[Any, str]]:
        # Every column is in the version, so any change the store records (content
        # through changed_at, a new cluster, ...) changes the article's pages.
        for row in self.store.iter_article_heads():
            self.count += 1
            yield _Head(row), _hash(tuple(row.values()))

    def full(self, ids: set[str]) -> Iterator[Article]:
        if len(ids) > self.count // 4:
            return (a for a in self.store.iter_articles() if a.id in ids)
        return self.store.articles_by_id(ids)


PARALLEL_MIN = 1000  # pages and documents to make before a second process pays for itself


class _Helper:
    """A forked copy of the build that renders article pages and builds the search index
    while this process reads the store and renders lists and feeds.

    Forked after planning, it already knows every page's key and what the
    index keeps; it gets full articles in batches through a pipe. Hugo uses
    every core; this uses two.
    """

    BATCH = 128

    def __init__(self, build: _Build) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=build.helper_main, args=(child,), daemon=True)
        self._process.start()
        child.close()
        self._batch: list[tuple[Article, set[str]]] = []

    def send(self, article: Article, needs: set[str]) -> None:
        self._batch.append((article, needs))
        if len(self._batch) >= self.BATCH:
            self._conn.send(self._batch)
            self._batch = []

    def finish(self) -> tuple[int, int, Any]:
        try:
            if self._batch:
                self._conn.send(self._batch)
            self._conn.send(None)
            result = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise OutputError(f"the site build's helper process failed: {exc!r}") from None
        finally:
            self._conn.close()
            self._process.join(30)
        if isinstance(result, Exception):
            raise result
        return result


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
        self.t = labels_for(site.language)
        self.search = options.search
        self.base, self.base_path = _base_urls(options, site)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{self.dir}: cannot create: {exc.strerror}") from None
        if (self.dir / BUILDING).exists():
            self._remove_temporaries()
        self._load_manifest()
        self.pages: dict[str, str] = {}
        self.counts = _Counts()
        self.env = make_environment(options.templates)
        self.fingerprint = templates_fingerprint(options.templates)
        self.nav = self._nav()
        self.site_ctx = {
            "title": site.title,
            "language": site.language,
            "search": self.search,
            "base_path": self.base_path,
        }
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
        self.feed_content: dict[str, feedout.FeedEntry] = {}
        self.folder_cache: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.index = IndexBuilder(self._usable(self.old_search)) if self.search else None
        self.helper: _Helper | None = None
        self._article_template = self.env.get_template("article.html")
        self._headers: dict[str, Markup] = {}
        self._marked = False

    # -- manifest ------------------------------------------------------------------

    def _load_manifest(self) -> None:
        """What the last build wrote; anything unreadable means starting afresh."""
        self.old_pages: dict[str, str] = {}
        self.old_search: SearchState | None = None
        self.old_articles: dict[str, list[str]] = {}
        self.old_site_key = ""
        try:
            data = json.loads((self.dir / MANIFEST).read_text("utf-8"))
            if data.get("v") != SITE_FORMAT:
                return
            self.old_pages = {str(k): str(v) for k, v in data["pages"].items()}
            if data.get("search"):
                self.old_search = SearchState.from_json(data["search"])
            self.old_articles = {str(k): [str(x) for x in v] for k, v in data["articles"].items()}
            self.old_site_key = str(data["site_key"])
        except (FileNotFoundError, ValueError, KeyError, TypeError, AttributeError):
            self.old_articles, self.old_site_key = {}, ""

    def _usable(self, state: SearchState | None) -> SearchState | None:
        """The previous index state if all its files are still there, else None (rebuild)."""
        if state is None:
            return None
        for segment in state.segments:
            for name in segment.files():
                if not (self.dir / name).is_file():
                    return None
        return state

    def _remove_temporaries(self) -> None:
        """Half-written files of a build that was killed; the pages they replace are intact."""
        for folder, _dirs, names in os.walk(self.dir):
            for name in names:
                if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                    Path(folder, name).unlink(missing_ok=True)

    # -- writing -------------------------------------------------------------------

    def emit(self, path: str, key: str, render: Callable[[], str | bytes]) -> None:
        """Render and write `path` unless the manifest says it already shows `key`."""
        if path.startswith("/") or ".." in path.split("/") or "\\" in path:
            raise OutputError(f"{self.dir / path}: outside the site folder {self.dir}")
        self.pages[path] = key
        target = self.dir / path
        if self.old_pages.get(path) == key and os.path.isfile(f"{self.dir_str}/{path}"):
            self.counts.unchanged += 1
            return
        data = render()
        if isinstance(data, str):
            data = data.encode("utf-8")
        self._mark()
        if write_if_changed(target, data):
            self.counts.written += 1
        else:
            self.counts.unchanged += 1

    def _mark(self) -> None:
        """Only a build that writes leaves a marker; a killed one is cleaned up next time."""
        if not self._marked:
            (self.dir / BUILDING).touch()
            self._marked = True

    def helper_main(self, conn: Connection) -> None:
        """In the forked helper: fill what is sent, then report counts and the index."""
        self.helper = None
        self.counts = _Counts()
        try:
            while True:
                message = conn.recv()
                if message is None:
                    break
                for article, needs in message:
                    self.fill(article, needs)
            index: tuple[SearchState, dict[str, bytes]] | None = None
            if self.index is not None:
                index = self.index.finish()
            conn.send((self.counts.written, self.counts.unchanged, index))
        except Exception as exc:  # reported by the parent as one error, not a hang
            conn.send(exc if isinstance(exc, OutputError) else OutputError(repr(exc)))
        finally:
            conn.close()

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
        template = self.env.get_template("_card.html")
        cards = []
        for item in items:
            if item.card is None:
                ctx = {"site": self.site_ctx, "t": self.t, "root": ROOT, "item": item}
                item.card = template.render(ctx)
            cards.append(Markup(item.card.replace(ROOT, root)))
        return cards

    def _nav(self) -> list[dict[str, str]]:
        """The configured groups (first category level), known before any article is read,
        so every page can show them without waiting for the end of the pass."""
        seen: dict[str, dict[str, str]] = {}
        for source in self.sources.values():
            if source.categories:
                folder = category_dir(source.categories[:1])
                name = source.categories[0]
                seen.setdefault(folder, {"name": name, "path": folder + "index.html"})
        return sorted(seen.values(), key=lambda g: g["path"])

    # -- phase 1: heads ---------------------------------------------------------------

    def run(self, source: _MemorySource | _StoreSource) -> PublishReport:
        for head, version in source.heads():
            self.take(head, version)
        needed = self.plan()
        for article in source.full(set(needed)):
            self.fill(article, needed[article.id])
        return self.finish()

    def take(self, head: Any, version: str) -> None:
        local = head.published.astimezone(self.tz)
        source = self.sources.get(head.source)
        categories = tuple(head.categories)
        source_name = (
            categories[1]
            if len(categories) > 1
            else (source.author if source and source.author else head.source)
        )
        item = Item(
            id=head.id,
            path=article_path(head.id, head.title, local),
            title=head.title,
            url=head.url,
            source=head.source,
            source_name=source_name,
            section=" › ".join(categories[:2]) or source_name,
            categories=categories,
            tags=tuple(head.tags),
            published=head.published,
            local=local,
            date=local.strftime("%Y-%m-%d %H:%M"),
            iso=local.isoformat(),
            lead_image=head.lead_image,
            summary=head.summary,
            language=head.language,
            publisher=head.publisher,
            author=head.author,
            duplicate_of=getattr(head, "duplicate_of", None) or None,
            key=version,
            order=len(self.items),
            folders=self._folders(categories),
        )
        self.items.append(item)
        self.by_id[item.id] = item

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
        self._find_dirty_lists()
        for item in self.items:
            key = _hash(
                self.site_key,
                item.path,
                item.key,
                [(o.path, o.title, o.source_name) for o in item.also],
                (item.primary.path, item.primary.title, item.primary.source_name)
                if item.primary
                else None,
            )
            if self.unchanged(item.path, key):
                continue
            self.page_keys[item.id] = key
            needed.setdefault(item.id, set()).add("page")
        self._group_feeds()
        for folder, members in self.feed_members.items():
            if not self._feed_plans(folder, members):
                continue
            for item in members:
                needed.setdefault(item.id, set()).add("feed")
        if self.index is not None:
            for item in self.listed:
                if not self.index.keep(item.id, item.key):
                    needed.setdefault(item.id, set()).add("search")
        heavy = sum(1 for needs in needed.values() if needs & {"page", "search"})
        if heavy >= PARALLEL_MIN and (os.cpu_count() or 1) > 1:
            self._mark()
            try:
                self.helper = _Helper(self)
            except (AssertionError, OSError, ValueError) as exc:
                # e.g. inside a daemonic worker process, which may not fork: do it all here
                log.info("site build in one process: %r", exc)
        return needed

    def _lists_of(self, item: Item) -> tuple[str, ...]:
        """Every list `item` shows in: home, its categories, its tags, its month."""
        tags = tuple(dict.fromkeys(tag_dir(t) for t in item.tags))
        return ("", *item.folders, *tags, month_dir(item.local))

    def _find_dirty_lists(self) -> None:
        """Lists with an article added, changed or removed since the last build.

        Any other list shows exactly what it showed, so its pages are carried
        over without being keyed again: a quiet build then costs about one
        dictionary lookup per article and per list. A duplicate counts as a
        member of its primary's lists, whose entry names it.
        """
        self.all_dirty = self.old_site_key != self.site_key
        dirty: set[str] = set()
        seen: dict[str, list[str]] = {}
        for item in self.items:
            lists = self._lists_of(item.primary or item)
            record = [item.key, *lists]
            seen[item.id] = record
            if self.old_articles.get(item.id) != record:
                dirty.update(lists)
                dirty.update(self.old_articles.get(item.id, [""])[1:])
        for article_id, record in self.old_articles.items():
            if article_id not in seen:
                dirty.update(record[1:])
        self.dirty = dirty
        self.new_articles = seen

    def carried(self, folder: str, path: str) -> bool:
        """True (and the page kept) if `path` belongs to a list that did not change."""
        if self.all_dirty or folder in self.dirty:
            return False
        key = self.old_pages.get(path)
        if key is None or not os.path.isfile(f"{self.dir_str}/{path}"):
            return False
        self.pages[path] = key
        self.counts.unchanged += 1
        return True

    def unchanged(self, path: str, key: str) -> bool:
        """True (and the page counted as kept) if the manifest says it shows `key`."""
        if self.old_pages.get(path) == key and os.path.isfile(f"{self.dir_str}/{path}"):
            self.pages[path] = key
            self.counts.unchanged += 1
            return True
        return False

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
        for name, make in (
            ("atom.xml", feedout.atom),
            ("rss.xml", feedout.rss),
            ("feed.json", feedout.json_feed),
        ):
            info = feedout.FeedInfo(
                title=title,
                home=absolute(self.base, folder + "index.html"),
                self_url=absolute(self.base, folder + name),
                language=self.lang,
                id=f"urn:newsmill:feed:{folder or '/'}",
            )
            key = _hash(self.site_key, name, info, [i.key for i in members])
            if not self.unchanged(folder + name, key):
                self.feed_work.append((folder + name, key, make, info, members))
                changed = True
        return changed

    # -- phase 2: content ------------------------------------------------------------

    def fill(self, article: Article, needs: set[str]) -> None:
        item = self.by_id[article.id]
        if self.helper is not None:
            # Pages and index in the helper; feeds (a few entries) stay here.
            offload = needs - {"feed"}
            if offload:
                self.helper.send(article, offload)
                if "page" in offload:
                    self.pages[item.path] = self.page_keys[item.id]
            needs = needs & {"feed"}
        if "page" in needs:
            self.emit(
                item.path, self.page_keys[item.id], lambda: self._render_article(article, item)
            )
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
            )
        if "search" in needs and self.index is not None:
            meta = doc_meta(item.path, item.title, item.date[:10], item.section, item.summary)
            self.index.add(item.id, item.key, item.order, article.title, article.text, meta)

    def _render_article(self, article: Article, item: Item) -> str:
        content = article.content_html
        lead = article.lead_image
        if lead and (lead in content or html.escape(lead, quote=True) in content):
            lead = None  # the content shows it already
        levels = item.categories
        updated = None
        if article.updated and article.updated != article.published:
            when = article.updated.astimezone(self.tz)
            updated = {"date": when.strftime("%Y-%m-%d %H:%M"), "iso": when.isoformat()}
        ctx = self._ctx(
            item.path,
            lang=article.language or self.lang,
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

    def finish(self) -> PublishReport:
        if self.helper is not None:
            written, unchanged, self.helper_index = self.helper.finish()
            self.counts.written += written
            self.counts.unchanged += unchanged
        listed = self.listed
        sitemap: list[tuple[str, str | None]] = []
        self._home(listed, sitemap)
        self._categories(listed, sitemap)
        self._tags(listed, sitemap)
        self._archives(listed, sitemap)
        self._feeds()
        self._fixed_pages()
        if self.index is not None:
            self._search_index()
        for item in self.items:
            sitemap.append((item.path, item.iso[:10]))
        self._sitemap(sitemap)
        self._remove_stale()
        self._write_manifest()
        (self.dir / BUILDING).unlink(missing_ok=True)
        report = PublishReport("site")
        report.written = self.counts.written
        report.unchanged = self.counts.unchanged
        report.removed = self.counts.removed
        return report

    def _list_pages(
        self,
        folder: str,
        items: list[Item],
        heading: str,
        breadcrumbs: list[tuple[str, str]],
        subsections: list[tuple[str, str, int]],
        feeds: list[dict[str, str]],
    ) -> None:
        template = self.env.get_template("list.html")
        for pager in paginate(folder, len(items), self.options.page_size):
            if self.carried(folder, pager.path):
                continue
            shown = items[pager.start : pager.stop]
            first = pager.number == 0
            key = _hash(
                self.site_key,
                # Not the slice: it shifts as articles are added while the page stays the same.
                (pager.path, pager.newer, pager.older, pager.number),
                heading,
                breadcrumbs,
                subsections if first else None,
                feeds,
                len(items) if first else None,
                [i.list_key for i in shown],
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

            self.emit(pager.path, key, render)

    def _feed_links(self, folder: str, title: str) -> list[dict[str, str]]:
        return [
            {"path": folder + name, "type": mime, "label": label, "title": f"{title} ({label})"}
            for name, mime, label in FEED_FILES
        ]

    def _home(self, listed: list[Item], sitemap: list[tuple[str, str | None]]) -> None:
        self._list_pages("", listed, self.site.title, [], [], self._feed_links("", self.site.title))
        sitemap.append(("index.html", None))

    def _categories(self, listed: list[Item], sitemap: list[tuple[str, str | None]]) -> None:
        # Names that slugify alike share a folder: one category, shown by the first name met.
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
        for folder, items in members.items():
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
            sitemap.append((folder + "index.html", None))

    def _tags(self, listed: list[Item], sitemap: list[tuple[str, str | None]]) -> None:
        members: dict[str, list[Item]] = {}
        names: dict[str, str] = {}
        for item in listed:
            for tag in dict.fromkeys(item.tags):
                folder = tag_dir(tag)
                names.setdefault(folder, tag)
                group = members.setdefault(folder, [])
                if not group or group[-1] is not item:
                    group.append(item)
        for folder, items in members.items():
            heading = self.t["tag"].replace("{name}", names[folder])
            self._list_pages(folder, items, heading, [], [], [])
            sitemap.append((folder + "index.html", None))

    def _archives(self, listed: list[Item], sitemap: list[tuple[str, str | None]]) -> None:
        months: dict[str, list[Item]] = {}
        for item in listed:
            months.setdefault(month_dir(item.local), []).append(item)
        template = self.env.get_template("month.html")
        index: dict[str, list[tuple[str, str, int]]] = {}
        for folder, items in months.items():
            year, month = folder.split("/")[1:3]
            heading = self.t["month"].replace("{y}", year).replace("{m}", month)
            path = folder + "index.html"
            index.setdefault(year, []).append((heading, path, len(items)))
            sitemap.append((path, None))
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

            self.emit(path, key, render)
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
        sitemap.append((path, None))

    def _feeds(self) -> None:
        for path, key, make, info, members in self.feed_work:
            entries = [self.feed_content[i.id] for i in members]
            self.emit(path, key, partial(make, info, entries))

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
        if self.helper is not None:
            state, files = self.helper_index
        else:
            state, files = self.index.finish()
        self.search_state = state
        written = set(files)
        for segment in state.segments:
            for name in segment.files():
                if name not in written:
                    # An unchanged segment: keep it, and its manifest entry.
                    self.pages[name] = self.old_pages.get(name, segment.id)
        for name, data in files.items():
            self.emit_data(name, data)

    def _sitemap(self, pages: list[tuple[str, str | None]]) -> None:
        """`pages` are (site path, lastmod); URLs are made only if the list changed."""
        key = _hash(self.site_key, "sitemap", "\n".join(f"{p} {m}" for p, m in pages))
        names = ["sitemap.xml"]
        if len(pages) > feedout.SITEMAP_LIMIT:
            parts = -(-len(pages) // feedout.SITEMAP_LIMIT)
            names += [f"sitemap-{n}.xml" for n in range(1, parts + 1)]
        if all([self.unchanged(name, key) for name in names]):
            return
        urls = [(absolute(self.base, p), m) for p, m in pages]
        for name, data in feedout.sitemaps(urls, absolute(self.base, "")):
            self.emit(name, key, partial(bytes, data))

    def _remove_stale(self) -> None:
        for path in sorted(set(self.old_pages) - set(self.pages)):
            if path.startswith("/") or ".." in path.split("/"):
                continue  # a tampered manifest must not delete outside the folder
            target = self.dir / path
            try:
                target.unlink()
            except FileNotFoundError:
                continue
            self.counts.removed += 1
            parent = target.parent
            while parent != self.dir:
                try:
                    parent.rmdir()
                except OSError:
                    break
                parent = parent.parent

    def _write_manifest(self) -> None:
        if (
            self.pages == self.old_pages
            and self.new_articles == self.old_articles
            and self.site_key == self.old_site_key
            and not self.counts.written
            and not self.counts.removed
        ):
            return  # a quiet build: the manifest on disk says all of this already
        search = None
        if self.index is not None:
            search = self.search_state.to_json()
        data = {
            "v": SITE_FORMAT,
            "fingerprint": self.fingerprint,
            "pages": dict(sorted(self.pages.items())),
            "site_key": self.site_key,
            "articles": dict(sorted(self.new_articles.items())),
            "search": search,
        }
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        write_if_changed(self.dir / MANIFEST, text.encode("utf-8"))
