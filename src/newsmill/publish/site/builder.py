"""newsmill's own static site: every page derived from Article fields, built incrementally.

A build runs in stages, each in a module of its own (docs/site.md draws them):

1. context: settings, the last build's manifest, the site key (`context`);
2. read: an `Item` per article, newest first, from the store's versions and
   the manifest's records; only new and changed articles' heads are read
   (`catalog`, `sources`);
3. plan: which article pages, lists and search documents change (`plan`);
4. render and write: article pages (reading full articles only for them),
   list pages (`lists`), feeds and the sitemap (`syndication`), the search
   index, every file through one writer (`files`), shared with a forked
   helper on big builds (`parallel`);
5. clean up: remove what the last build wrote and this one did not, write
   the manifest.

A build whose archive digest and settings are those of the last build, with
its files in place, stops after the first stage: it reads no article and
writes no file. This module only runs the stages in order.
"""

from __future__ import annotations

import gc
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path

import orjson

from newsmill.config import SiteConfig, SiteOutputConfig
from newsmill.model import Article, PublishReport, Source
from newsmill.publish.site.catalog import Catalog, first_seen
from newsmill.publish.site.context import BuildContext, build_context
from newsmill.publish.site.keys import versions_digest
from newsmill.publish.site.labels import site_language
from newsmill.publish.site.manifest import MANIFEST, manifest_bytes
from newsmill.publish.site.parallel import CHUNK_PAGES, Helper, PageSplit, run_helper
from newsmill.publish.site.plan import PAGE, SEARCH, Plan, make_plan
from newsmill.publish.site.search.index import IndexBuilder
from newsmill.publish.site.search.state import SearchState, doc_meta
from newsmill.publish.site.sources import MemorySource, SiteSource, StoreSource
from newsmill.store import Store

log = logging.getLogger("newsmill.publish.site")

PARALLEL_MIN = 1000  # pages and documents to make before a second process pays for itself
# Work that depends on nothing but the plan, each done by whichever process asks first
# (`parallel.PageSplit.claim_task`): this one from the start, the helper from the end.
# Parts small enough that whichever process ends first has little left to wait for.
TASKS = (
    "categories:0", "categories:1", "tags:0", "tags:1", "tags:2", "tags:3", "sitemap", "feeds",
)  # fmt: skip


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
        articles = list(articles)
        with _collector_paused():
            site = self._site(lambda: Counter(a.language for a in articles if a.language))
            return _Build(self, site).run(MemorySource(articles))

    def publish_store(self, store: Store) -> PublishReport:
        """From the store: versions of every article, heads and full rows only for what
        changed."""
        with _collector_paused():
            return _Build(self, self._site(store.language_counts)).run(StoreSource(store))

    def _site(self, counts: Callable[[], Mapping[str, int]]) -> SiteConfig:
        """The site's settings, its language that of most articles if they name none."""
        if self.site.language:
            return self.site
        return self.site.model_copy(update={"language": site_language(counts())})


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


class _Build:
    """One build, up to its plan: the context, the fast path, the catalog."""

    def __init__(self, writer: SiteWriter, site: SiteConfig) -> None:
        self.ctx = build_context(writer.options, site, writer.sources)
        old_search = _usable(self.ctx, self.ctx.old.search)
        self.index = IndexBuilder(old_search) if writer.options.search else None

    def run(self, source: SiteSource) -> PublishReport:
        ctx = self.ctx
        versions = versions_digest(source.versions())
        if (
            ctx.cache_ok
            and versions == ctx.old.versions
            and not ctx.files.interrupted
            and self._all_there()
        ):
            return self._nothing_new()
        catalog = Catalog(ctx, source)
        catalog.read()
        plan = make_plan(ctx, catalog, self.index)
        return _PlannedBuild(ctx, catalog, plan, self.index, versions).run()

    def _all_there(self) -> bool:
        """Whether every file the last build wrote is still in the site folder."""
        exists = self.ctx.files.exists
        old = self.ctx.old
        return all(map(exists, old.pages)) and all(
            exists(record.path) for record in old.articles.values()
        )

    def _nothing_new(self) -> PublishReport:
        """The articles and settings the last build saw, and its files in place: every
        page would come out as it is, so none is planned, rendered or even looked at."""
        report = PublishReport("site")
        report.unchanged = len(self.ctx.old.pages) + len(self.ctx.old.articles)
        return report


