"""The site's own feeds (Atom, RSS, JSON Feed of the site and of every category) and
its sitemap.

A feed holds the newest `FEED_SIZE` listed articles. A feed whose entries
changed is written again, taking the entries of articles that did not change
from the file the last build wrote, so only new and changed articles are read
in full. The sitemap is split by month, as the archive is: new articles
rewrite their month's file, not a map of the whole archive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from newsmill.model import Article
from newsmill.publish.site import feeds as feedout
from newsmill.publish.site.catalog import Catalog, Item
from newsmill.publish.site.context import BuildContext
from newsmill.publish.site.keys import digest
from newsmill.publish.site.members import Members
from newsmill.publish.site.paths import absolute, month_dir
from newsmill.publish.site.plan import Plan

FEED_SIZE = 20
_FORMATS = (
    ("atom.xml", "atom", feedout.atom),
    ("rss.xml", "rss", feedout.rss),
    ("feed.json", "json", feedout.json_feed),
)
_Make = Callable[..., bytes]


class Syndication:
    def __init__(self, ctx: BuildContext, catalog: Catalog, plan: Plan, members: Members) -> None:
        self.ctx = ctx
        self.files = ctx.files
        self.catalog = catalog
        self.plan = plan
        self.members = members
        self.entries: dict[str, feedout.Entry] = {}  # id: its entry, made or kept
        self.fragments = feedout.Fragments()  # entries of the last build's feed files

    # -- feeds -------------------------------------------------------------------------

    def feeds(self) -> None:
        """The feeds whose entries changed, reading only the articles they cannot keep.
        The feeds of lists no article was added to, changed in or removed from are
        kept as the last build wrote them."""
        work: list[tuple[str, str, _Make, feedout.FeedInfo, list[Item]]] = []
        wanted: dict[str, None] = {}
        for folder, title, members in self._feeds():
            names = [folder + name for name, _, _ in _FORMATS]
            if not self.plan.changed(folder) and self.files.carry(names):
                continue
            changed = False
            for name, kind, make in _FORMATS:
                info = feedout.FeedInfo(
                    title=title,
                    home=absolute(self.ctx.base, folder + "index.html"),
                    self_url=absolute(self.ctx.base, folder + name),
                    language=None,  # each entry says its own
                    id=f"urn:newsmill:feed:{folder or '/'}",
                )
                key = digest(self.ctx.site_key, name, info, [i.key for i in members])
                if not self.files.keep_if_same(folder + name, key):
                    work.append((folder + name, key, make, info, members))
                    self._keep_entries(kind, folder + name)
                    changed = True
            if changed:
                wanted.update((i.id, None) for i in members if not self._kept_entry(i))
        by_id = self.catalog.by_id
        for article in self.catalog.source.ordered(list(wanted)):
            self.add_entry(article, by_id[article.id])
        for path, key, make, info, members in work:
            entries = [self.entries[i.id] for i in members]
            self.files.emit(path, key, partial(make, info, entries, self.fragments))

    def _feeds(self) -> Iterator[tuple[str, str, list[Item]]]:
        """(folder, title, the newest FEED_SIZE listed articles) of the site's feed and
        of every category's, from the lists' members gathered for the build."""
        site = self.ctx.site.title
        yield "", site, self.plan.listed[:FEED_SIZE]
        names = self.members.category_names
        for folder, items in self.members.categories.items():
            yield folder, site + " · " + " › ".join(names[folder]), items[:FEED_SIZE]

    def _keep_entries(self, kind: str, path: str) -> None:
        """The entries of the feed file the last build wrote at `path` whose articles are
        unchanged since: a new article rewrites all the feeds of its categories, which
        are otherwise made of articles that were in them already."""
        if not self.ctx.cache_ok or path not in self.ctx.old.pages:
            return
        try:
            data = (self.ctx.dir / path).read_bytes()
        except OSError:
            return
        records, by_id = self.ctx.old.articles, self.catalog.by_id
        for article_id, text in feedout.kept_entries(kind, data).items():
            record = records.get(article_id)
            item = by_id.get(article_id)
            if record is not None and item is not None and record.version == item.key:
                self.fragments.keep(kind, article_id, text)

    def _kept_entry(self, item: Item) -> bool:
        """True (and its entry noted) if the feeds can show `item` from kept text alone."""
        if item.id in self.entries:
            return True
        fragments = self.fragments
        if not all(fragments.has(kind, item.id) for kind in ("atom", "rss", "json")):
            return False
        modified = feedout.kept_modified(fragments.text("atom", item.id))
        if modified is None:
            return False
        self.entries[item.id] = feedout.KeptEntry(item.id, modified)
        return True

    def add_entry(self, article: Article, item: Item) -> None:
        self.entries[item.id] = feedout.FeedEntry(
            id=article.id,
            title=article.title,
            link=absolute(self.ctx.base, item.path),
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

    # -- sitemap -----------------------------------------------------------------------

    def sitemap(self) -> None:
        """`sitemap.xml`, an index of `sitemap-pages.xml` (every list's first page) and one
        file per month of article pages."""
        months: dict[str, list[Item]] = {}
        for item in self.catalog.items:
            group = months.get(item.iso[:7])
            if group is None:
                group = months[item.iso[:7]] = []
            group.append(item)
        names: list[str] = []
        index = self.members.index_pages()
        self._sitemap_part("pages", [(p, None) for p in index], names)
        plan = self.plan
        for part, items in months.items():
            if not plan.changed(month_dir(part)):
                chunks = range(0, len(items), feedout.SITEMAP_LIMIT)
                kept = [self._part_name(part, n) for n in range(len(chunks))]
                if self.files.carry(kept):  # no article of that month came, changed or went
                    names += kept
                    continue
            self._sitemap_part(part, [(i.path, i.iso[:10]) for i in items], names)
        site_key = self.ctx.site_key
        key = digest(site_key, "sitemap", names)
        urls = [absolute(self.ctx.base, name) for name in names]
        self.files.emit("sitemap.xml", key, partial(feedout.sitemap_index, urls))

    def _sitemap_part(
        self, part: str, pages: list[tuple[str, str | None]], names: list[str]
    ) -> None:
        """The files of one part of the sitemap, SITEMAP_LIMIT pages each."""
        for n, start in enumerate(range(0, len(pages), feedout.SITEMAP_LIMIT)):
            name = self._part_name(part, n)
            chunk = pages[start : start + feedout.SITEMAP_LIMIT]
            names.append(name)
            key = digest(self.ctx.site_key, name, "\n".join([f"{p} {m}" for p, m in chunk]))
            self.files.emit(name, key, partial(self._urlset, chunk))

    @staticmethod
    def _part_name(part: str, n: int) -> str:
        return f"sitemap-{part}.xml" if n == 0 else f"sitemap-{part}-{n + 1}.xml"

    def _urlset(self, pages: list[tuple[str, str | None]]) -> bytes:
        return feedout.urlset([(absolute(self.ctx.base, p), m) for p, m in pages])
