"""The local runner: every due source through the stages, then every output.

This is the only module that knows the order of the stages. Sources run
concurrently on one event loop; CPU work (parsing, cleaning) and database
calls go to threads so one large feed does not stall the fetches of others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from newsmill.clean.rules import RuleBook, default_rules, load_rules
from newsmill.config import Config, FiltersConfig, TagsConfig
from newsmill.dedupe.clusters import Deduper, DedupeReport, DedupeSettings
from newsmill.enrich.keywords import keywords
from newsmill.extract import ExtractedPage, ExtractError, extract_page
from newsmill.extract.policy import needs_full_text
from newsmill.fetch import Fetcher
from newsmill.fetch.robots import RobotsCache
from newsmill.model import Article, Entry, FetchResult, Source
from newsmill.parse import FeedError, parse_feed
from newsmill.publish import OutputError, PublishReport
from newsmill.publish.retention import apply_retention
from newsmill.publish.writers import Writer, make_writers
from newsmill.run.filters import rejection
from newsmill.run.process import build_article
from newsmill.run.processes import Built, ItemProcessors, worker_count
from newsmill.run.schedule import (
    ScheduleSettings,
    backoff_interval,
    due_at,
    hints_from_response,
    jittered,
    next_interval,
)
from newsmill.run.stopping import StopFlag
from newsmill.store import Store, StoreError

log = logging.getLogger("newsmill.run")
T = TypeVar("T")


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
    skipped: bool = False  # not started: the run was asked to stop
    pages_failed: int = 0  # article pages that could not be had (the feed text was kept)
    warning: str | None = None  # read, but not whole: a feed cut short, broken XML


@dataclass
class RunReport:
    sources: list[SourceOutcome] = field(default_factory=list)
    outputs: list[PublishReport] = field(default_factory=list)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [s for s in self.sources if not s.ok]

    @property
    def failed_outputs(self) -> list[PublishReport]:
        return [o for o in self.outputs if not o.ok]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.failed_outputs else 0

    @property
    def pages_lost(self) -> int:
        return sum(s.pages_failed for s in self.sources)


def deduplicate(config: Config, store: Store, stop: StopFlag | None = None) -> DedupeReport | None:
    """Cluster the articles stored since the last pass; a no-op when none are new."""
    if not config.dedupe.enabled:
        return None
    settings = DedupeSettings(
        threshold=config.dedupe.threshold,
        canonical=config.dedupe.canonical,
        window=timedelta(seconds=config.dedupe.window),
    )
    return Deduper(store, settings, stop=(lambda: bool(stop))).run()


def publish_all(config: Config, store: Store, stop: StopFlag | None = None) -> list[PublishReport]:
    """Every configured output from the store; unchanged files are left alone.

    Pending articles are deduplicated first, so every output agrees on which
    article of a story is the canonical one. Each stage and each output fails
    alone: its report carries the reason, the others still run, and every
    report is recorded for `newsmill status`.
    """
    reports: list[PublishReport] = []
    _guarded("retention", lambda: apply_retention(config.publish, store), reports)
    # If it fails, the outputs still run: a story may show twice until the next run.
    dedupe = _guarded("dedupe", lambda: deduplicate(config, store, stop), reports)
    if dedupe and dedupe.interrupted:
        # Outputs written now would show as canonical articles that the next
        # run may find to be duplicates; that run publishes instead.
        log.info("stopped while deduplicating; the next run publishes")
        return reports
    for writer in make_writers(config):
        report = _publish_one(writer, config, store)
        (log.info if report.ok else log.error)("%s", report)
        reports.append(report)
    try:
        store.record_outputs(reports)
    except StoreError as exc:
        log.error("cannot record the outputs' outcome: %s", exc)
    return reports


def _guarded(name: str, work: Callable[[], T], reports: list[PublishReport]) -> T | None:
    """Run a stage after the store; if it fails, its report joins `reports` (None)."""
    try:
        return work()
    except Exception as exc:
        log.exception("%s failed", name)
        reports.append(PublishReport(name, error=_one_line(exc)))
        return None


def _publish_one(writer: Writer, config: Config, store: Store) -> PublishReport:
    """One output from the store; its failure is its report, not an exception."""
    try:
        return writer.publish_store(store)  # it reads what it needs (see `Writer`)
    except OutputError as exc:
        return PublishReport(writer.name, error=str(exc))
    except Exception as exc:  # a bug in one output must not stop the others
        log.exception("%s: unexpected error", writer.name)
        return PublishReport(writer.name, error=f"internal error: {_one_line(exc)}")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else repr(exc)


@dataclass(frozen=True)
class RunPolicy:
    """Everything from the configuration that processing a source needs, built once."""

    rules: RuleBook
    filters: FiltersConfig = field(default_factory=FiltersConfig)
    tags: TagsConfig = field(default_factory=TagsConfig)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)

    @classmethod
    def from_config(cls, config: Config) -> RunPolicy:
        s = config.schedule
        return cls(
            rules=load_rules(config.rules),
            filters=config.filters,
            tags=config.tags,
            schedule=ScheduleSettings(
                interval=s.interval,
                min_interval=s.min_interval,
                max_interval=s.max_interval,
                jitter=s.jitter,
                disable_after=s.disable_after,
            ),
        )

    @classmethod
    def default(cls) -> RunPolicy:
        return cls(rules=default_rules())


@dataclass
class FeedItems:
    """A parsed feed on its way to the store, with the article pages fetched for it."""

    entries: list[Entry]
    fetched: datetime
    pages: dict[str, ExtractedPage] = field(default_factory=dict)  # by entry guid
    # Teasers whose full article is stored already: left alone, not overwritten.
    already_full: set[str] = field(default_factory=set)
    # Items a filter turned away on an earlier run: not processed again.
    known_filtered: set[str] = field(default_factory=set)
    ttl_minutes: int | None = None
    damage: str | None = None  # what the parser says it may have lost (ParsedFeed.damage)


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
    return FeedItems(
        entries=entries,
        fetched=datetime.now(UTC),
        ttl_minutes=parsed.ttl_minutes,
        damage=parsed.damage,
    )


def build_articles(
    source: Source, items: FeedItems, policy: RunPolicy | None = None
) -> tuple[list[Article], list[tuple[str, str]]]:
    """Process every item; returns the articles kept and (guid, reason) of those filtered."""
    policy = policy or RunPolicy.default()
    kept: list[Article] = []
    filtered: list[tuple[str, str]] = []
    for entry in items.entries:
        if entry.guid in items.already_full or entry.guid in items.known_filtered:
            continue
        try:
            article = build_article(
                source, entry, items.fetched, policy.rules, items.pages.get(entry.guid)
            )
        except Exception:  # one item must not cost its source the others
            log.exception("source %s: item %r could not be processed", source.name, entry.guid)
            continue
        if reason := rejection(source, policy.filters, article, items.fetched):
            filtered.append((entry.guid, reason))
            continue
        if not article.tags and policy.tags.enabled:
            article.tags = keywords(article.text, article.language, policy.tags.max)
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
    articles, filtered = build_articles(source, items)
    return articles, len(filtered)


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


async def run_source(
    fetcher: Fetcher,
    robots: RobotsCache,
    store: Store,
    source: Source,
    policy: RunPolicy,
    processors: ItemProcessors | None = None,
) -> SourceOutcome:
    """One source end to end: fetch, parse, full text, process (in a worker process
    if the run has them), store, schedule."""
    state = await asyncio.to_thread(store.fetch_state, source.name)
    result = await fetcher.fetch(source.url, state, user_agent=source.user_agent)
    items = None
    pages_failed = 0
    if result.ok and not result.not_modified:
        try:
            items = await asyncio.to_thread(read_feed, source, result)
        except FeedError:
            items = None  # store_fetch_result records the error
        if items is not None:
            pages_failed = await add_full_text(items, source, fetcher, robots, store, policy.rules)
    built = None
    if processors is not None and items is not None and items.entries:
        items.known_filtered = await asyncio.to_thread(store.filtered_guids, source.name)
        built = await processors.build(source, items)
    outcome = await asyncio.to_thread(
        store_fetch_result, store, source, result, items, policy, built
    )
    outcome.pages_failed = pages_failed
    return outcome


def store_fetch_result(
    store: Store,
    source: Source,
    result: FetchResult,
    items: FeedItems | None = None,
    policy: RunPolicy | None = None,
    built: Built | None = None,
) -> SourceOutcome:
    """Everything after the fetch of one source: parse, process, upsert, record, schedule.

    Synchronous and self-contained so the local runner (in a thread) and a
    distributed worker (in its task) run the very same code for a source.
    `built` is what `build_articles` made of `items` elsewhere (a worker process).
    """
    policy = policy or RunPolicy.default()
    now = datetime.now(UTC)
    error = result.error
    if result.ok and not result.not_modified:
        try:
            items = items or read_feed(source, result)
        except FeedError as exc:
            error = f"not a readable feed: {exc}"
    if error is not None:
        failures = store.record_fetch(source.name, result, error)
        _schedule_failure(store, source, policy.schedule, failures, error, result, now)
        return SourceOutcome(source.name, ok=False, error=error)
    if result.not_modified or items is None:
        store.record_fetch(source.name, result, None)
        _schedule_success(store, source, policy.schedule, result, None, now)
        return SourceOutcome(source.name, ok=True, not_modified=True)
    if built is None:
        items.known_filtered = store.filtered_guids(source.name)
        built = build_articles(source, items, policy)
    articles, filtered = built
    store.record_filtered(source.name, filtered)
    upsert = store.upsert_articles(source.name, articles)
    store.record_fetch(source.name, result, None, len(items.entries), warning=items.damage)
    _schedule_success(store, source, policy.schedule, result, items, now)
    if items.damage:
        log.warning("source %s: %s", source.name, items.damage)
    return SourceOutcome(
        source.name,
        ok=True,
        items=len(items.entries),
        filtered=len(filtered),
        inserted=len(upsert.inserted),
        updated=len(upsert.updated),
        unchanged=upsert.unchanged + len(items.already_full),
        warning=items.damage,
    )


def _schedule_success(
    store: Store,
    source: Source,
    settings: ScheduleSettings,
    result: FetchResult,
    items: FeedItems | None,
    now: datetime,
) -> None:
    published = [e.published for e in items.entries if e.published] if items else []
    hints = hints_from_response(result.headers, result.body, items.ttl_minutes if items else None)
    interval = next_interval(settings, published, hints, source.interval)
    store.schedule_source(
        source.name,
        due_at(now, jittered(source.name, interval, settings)),
        interval_seconds=interval,
        newest_item=max(published) if published else None,
    )


def _schedule_failure(
    store: Store,
    source: Source,
    settings: ScheduleSettings,
    failures: int,
    error: str,
    result: FetchResult,
    now: datetime,
) -> None:
    """Back off exponentially; after `disable_after` failures in a row, disable."""
    delay = backoff_interval(settings, failures, result.retry_after)
    reason = None
    if settings.disable_after and failures >= settings.disable_after:
        reason = f"disabled after {failures} consecutive failures; last: {error}"
        log.warning("source %s: %s", source.name, reason)
    store.schedule_source(
        source.name, due_at(now, jittered(source.name, delay, settings)), disabled_reason=reason
    )


def select_sources(config: Config, store: Store, due_only: bool) -> list[Source]:
    """Enabled sources not disabled for failing; with `due_only`, those whose time has come."""
    enabled = [s for s in config.resolved_sources() if s.enabled]
    disabled = store.disabled_sources()
    for name in sorted(set(disabled) & {s.name for s in enabled}):
        log.warning(
            "source %s is disabled: %s (newsmill sources enable %s)", name, disabled[name], name
        )
    candidates = [s for s in enabled if s.name not in disabled]
    if not due_only:
        return candidates
    due = store.due_sources(datetime.now(UTC))
    return [s for s in candidates if s.name in due]


async def fetch_all(
    config: Config,
    store: Store,
    on_done: Callable[[SourceOutcome], None] | None = None,
    due_only: bool = True,
    stop: StopFlag | None = None,
    processors: ItemProcessors | None = None,
) -> list[SourceOutcome]:
    """Every (due) source; items are processed by `processors` if given (the daemon
    keeps its pool from pass to pass), else by a pool of this run's own when it has
    sources enough (`processes.worker_count`), else in this process."""
    sources = select_sources(config, store, due_only)
    policy = RunPolicy.from_config(config)
    own = None
    if processors is None and (workers := worker_count(config.run.processes, len(sources))):
        processors = own = ItemProcessors(policy, workers)
    try:
        return await _fetch_sources(config, store, sources, policy, processors, on_done, stop)
    finally:
        if own is not None:
            await asyncio.to_thread(own.close)


async def _fetch_sources(
    config: Config,
    store: Store,
    sources: list[Source],
    policy: RunPolicy,
    processors: ItemProcessors | None,
    on_done: Callable[[SourceOutcome], None] | None,
    stop: StopFlag | None,
) -> list[SourceOutcome]:
    outcomes: list[SourceOutcome] = []
    async with Fetcher(config.fetch_settings()) as fetcher:
        robots = RobotsCache(fetcher)

        # Sources start as slots free up, so a stop request finds most not yet begun.
        slots = asyncio.Semaphore(config.fetch.concurrency)

        async def one(source: Source) -> SourceOutcome:
            async with slots:
                if stop:  # asked to stop: sources not started yet wait for the next run
                    return SourceOutcome(source.name, ok=True, skipped=True)
                try:
                    outcome = await run_source(fetcher, robots, store, source, policy, processors)
                except Exception as exc:  # a bug on one source must not stop the others
                    log.exception("source %s: unexpected error", source.name)
                    outcome = SourceOutcome(source.name, ok=False, error=f"internal error: {exc!r}")
            if outcome.skipped:
                pass
            elif outcome.ok:
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
    config: Config,
    store: Store,
    on_done: Callable[[SourceOutcome], None] | None = None,
    due_only: bool = True,
    stop: StopFlag | None = None,
    publish: bool = True,
    processors: ItemProcessors | None = None,
) -> RunReport:
    """One pass for cron and CI: fetch every due source, store, publish."""
    store.sync_sources(config.resolved_sources())
    report = RunReport()
    started = datetime.now(UTC)
    report.sources = asyncio.run(fetch_all(config, store, on_done, due_only, stop, processors))
    report.sources = [s for s in report.sources if not s.skipped]
    store.place_undated(started)
    if publish:
        report.outputs = publish_all(config, store, stop)
    return report