class _PlannedBuild:
    """A build from its plan on: render and write what changed, then clean up."""

    def __init__(
        self,
        ctx: BuildContext,
        catalog: Catalog,
        plan: Plan,
        index: IndexBuilder | None,
        versions: str,
    ) -> None:
        # Imported here: a build with nothing new renders nothing and needs no templates.
        from newsmill.publish.site.lists import ListPages
        from newsmill.publish.site.members import gather
        from newsmill.publish.site.pages import PageRenderer
        from newsmill.publish.site.syndication import Syndication

        self.ctx = ctx
        self.files = ctx.files
        self.catalog = catalog
        self.source = catalog.source
        self.plan = plan
        self.index = index
        self.versions = versions  # the archive's digest, for the manifest
        self.pages = PageRenderer(ctx, catalog)
        # Every tag's members on a full build; otherwise only the changed tags'.
        tags = None if plan.all_dirty else {f for f in plan.dirty if f.startswith("t/")}
        members = gather(plan.listed, tags)
        self.lists = ListPages(ctx, catalog, plan, members, self.pages)
        self.syndication = Syndication(ctx, catalog, plan, members)
        self.search_state: SearchState | None = None
        self.search_json: bytes | None = None  # the search state, encoded by a helper
        self.helper: Helper | None = None
        self.page_chunks: list[list[str]] = []  # ids of the article pages to render, by chunk
        self.helper_ids: list[str] = []  # the articles the helper reads

    def run(self) -> PublishReport:
        if self._start_helper():
            return self._run_with_helper()
        needed = self.plan.needed
        ids = [i.id for i in self.catalog.items if i.id in needed]
        for article in self.source.ordered(ids):
            self.fill(article, needed[article.id])
        self._lists()
        for task in range(len(TASKS)):
            self._task(task)
        if self.index is not None:
            self._search_index()
        return self._conclude()

    # -- content -------------------------------------------------------------------

    def fill(self, article: Article, needs: set[str]) -> None:
        """What the full article is read for: its page, its search document. (Feed
        entries are made by `syndication`, which reads the articles it cannot keep.)"""
        item = self.catalog.by_id[article.id]
        if PAGE in needs:
            self.files.write_bytes(item.path, self.pages.article(article, item).encode("utf-8"))
        if SEARCH in needs and self.index is not None:
            when = item.date[:10]
            if article.date_is_fallback:  # a result shows no date its article does not have
                seen = first_seen(article.fetched, item.tz)[0][:10]
                t = self.ctx.t
                when = f"{t['undated']} · {t['first_seen']} {seen}"
            meta = doc_meta(item.path, article.title, when, item.section, article.summary)
            self.index.add(item.id, item.key, item.order, article.title, article.text, meta)

    def _lists(self) -> None:
        """The home list, the archive and the fixed pages (the other lists are TASKS)."""
        self.lists.home()
        self.lists.archives()
        self.lists.flush()
        self.pages.fixed_pages()

    def _task(self, task: int) -> None:
        kind, _, part = TASKS[task].partition(":")
        if kind == "categories":
            self.lists.categories(int(part), 2)
        elif kind == "tags":
            self.lists.tags(int(part), 4)
        elif kind == "sitemap":
            self.syndication.sitemap()
        else:
            self.syndication.feeds()
        self.lists.flush()

    def _search_index(self) -> None:
        assert self.index is not None
        state, files = self.index.finish()
        self.search_state = state
        written = set(files)
        old_pages = self.ctx.old.pages
        for segment in state.segments:
            for name in segment.files():
                if name not in written:
                    # An unchanged segment: keep it, and its manifest entry.
                    self.files.pages[name] = old_pages.get(name, segment.id)
        for name, data in files.items():
            self.files.emit_data(name, data)

    # -- the helper process --------------------------------------------------------

    def _start_helper(self) -> bool:
        """Fork the helper for a site big enough (forking costs about a hundredth of a
        second) if the source can be read from it. The size of the archive decides, not
        the number of pages to make: a build after a few new articles still walks every
        list, which the two processes share (measured faster at 10,000 and 100,000)."""
        items = self.catalog.items
        if len(items) < PARALLEL_MIN or (os.cpu_count() or 1) < 2:
            return False
        if not self.source.forkable:
            return False
        needed = self.plan.needed
        self.helper_ids = [i.id for i in items if i.id in needed]  # pages and documents
        pages = [i for i in self.helper_ids if PAGE in needed[i]]
        self.page_chunks = [pages[k : k + CHUNK_PAGES] for k in range(0, len(pages), CHUNK_PAGES)]
        try:
            self.helper = Helper(self.helper_main, len(self.page_chunks), len(TASKS))
        except (AssertionError, OSError, ValueError) as exc:
            # e.g. inside a daemonic worker process, which may not fork: do it all here
            log.info("site build in one process: %r", exc)
            return False
        return True

    def _run_with_helper(self) -> PublishReport:
        assert self.helper is not None
        try:
            self._lists()
            for task in range(len(TASKS)):
                if self.helper.split.claim_task(task):
                    self._task(task)
            self._pages_from_back(self.helper.split)
        except BaseException:
            self.helper.stop()  # no helper left writing once this build has failed
            raise
        written, unchanged, search, pages, lists = self.helper.result()
        self.files.merge(written, unchanged, pages, lists)
        self.search_json = search
        return self._conclude()

    def helper_main(self, conn: Connection, split: PageSplit) -> None:
        """In the forked helper: see `_helper_work`."""
        run_helper(conn, partial(self._helper_work, split))

    def _helper_work(
        self, split: PageSplit
    ) -> tuple[int, int, bytes | None, dict[str, str], dict[str, str]]:
        """Article pages from the newest end and the search index; then the TASKS the
        other process has not taken (from the last); then whatever pages are left."""
        source = self.source
        source.after_fork()
        self.files.forked()
        chunk_of = {i: n for n, chunk in enumerate(self.page_chunks) for i in chunk}
        reserve = self._reserve()
        current, mine = -1, False
        for article in source.ordered(self.helper_ids):
            needs = self.plan.needed[article.id]
            if PAGE in needs:
                chunk = chunk_of[article.id]
                if chunk != current:
                    current, mine = chunk, split.claim_front(chunk, reserve)
                if mine:
                    self.fill(article, {PAGE})
            if SEARCH in needs:
                self.fill(article, {SEARCH})
        if self.index is not None:
            self._search_index()
        for task in reversed(range(len(TASKS))):
            if split.claim_task(task):
                self._task(task)
        while (left := split.claim_next()) is not None:
            for article in source.ordered(self.page_chunks[left]):
                self.fill(article, {PAGE})
        state = self.search_state
        search = orjson.dumps(state.to_json()) if state is not None else None
        files = self.files
        return files.counts.written, files.counts.unchanged, search, files.pages, files.lists

    def _reserve(self) -> int:
        """Chunks of article pages the helper leaves to the other process: about what
        that one renders while the helper finishes the search index (a third of the
        time adding the documents took; a page costs about what a document does), so
        that neither waits for the other at the end. The helper takes any left over."""
        documents = sum(1 for i in self.helper_ids if SEARCH in self.plan.needed[i])
        return -(-documents // (3 * CHUNK_PAGES))

    def _pages_from_back(self, split: PageSplit) -> None:
        """In this process, once lists and feeds are done: article pages from the oldest end."""
        while (chunk := split.claim_back()) is not None:
            for article in self.source.ordered(self.page_chunks[chunk]):
                self.fill(article, {PAGE})

    # -- clean-up ------------------------------------------------------------------

    def _conclude(self) -> PublishReport:
        """Stale files and the manifest: after every page is made."""
        self.files.remove_stale(
            (record.path for record in self.ctx.old.articles.values()),
            (item.path for item in self.catalog.items),
        )
        self._write_manifest()
        self.files.finish()
        counts = self.files.counts
        report = PublishReport("site")
        report.written, report.unchanged, report.removed = (
            counts.written, counts.unchanged, counts.removed
        )  # fmt: skip
        return report

    def _write_manifest(self) -> None:
        """The manifest, unless this build changed nothing it records."""
        ctx, old = self.ctx, self.ctx.old
        # The lists carried whole keep their shared key; a list gone takes it along.
        pages = self.files.pages
        lists = {f: key for f, key in old.lists.items() if f + "index.html" in pages}
        lists.update(self.files.lists)
        if (
            self.files.pages == old.pages
            and self.plan.records == old.articles
            and ctx.site_key == old.site_key
            and self.versions == old.versions
            and lists == old.lists
            and not self.files.counts.written
            and not self.files.counts.removed
        ):
            return  # a quiet build: the manifest on disk says all of this already
        # The search index's state lives in the helper, when there is one, which encodes it.
        search = self.search_json
        if search is None and self.index is not None and self.search_state is not None:
            search = orjson.dumps(self.search_state.to_json())
        text = manifest_bytes(
            pages, self.plan.records, ctx.site_key, ctx.fingerprint, search, self.versions,
            lists,
        )  # fmt: skip
        self.files.output.write(MANIFEST, text)


def _usable(ctx: BuildContext, state: SearchState | None) -> SearchState | None:
    """The previous index state if all its files are still there, else None (rebuild)."""
    if state is None:
        return None
    for segment in state.segments:
        for name in segment.files():
            if not (ctx.dir / name).is_file():
                return None
    return state
