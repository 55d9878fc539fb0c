"""The second stage of a build: from the catalog and the last build's manifest, what
must be made again.

A plan says which article pages are rendered, which lists changed (an article
added, changed or removed in them since the last build), which search
documents are new, and what the next manifest records of every article. The
stages after it only read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsmill.publish.site.catalog import Catalog, Item
from newsmill.publish.site.context import BuildContext
from newsmill.publish.site.keys import digest
from newsmill.publish.site.manifest import ArticleRecord
from newsmill.publish.site.paths import month_dir, tag_dir
from newsmill.publish.site.search.index import IndexBuilder

PAGE = "page"  # an article whose page is rendered
SEARCH = "search"  # an article new to the search index
FEED = "feed"  # an article whose feed entry is made again


@dataclass(frozen=True, slots=True, eq=False)
class Plan:
    listed: list[Item]  # the items lists show (duplicates show under their primary)
    page_keys: dict[str, str]  # id: what its page shows of its story's other reports
    needed: dict[str, set[str]]  # id: what its full article is read for (PAGE, SEARCH)
    dirty: frozenset[str]  # list folders with an article added, changed or removed
    all_dirty: bool  # every list is made again (new settings, or an unknown owner)
    also_changed: frozenset[str | None]  # articles whose story's other reports changed
    records: dict[str, ArticleRecord]  # what the next manifest keeps of every article

    def changed(self, folder: str) -> bool:
        """Whether the list in `folder` may show something else than last time."""
        return self.all_dirty or folder in self.dirty


def lists_of(item: Item) -> list[str]:
    """Every list `item` shows in: home, its categories, its tags, its month."""
    return ["", *item.folders, *dict.fromkeys(map(tag_dir, item.tags)), item.month]


def record_of(item: Item, owner: str, page: str) -> ArticleRecord:
    """What the manifest keeps of an article, for `CachedHead` and the next build."""
    return ArticleRecord(
        item.key, item.path, item.iso, owner, page, item.source, list(item.categories),
        list(item.tags), item.duplicate_of,
    )  # fmt: skip


def make_plan(ctx: BuildContext, catalog: Catalog, index: IndexBuilder | None) -> Plan:
    """Relations, lists and keys from the items; what each article's content is needed for."""
    planner = _Planner(ctx, catalog)
    listed = catalog.link_stories()
    needed: dict[str, set[str]] = {}
    keys = planner.page_keys
    for item in catalog.items:
        key = keys[item.id] = planner.page_key(item)
        if not planner.article_unchanged(item, key):
            needed.setdefault(item.id, set()).add(PAGE)
    records = planner.find_dirty_lists()
    if index is not None:
        for item in listed:
            if not index.keep(item.id, item.key):
                needed.setdefault(item.id, set()).add(SEARCH)
    return Plan(
        listed=listed,
        page_keys=keys,
        needed=needed,
        dirty=frozenset(planner.dirty),
        all_dirty=planner.all_dirty,
        also_changed=frozenset(planner.also_changed),
        records=records,
    )


class _Planner:
    def __init__(self, ctx: BuildContext, catalog: Catalog) -> None:
        self.ctx = ctx
        self.catalog = catalog
        self.old = ctx.old.articles
        self.cached = self.old if ctx.cache_ok else {}
        self.page_keys: dict[str, str] = {}
        self.all_dirty = not ctx.cache_ok
        self.dirty: set[str] = set()
        self.also_changed: set[str | None] = set()

    def page_key(self, item: Item) -> str:
        """An article page's key, besides its version and the site's key (both in the
        manifest's record of the article): what it shows of the story's other reports.
        Most pages have none, and an empty key (thousands of them on every build)."""
        if not item.also and item.primary is None:
            return ""
        self.catalog.show([*item.also, item.primary])
        return digest(
            self.ctx.site_key,
            item.path,
            item.key,
            [(o.path, o.title, o.source_name) for o in item.also],
            (item.primary.path, item.primary.title, item.primary.source_name)
            if item.primary
            else None,
        )

    def article_unchanged(self, item: Item, key: str) -> bool:
        """True if the article's page, as the manifest records it, shows what it would now."""
        record = self.cached.get(item.id)
        if (
            record is None
            or record.version != item.key
            or record.path != item.path
            or record.page_key != key
        ):
            return False
        return self.ctx.files.keep_recorded(item.path)

    def find_dirty_lists(self) -> dict[str, ArticleRecord]:
        """Lists with an article added, changed or removed since the last build; the
        records of the next manifest.

        Any other list shows exactly what it showed, so its pages are carried
        over without being keyed again. A duplicate counts as a member of its
        primary's lists (its owner), whose entry names it. An article's lists
        follow from its owner's fields, which its owner's version covers: an
        article whose version and owner are those of the last build is in the
        same lists, with no need to work them out.
        """
        dirty, also_changed = self.dirty, self.also_changed
        seen: dict[str, ArticleRecord] = {}
        keys = self.page_keys
        for item in self.catalog.items:
            owner = item.primary.id if item.primary is not None else ""
            record = self.cached.get(item.id)
            if record is None or record.version != item.key or record.owner != owner:
                dirty.update(lists_of(item.primary or item))
                also_changed.add(item.duplicate_of)
                if record is not None:
                    dirty.update(self._old_lists(record.owner or item.id))
                    also_changed.add(record.primary)
                record = record_of(item, owner, keys[item.id])
            elif record.page_key != keys[item.id]:
                record = record_of(item, owner, keys[item.id])
            seen[item.id] = record
        for article_id, record in self.old.items():
            if article_id not in seen:
                dirty.update(self._old_lists(record.owner or article_id))
                also_changed.add(record.primary)
        return seen

    def _old_lists(self, owner: str) -> list[str]:
        """The lists an owner's articles were in at the last build, from its record."""
        record = self.old.get(owner)
        if record is None:  # cannot tell: every list is looked at again
            self.all_dirty = True
            return []
        folders = self.catalog.folders(tuple(record.categories))
        return ["", *folders, *dict.fromkeys(map(tag_dir, record.tags)), month_dir(record.iso)]
