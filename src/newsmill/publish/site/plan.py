"""The second stage of a build: from the catalog and the last build's manifest, what
must be made again.

A plan says which article pages are rendered, which lists changed (an article
added, changed or removed in them since the last build), which search
documents are new, and what the next manifest records of every article. The
stages after it only read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newsmill.publish.site.catalog import Catalog, Item
from newsmill.publish.site.context import BuildContext
from newsmill.publish.site.keys import digest
from newsmill.publish.site.manifest import ArticleRecord
from newsmill.publish.site.paths import month_dir, tag_dir
from newsmill.publish.site.search.index import IndexBuilder

PAGE = "page"  # an article whose page is rendered
SEARCH = "search"  # an article new to the search index


@dataclass(frozen=True, slots=True, eq=False)
class Plan:
    listed: list[Item]  # the items lists show (duplicates show under their primary)
    page_keys: dict[str, str]  # id: what its page shows of its story's other reports
    needed: dict[str, set[str]]  # id: what its full article is read for (PAGE, SEARCH)
    dirty: frozenset[str]  # list folders with an article added, changed or removed
    # Of those, the lists with an article changed or removed: the others only grew,
    # and their pages older than the oldest new entry are as the last build made them.
    reshuffled: frozenset[str]
    fresh: frozenset[str]  # articles the last build did not have
    all_dirty: bool  # every list is made again (new settings, or an unknown owner)
    also_changed: frozenset[str | None]  # articles whose story's other reports changed
    records: dict[str, ArticleRecord]  # what the next manifest keeps of every article

    def changed(self, folder: str) -> bool:
        """Whether the list in `folder` may show something else than last time."""
        return self.all_dirty or folder in self.dirty


def lists_of(item: Item) -> list[str]:
    """Every list `item` shows in: home, its categories, its tags, its month."""
    return list_folders(item.folders, item.tags, item.month)


def list_folders(folders: Sequence[str], tags: Sequence[str], month: str) -> list[str]:
    """The lists of an article with these category folders, tags and month folder."""
    return ["", *folders, *dict.fromkeys(map(tag_dir, tags)), month]


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
    records, needed = planner.walk()
    if index is not None:
        for article_id in index.keep_all([(i.id, i.key) for i in listed]):
            needed.setdefault(article_id, set()).add(SEARCH)
    return Plan(
        listed=listed,
        page_keys=planner.page_keys,
        needed=needed,
        dirty=frozenset(planner.dirty),
        reshuffled=frozenset(planner.reshuffled),
        fresh=frozenset(planner.fresh),
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
        self.reshuffled: set[str] = set()
        self.fresh: set[str] = set()
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
            (item.primary.path, item.primary.title, item.primary.source_name, item.primary.tags)
            if item.primary
            else None,
        )

    def walk(self) -> tuple[dict[str, ArticleRecord], dict[str, set[str]]]:
        """The records of the next manifest, and the article pages to render; on the way,
        the lists with an article added, changed or removed since the last build.

        An article page is rendered when its record says it shows something else
        or its file is gone. Any list not marked dirty shows exactly what it
        showed, so its pages are carried over without being keyed again. A
        duplicate counts as a member of its primary's lists (its owner), whose
        entry names it. An article's lists follow from its owner's fields, which
        its owner's version covers: an article whose version and owner are those
        of the last build is in the same lists, with no need to work them out.
        One pass over the articles: on big sites every step of it counts.
        """
        dirty, reshuffled, also_changed = self.dirty, self.reshuffled, self.also_changed
        cached, keys, page_key = self.cached, self.page_keys, self.page_key
        kept = self.ctx.files.keep_recorded
        records: dict[str, ArticleRecord] = {}
        needed: dict[str, set[str]] = {}
        for item in self.catalog.items:
            primary = item.primary
            key = page_key(item) if item.also or primary is not None else ""
            keys[item.id] = key
            owner = primary.id if primary is not None else ""
            record = cached.get(item.id)
            if (
                record is None
                or record.version != item.key
                or record.path != item.path
                or record.page_key != key
                or not kept(item.path)
            ):
                needed[item.id] = {PAGE}
            if record is None:
                dirty.update(lists_of(primary or item))
                dirty.add(item.month)  # its month's sitemap file, duplicate or not
                also_changed.add(item.duplicate_of)
                self.fresh.add(item.id)
                record = record_of(item, owner, key)
            elif record.version != item.key or record.owner != owner:
                lists = lists_of(primary or item)
                lists += self._old_lists(record.owner or item.id)
                lists += (item.month, month_dir(record.iso))
                dirty.update(lists)
                reshuffled.update(lists)
                also_changed.add(item.duplicate_of)
                also_changed.add(record.primary)
                record = record_of(item, owner, key)
            elif record.page_key != key:
                record = record_of(item, owner, key)
            records[item.id] = record
        for article_id in self.old.keys() - records.keys():  # removed since the last build
            record = self.old[article_id]
            lists = [*self._old_lists(record.owner or article_id), month_dir(record.iso)]
            dirty.update(lists)
            reshuffled.update(lists)
            also_changed.add(record.primary)
        return records, needed

    def _old_lists(self, owner: str) -> list[str]:
        """The lists an owner's articles were in at the last build, from its record."""
        record = self.old.get(owner)
        if record is None:  # cannot tell: every list is looked at again
            self.all_dirty = True
            return []
        folders = self.catalog.folders(tuple(record.categories))
        return list_folders(folders, record.tags, month_dir(record.iso))
