"""The first stage of a build: every article as the lists see it, an `Item` each.

An item holds what places an article in lists (source, categories, tags,
date, primary) and its page's path. For an unchanged article that comes from
the manifest's record (`sources.CachedHead`), for the others from the heads
the store reads. What a list entry shows (title, summary, ...) is read later,
only for the entries that are rendered again (`Catalog.show`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from newsmill.dates import in_zone
from newsmill.enrich import is_rtl
from newsmill.files import OutputError
from newsmill.publish.site.context import BuildContext
from newsmill.publish.site.paths import article_path, category_dir, month_dir
from newsmill.publish.site.sources import CachedHead, SiteSource


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
    key: str  # the article's version: changes whenever any of its fields does
    order: int  # rank in the store's newest-first order
    folders: tuple[str, ...]  # category folders, one per level
    # What its list entry shows: read only when it is rendered (see `Catalog.show`).
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


def show_head(item: Item, head: Any) -> None:
    """Fill in what `item`'s list entry shows from a head, display row or article."""
    item.title = head.title
    item.url = head.url
    item.lead_image = head.lead_image
    item.summary = head.summary
    item.language = head.language
    item.publisher = head.publisher
    item.author = head.author
    if head.date_is_fallback:  # shown as undated, with when it was first seen
        item.first_seen, item.first_seen_iso = first_seen(head.fetched, item.tz)
    item.shown = True


def first_seen(fetched: datetime, tz: tzinfo) -> tuple[str, str]:
    """(shown, ISO) local time at which an undated article was first seen."""
    seen = in_zone(fetched, tz)
    return seen.strftime("%Y-%m-%d %H:%M"), seen.isoformat()


class Catalog:
    """Every article's item, newest first, and the source to read the rest from."""

    def __init__(self, ctx: BuildContext, source: SiteSource) -> None:
        self.ctx = ctx
        self.source = source
        self.items: list[Item] = []
        self.by_id: dict[str, Item] = {}
        self._records = ctx.old.articles if ctx.cache_ok else {}
        self._sections: dict[
            tuple[str, ...], tuple[tuple[str, ...], str, str, tuple[str, ...]]
        ] = {}
        self._folders: dict[tuple[str, ...], tuple[str, ...]] = {}

    def read(self) -> None:
        """An item for every article the source has, in its order."""
        add = self._add
        for head, version in self.source.heads(self._records):
            if type(head) is CachedHead:  # an unchanged article: thousands a build
                version, path, iso, _owner, _page, source, levels, tags, primary = head.record
                add(head.id, version, path, iso, source, levels, tags, primary)
            else:
                path, iso = self._placed(head, version)
                item = add(
                    head.id, version, path, iso, head.source, head.categories, head.tags,
                    head.duplicate_of,
                )  # fmt: skip
                show_head(item, head)

    def _add(
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
        found = self._sections.get((source, *levels))
        if found is None:
            found = self._section(source, levels)
        categories, source_name, section, folders = found
        # Positional: a dataclass takes them faster than keywords, 100,000 times a build.
        item = Item(
            article_id, path, source, source_name, section, categories, tuple(tags), self.ctx.tz,
            iso[:16].replace("T", " "), iso, primary or None, version, len(self.items), folders,
        )  # fmt: skip
        self.items.append(item)
        self.by_id[article_id] = item
        return item

    def _placed(self, head: Any, version: str) -> tuple[str, str]:
        """(page path, local ISO time): from the manifest when the article is unchanged,
        since a slug and a time zone conversion for each of thousands of articles add up."""
        record = self._records.get(head.id)
        if record is not None and record.version == version:
            return record.path, record.iso
        local = in_zone(head.published, self.ctx.tz)
        return article_path(head.id, head.title, local), local.isoformat()

    def _section(
        self, name: str, levels: Sequence[str]
    ) -> tuple[tuple[str, ...], str, str, tuple[str, ...]]:
        """(categories, source name, section, folders): few distinct ones, so computed
        once each."""
        categories = tuple(levels)
        source = self.ctx.sources.get(name)
        source_name = (
            categories[1]
            if len(categories) > 1
            else (source.author if source and source.author else name)
        )
        section = " › ".join(categories[:2]) or source_name
        found = (categories, source_name, section, self.folders(categories))
        self._sections[(name, *levels)] = found
        return found

    def folders(self, levels: tuple[str, ...]) -> tuple[str, ...]:
        """The category folders of these levels, one per level."""
        folders = self._folders.get(levels)
        if folders is None:
            folders = tuple(category_dir(levels[: i + 1]) for i in range(len(levels)))
            self._folders[levels] = folders
        return folders

    def link_stories(self) -> list[Item]:
        """Tie each duplicate to its story's primary; the listed items (no primary)."""
        by_id = self.by_id
        for item in self.items:
            primary = by_id.get(item.duplicate_of) if item.duplicate_of else None
            if primary is not None and primary is not item:
                primary.also.append(item)
                item.primary = primary
        return [i for i in self.items if i.primary is None]

    def show(self, items: Iterable[Item | None]) -> None:
        """Read what these items' list entries show, for those not read yet."""
        missing = [i for i in items if i is not None and not i.shown]
        if missing:
            heads = self.source.display([i.id for i in missing])
            for item in missing:
                head = heads.get(item.id)
                if head is None:
                    raise OutputError(f"article {item.id} left the store during the build")
                show_head(item, head)
