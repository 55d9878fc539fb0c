"""The local runner: every due source through the stages, then every output.

This is the only module that knows the order of the stages. Sources run
concurrently on one event loop; CPU work (parsing, cleaning) and database
calls go to threads so one large feed does not stall the fetches of others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from newsmill.clean.rules import RuleBook, load_rules
from newsmill.config import Config
from newsmill.dedupe.clusters import Deduper, DedupeReport, DedupeSettings
from newsmill.extract import ExtractedPage, ExtractError, extract_page
from newsmill.extract.policy import needs_full_text
from newsmill.fetch import Fetcher
from newsmill.fetch.robots import RobotsCache
from newsmill.model import Article, Entry, FetchResult, Source
from newsmill.parse import FeedError, parse_feed
from newsmill.publish import HexoWriter, JsonlWriter, PublishReport
from newsmill.run.filters import is_wanted
from newsmill.run.process import build_article
from newsmill.store import Store

log = logging.getLogger("newsmill.run")


@dataclass
class SourceOutcome:
    name: str
    ok: bool
    error: str | None = None
    not_modified: bool = False
    items: int = 0
    filtered: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class RunReport:
    sources: list[SourceOutcome] = field(default_factory=list)
    outputs: list[PublishReport] = field(default_factory=list)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [s for s in self.sources if not s.ok]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


class Writer(Protocol):
    name: str

    def publish(self, articles: Iterable[Article]) -> PublishReport: ...


def make_writers(config: Config) -> list[Writer]:
    by_name = {s.name: s for s in config.resolved_sources()}
    writers: list[Writer] = []
    if config.publish.hexo:
        writers.append(
            HexoWriter(
                config.publish.hexo.dir,
                config.site.tz,
                by_name,
                config.publish.hexo.placeholder_image,
            )
        )
    if config.publish.jsonl:
        writers.append(JsonlWriter(config.publish.jsonl.path, by_name))
    return writers


def deduplicate(config: Config, store: Store) -> DedupeReport | None:
    """Cluster the articles stored since the last pass; a no-op when none are new."""
    if not config.dedupe.enabled:
        return None
    settings = DedupeSettings(
        threshold=config.dedupe.threshold,
        canonical=config.dedupe.canonical,
        window=timedelta(seconds=config.dedupe.window),
    )
    return Deduper(store, settings).run()


def publish_all(config: Config, store: Store) -> list[PublishReport]:
    """Every configured output from the store; unchanged files are left alone.

    Pending articles are deduplicated first, so every output agrees on which
    article of a story is the canonical one.
    """
    deduplicate(config, store)
    reports = []
    for writer in make_writers(config):
        canonical_only = not (
            getattr(writer, "wants_duplicates", False) or config.dedupe.publish_duplicates
        )
        report = writer.publish(store.iter_articles(canonical_only=canonical_only))
        log.info("%s", report)
        reports.append(report)
    return reports


@dataclass
class FeedItems:
    """A parsed feed on its way to the store, with the article pages fetched for it."""

    entries: list[Entry]
    fetched: datetime
    pages: dict[str, ExtractedPage] = field(default_factory=dict)  # by entry guid
    # Teasers whose full article is stored already: left alone, not overwritten.
    already_full: set[str] = field(default_factory=set)


def read_feed(source: Source, result: FetchResult) -> FeedItems:
    """Parse a fetched feed (raises FeedError); a guid repeated in one feed is one item."""
    parsed = parse_feed(
        result.body,
        base_url=result.final_url,
        content_type=result.content_type,
        encoding=source.encoding,
    )
    unique = {entry.guid: entry for entry in reversed(parsed.entries)}
    entries = [e for e in parsed.entries if unique.get(e.guid) is e]
    return FeedItems(entries=entries, fetched=datetime.now(UTC))


def build_articles(
    source: Source, items: FeedItems, rules: RuleBook | None = None
) -> tuple[list[Article], int]:
    """Process every item; returns the articles and how many the filters dropped."""
    kept: list[Article] = []
    filtered = 0
    for entry in items.entries:
        if entry.guid in items.already_full:
            continue
        article = build_article(source, entry, items.fetched, rules, items.pages.get(entry.guid))
        if not is_wanted(source.include, source.exclude, article.title, article.text):
            filtered += 1
            continue
        kept.append(article)
    return kept, filtered


def articles_from_feed(
    source: Source, body: bytes, content_type: str, base_url: str, fetched: datetime
) -> tuple[list[Article], int]:
    """Parse and process one feed document without fetching pages (tests, benchmarks)."""
    result = FetchResult(
        url=base_url, final_url=base_url, status=200, body=body,
        headers={"content-type": content_type},
    )  # fmt: skip
    items = read_feed(source, result)
    items.fetched = fetched
    return build_articles(source, items)


async def add_full_text(
    items: FeedItems,
    source: Source,
    fetcher: Fetcher,
    robots: RobotsCache,
    store: Store,
    rules: RuleBook,
) -> int:
    """Fetch and extract the article page of every teaser; returns pages that failed.

    A page that cannot be had leaves the feed's summary in place: the item is
    still stored, and the failure is logged, not counted against the source.
    """
    wanted = [e for e in items.entries if needs_full_text(e, source.full_text)]
    if not wanted:
        return 0
    stored = await asyncio.to_thread(store.existing_guids, source.name, [e.guid for e in wanted])
    items.already_full = stored
    failures = 0

    async def one(entry: Entry) -> None:
        nonlocal failures
        if not await robots.allowed(entry.link):
            log.info("source %s: robots.txt disallows %s", source.name, entry.link)
            return
        rule = rules.for_url(entry.link)
        result = await fetcher.fetch(
            entry.link,
            user_agent=source.user_agent or rule.user_agent or None,
            referer=rule.referer or None,
        )
        if not result.ok:
            failures += 1
            log.warning("source %s: page %s: %s", source.name, entry.link, result.error)
            return
        try:
            page = await asyncio.to_thread(
                extract_page,
                result.body,
                result.final_url,
                content_type=result.content_type,
                encoding=source.encoding,
                rules=rules,
            )
        except ExtractError as exc:
            failures += 1
            log.warning("source %s: page %s: %s", source.name, entry.link, exc)
            return
        items.pages[entry.guid] = page

    await asyncio.gather(*(one(e) for e in wanted if e.guid not in stored))
    return failures


async def _run_source(
    fetcher: Fetcher, robots: RobotsCache, store: Store, source: Source, rules: RuleBook
) -> SourceOutcome:
    state = await asyncio.to_thread(store.fetch_state, source.name)
    result = await fetcher.fetch(source.url, state, user_agent=source.user_agent)
    items = None
    if result.ok and not result.not_modified:
        try:
            items = await asyncio.to_thread(read_feed, source, result)
        except FeedError:
            items = None  # store_fetch_result records the error
        if items is not None:
            await add_full_text(items, source, fetcher, robots, store, rules)
    return await asyncio.to_thread(store_fetch_result, store, source, result, items, rules)


def store_fetch_result(
    store: Store,
    source: Source,
    result: FetchResult,
    items: FeedItems | None = None,
    rules: RuleBook | None = None,
) -> SourceOutcome:
    """Everything after the fetch of one source: parse, process, upsert, record.

    Synchronous and self-contained so the local runner (in a thread) and a
    distributed worker (in its task) run the very same code for a source.
    """
    if not result.ok:
        store.record_fetch(source.name, result, result.error)
        return SourceOutcome(source.name, ok=False, error=result.error)
    if result.not_modified:
        store.record_fetch(source.name, result, None)
        return SourceOutcome(source.name, ok=True, not_modified=True)
    try:
        items = items or read_feed(source, result)
    except FeedError as exc:
        error = f"not a readable feed: {exc}"
        store.record_fetch(source.name, result, error)
        return SourceOutcome(source.name, ok=False, error=error)
    articles, filtered = build_articles(source, items, rules)
    upsert = store.upsert_articles(source.name, articles)
    store.record_fetch(source.name, result, None, len(items.entries))
    return SourceOutcome(
        source.name,
        ok=True,
        items=len(items.entries),
        filtered=filtered,
        inserted=len(upsert.inserted),
        updated=len(upsert.updated),
        unchanged=upsert.unchanged + len(items.already_full),
    )


async def fetch_all(
    config: Config,
    store: Store,
    on_done: Callable[[SourceOutcome], None] | None = None,
) -> list[SourceOutcome]:
    sources = [s for s in config.resolved_sources() if s.enabled]
    outcomes: list[SourceOutcome] = []
    rules = load_rules(config.rules)
    async with Fetcher(config.fetch) as fetcher:
        robots = RobotsCache(fetcher)

        async def one(source: Source) -> SourceOutcome:
            try:
                outcome = await _run_source(fetcher, robots, store, source, rules)
            except Exception as exc:  # a bug on one source must not stop the others
                log.exception("source %s: unexpected error", source.name)
                outcome = SourceOutcome(source.name, ok=False, error=f"internal error: {exc!r}")
            if outcome.ok:
                log.info(
                    "source %s: %s",
                    source.name,
                    "not modified"
                    if outcome.not_modified
                    else f"{outcome.items} items, {outcome.inserted} new, "
                    f"{outcome.updated} updated, {outcome.filtered} filtered",
                )
            else:
                log.warning("source %s failed: %s", source.name, outcome.error)
            if on_done:
                on_done(outcome)
            return outcome

        outcomes = list(await asyncio.gather(*(one(s) for s in sources)))
    return outcomes


def run_once(
    config: Config, store: Store, on_done: Callable[[SourceOutcome], None] | None = None
) -> RunReport:
    """One pass for cron and CI: fetch every enabled source, store, publish."""
    store.sync_sources(config.resolved_sources())
    report = RunReport()
    report.sources = asyncio.run(fetch_all(config, store, on_done))
    report.outputs = publish_all(config, store)
    return report
