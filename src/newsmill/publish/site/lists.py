"""List pages: the home list, categories, tags and the monthly archive.

A list the plan did not mark as changed shows exactly what it showed, so its
pages are carried over without being keyed again. The pages of a changed list
are keyed one by one; those to render wait (`defer`) until what the entries of
all of them show has been read in one go (`flush`). Lists are paginated from
the oldest (`paths.paginate`), so a new article rewrites the first page of
each list it is in, and that page's other entries are taken from the file the
last build wrote when their articles did not change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from newsmill.publish.site.catalog import Catalog, Item
from newsmill.publish.site.context import BuildContext
from newsmill.publish.site.keys import digest
from newsmill.publish.site.labels import Namespace
from newsmill.publish.site.members import Members, gather
from newsmill.publish.site.pages import PageRenderer
from newsmill.publish.site.paths import category_dir, paginate, root_of
from newsmill.publish.site.plan import Plan

FEED_FILES = (
    ("atom.xml", "application/atom+xml", "Atom"),
    ("rss.xml", "application/rss+xml", "RSS"),
    ("feed.json", "application/feed+json", "JSON Feed"),
)
_CARD = '<li class="item" data-id="'
_Deferred = tuple[str, Callable[[], str], list[Item], str | None]


def old_cards(page: str) -> Iterator[tuple[str, str]]:
    """(article id, entry) of each entry of a list page made with the built-in templates."""
    for part in page.split(_CARD)[1:]:
        quote = part.find('"')
        end = part.find("</li>\n")
        if quote < 0 or end < 0:
            return
        yield part[:quote], _CARD + part[: end + len("</li>\n")]


class ListPages:
    def __init__(
        self,
        ctx: BuildContext,
        catalog: Catalog,
        plan: Plan,
        members: Members,
        pages: PageRenderer,
    ) -> None:
        self.ctx = ctx
        self.files = ctx.files
        self.catalog = catalog
        self.plan = plan
        self.members = members
        self.pages = pages
        self.deferred: list[_Deferred] = []
        self.kept_cards: dict[tuple[str, str], str] = {}  # (root, id): the last build's entry
        templates = ctx.options.templates
        self.reuse_cards = ctx.cache_ok and not (
            templates is not None
            and any((templates / name).exists() for name in ("_card.html", "list.html"))
        )
        self._old_tag_pages: dict[str, list[str]] | None = None
        self._children: dict[str, list[str]] | None = None

    # -- rendering in one go -----------------------------------------------------------

    def defer(
        self, path: str, key: str, render: Callable[[], str], items: list[Item], cards: str | None
    ) -> None:
        """Write a list page in `flush`, unless it is unchanged. `cards` names the folder
        of a page made of cards, which the last build's may lend."""
        if not self.files.claim(path, key):
            self.deferred.append((path, render, items, cards))

    def flush(self) -> None:
        """Read what the entries of every deferred page show, then render and write them."""
        shown: dict[str, int] = {}
        for _, _, items, folder in self.deferred:
            if folder is not None:
                shown[folder] = shown.get(folder, 0) + len(items)
        # Reading a page back pays for itself only where it saves rendering many entries.
        self._keep_cards({folder for folder, count in shown.items() if count >= 8})
        wanted = []
        kept = self.kept_cards
        for path, _, entries, folder in self.deferred:
            root = root_of(path)
            for item in entries:
                if folder is None or (item.card is None and (root, item.id) not in kept):
                    wanted.append(item)
        self.catalog.show(wanted)
        for path, render, *_ in self.deferred:
            self.files.write(path, render)
        self.deferred = []

    def _keep_cards(self, folders: set[str]) -> None:
        """The entries of the first pages the last build wrote in these folders, for the
        articles whose entries have not changed since: a new article rewrites the first
        page of each of its lists, otherwise made of entries it had already. Only with
        the built-in list and entry templates, whose entries it can find."""
        if not self.reuse_cards:
            return
        by_id, records = self.catalog.by_id, self.ctx.old.articles
        also_changed = self.plan.also_changed
        for folder in folders:
            path = folder + "index.html"
            if path not in self.ctx.old.pages:
                continue
            try:
                text = (self.ctx.dir / path).read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            root = root_of(path)
            for article_id, card in old_cards(text):
                item = by_id.get(article_id)
                record = records.get(article_id)
                if item is None or record is None or record.version != item.key:
                    continue
                if article_id not in also_changed:
                    self.kept_cards.setdefault((root, article_id), card)

    # -- lists -------------------------------------------------------------------------

    def carried(self, folder: str, path: str) -> bool:
        """True (and the page kept) if `path` belongs to a list that did not change."""
        return not self.plan.changed(folder) and self.files.carry([path])

    def list_pages(
        self,
        folder: str,
        items: list[Item],
        heading: str,
        breadcrumbs: list[tuple[str, str]],
        subsections: list[tuple[str, str, int]],
        feeds: list[Namespace],
    ) -> None:
        """The pages of one list, `items` newest first."""
        size = self.ctx.options.page_size
        kept: set[str] = set()
        if not self.plan.changed(folder):
            # Carried over as they are (paths as `paginate` names them), unless a file is gone.
            paths = [f"{folder}index.html"]
            paths += [f"{folder}page-{k}.html" for k in range(1, len(items) // size)]
            kept = {path for path in paths if self.carried(folder, path)}
            if len(kept) == len(paths):
                return
        # What every page of the list shows alike, hashed once for all of them.
        common = digest(self.ctx.site_key, heading, breadcrumbs, feeds)
        self.files.lists[folder] = common
        unchanged_below = self._grown_from(folder, items, common)
        for pager in paginate(folder, len(items), size):
            if pager.path in kept or self.carried(folder, pager.path):
                continue
            if pager.number and pager.number <= unchanged_below and self.files.carry([pager.path]):
                continue
            shown = items[pager.start : pager.stop]
            first = pager.number == 0
            key = digest(
                common,
                # Not the slice: it shifts as articles are added while the page stays the same.
                (pager.path, pager.newer or "", pager.older or "", str(pager.number)),
                repr(subsections) if first else "",
                str(len(items)) if first else "",
                tuple(i.key + "".join(o.key for o in i.also) if i.also else i.key for i in shown),
            )

            def render(pager: Any = pager, shown: list[Item] = shown, first: bool = first) -> str:
                page = self.pages.context(
                    pager.path,
                    heading=heading,
                    items=shown,
                    cards=self.pages.cards(shown, root_of(pager.path), self.kept_cards),
                    pager=pager,
                    breadcrumbs=breadcrumbs,
                    subsections=subsections if first else [],
                    feeds=feeds,
                    count=len(items) if first else None,
                )
                return self.pages.list_template.render(page)

            self.defer(pager.path, key, render, shown, folder)

    def _grown_from(self, folder: str, items: list[Item], common: str) -> int:
        """Of a list that only grew since the last build (articles added, none changed
        or removed, the same heading and links): the highest page number that shows
        what it showed then, 0 for none.

        Pages are counted from the oldest (`paths.paginate`): a page wholly older
        than the oldest new or changed entry holds the same articles as before,
        and links to the same neighbours unless it is one of the two newest.
        Carrying those spares keying every page of a long list (5,000 for the
        home list of 100,000 articles) after every new article.
        """
        plan = self.plan
        if plan.all_dirty or folder in plan.reshuffled:
            return 0
        if self.ctx.old.lists.get(folder) != common:
            return 0
        fresh, also_changed = plan.fresh, plan.also_changed
        oldest, added = -1, 0
        for n, item in enumerate(items):
            if item.id in fresh:
                oldest, added = n, added + 1
            elif item.id in also_changed:
                oldest = n
        size = self.ctx.options.page_size
        count = len(items)
        newest_kept = min((count - added) // size, count // size) - 2
        # Page k starts at index count - k * size; it must start past `oldest`.
        below_oldest = (count - oldest - 1) // size
        return max(0, min(newest_kept, below_oldest))

    def home(self) -> None:
        title = self.ctx.site.title
        self.list_pages("", self.plan.listed, title, [], [], feed_links("", title))

    def categories(self, part: int = 0, parts: int = 1) -> None:
        """The lists of every `parts`-th category folder, from the `part`-th."""
        members, names = self.members.categories, self.members.category_names
        if self._children is None:
            self._children = self.members.category_children()
        children = self._children
        for n, (folder, items) in enumerate(members.items()):
            if n % parts != part:
                continue
            levels = names[folder]
            breadcrumbs = []
            for depth in range(1, len(levels)):
                ancestor = category_dir(levels[:depth])
                name = names.get(ancestor, levels[:depth])[-1]
                breadcrumbs.append((name, ancestor + "index.html"))
            subs = [
                (names[child][-1], child + "index.html", len(members[child]))
                for child in sorted(children.get(folder, []))
            ]
            links = feed_links(folder, " › ".join(levels))
            self.list_pages(folder, items, levels[-1], breadcrumbs, subs, links)

    def tags(self, part: int = 0, parts: int = 1) -> None:
        """The lists of every `parts`-th tag, from the `part`-th.

        Thousands of tags, few of them changed: the lists of tags no article added,
        changed or removed since the last build are carried over from the manifest
        without gathering their articles (`members.gather`), unless a page of
        theirs is gone."""
        plan, names = self.plan, self.members.tag_names
        gone: set[str] = set()
        if not plan.all_dirty:
            for n, (folder, paths) in enumerate(self._tag_pages().items()):
                if n % parts == part and folder not in plan.dirty and not self.files.carry(paths):
                    gone.add(folder)
        members = self.members.tags
        todo = [(f, items) for n, (f, items) in enumerate(members.items()) if n % parts == part]
        if gone:  # rare: a page of an unchanged tag was deleted by hand
            todo += gather(plan.listed, gone).tags.items()
        for folder, items in todo:
            heading = self.ctx.t["tag"].replace("{name}", names[folder])
            self.list_pages(folder, items, heading, [], [], [])

    def _tag_pages(self) -> dict[str, list[str]]:
        """{tag folder: the pages the last build wrote in it}."""
        if self._old_tag_pages is None:
            self._old_tag_pages = {}
            for path in self.ctx.old.pages:
                if path.startswith("t/"):
                    folder = path[: path.rindex("/") + 1]
                    self._old_tag_pages.setdefault(folder, []).append(path)
        return self._old_tag_pages

    def archives(self) -> None:
        """A page per month, and the archive's index of them."""
        months = self.members.months
        t, site_key = self.ctx.t, self.ctx.site_key
        index: dict[str, list[tuple[str, str, int]]] = {}
        for folder, items in months.items():
            year, month = folder.split("/")[1:3]
            heading = t["month"].replace("{y}", year).replace("{m}", month)
            path = folder + "index.html"
            index.setdefault(year, []).append((heading, path, len(items)))
            if self.carried(folder, path):
                continue
            breadcrumbs = [(t["archive"], "archive/index.html")]
            key = digest(site_key, path, heading, [i.key for i in items])

            def render(
                path: str = path,
                heading: str = heading,
                items: list[Item] = items,
                breadcrumbs: list[tuple[str, str]] = breadcrumbs,
            ) -> str:
                values = {"heading": heading, "items": items, "breadcrumbs": breadcrumbs}
                return self.pages.render("month.html", path, **values)

            self.defer(path, key, render, items, None)
        years = sorted(
            ((y, sorted(ms, key=lambda m: m[1], reverse=True)) for y, ms in index.items()),
            reverse=True,
        )
        path = "archive/index.html"
        self.files.emit(
            path,
            digest(site_key, years),
            lambda: self.pages.render("archive.html", path, years=years),
        )


def feed_links(folder: str, title: str) -> list[Namespace]:
    """The feeds a list page links to."""
    return [
        Namespace(path=folder + name, type=mime, label=label, title=f"{title} ({label})")
        for name, mime, label in FEED_FILES
    ]
