"""The local runner: every due source through the stages, then every output.

This is the only module that knows the order of the stages, and it reads in
that order: `run_once` picks the due sources, `run_source` takes one through
fetch, parse and the article pages (extract), then the item stages (clean,
enrich: `run.items`, in worker processes when the run has them) and the store
(`run.record`); `publish_all` then deduplicates and writes every output.
Sources run concurrently on one event loop; CPU work and database calls go to
threads so one large feed does not stall the fetches of others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from newsmill.clean import RuleBook
from newsmill.config import Config
from newsmill.extract import ExtractError, extract_page, needs_full_text
from newsmill.fetch import Fetcher, RobotsCache, fetch_source
from newsmill.model import Entry, Source
from newsmill.parse import FeedError
from newsmill.run.items import FeedItems, RunPolicy, read_feed
from newsmill.run.lists import read_list_source
from newsmill.run.pool import ItemProcessors, worker_count
from newsmill.run.publishing import publish_all
from newsmill.run.record import store_fetch_result
from newsmill.run.report import RunReport, SourceOutcome
from newsmill.run.stopping import StopFlag
from newsmill.store import Store

log = logging.getLogger("newsmill.run")
T = TypeVar("T")
STOP_POLL = 0.05  # seconds between looks at the stop flag while sources run


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
    if stop:
        # Publishing is new work: the next run publishes what this one stored.
        log.info("stopped by %s: outputs are published by the next run", stop.signal_name)
    elif publish:
        report.outputs = publish_all(config, store, stop)
    return report


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
    sources enough (`pool.worker_count`), else in this process."""
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
            try:
                async with slots:
                    if stop:  # asked to stop: sources not started yet wait for the next run
                        return SourceOutcome(source.name, ok=True, skipped=True)
                    outcome = await run_source(fetcher, robots, store, source, policy, processors)
            except asyncio.CancelledError:
                # Stopped by a signal mid-way: the store's writes already begun finish
                # in their threads; this source's next run does the rest.
                return SourceOutcome(source.name, ok=True, skipped=True)
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

        tasks = [asyncio.create_task(one(s)) for s in sources]
        watcher = asyncio.create_task(_cancel_on_stop(stop, tasks)) if stop is not None else None
        try:
            outcomes = list(await asyncio.gather(*tasks))
        finally:
            if watcher is not None:
                watcher.cancel()
    return outcomes


async def _cancel_on_stop(stop: StopFlag, tasks: list[asyncio.Task[SourceOutcome]]) -> None:
    """Once asked to stop, cancel the sources in flight instead of waiting for their
    requests (a slow server holds one for the whole fetch timeout): the run ends
    within a moment of the signal."""
    while not stop:
        await asyncio.sleep(STOP_POLL)
    for task in tasks:
        task.cancel()


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
    items = None
    pages_failed = 0
    if source.kind == "list":
        result, items = await read_list_source(fetcher, robots, store, source, state, policy)
    else:
        result = await fetch_source(fetcher, source, state)
        if result.ok and not result.not_modified:
            try:
                items = await asyncio.to_thread(read_feed, source, result)
            except FeedError:
                items = None  # store_fetch_result records the error
    if items is not None:
        pages_failed = await add_full_text(items, source, fetcher, robots, store, policy.rules)
        if source.kind == "list" and source.full_text != "never":
            # A list item is its page: one that could not be had is tried again
            # next run rather than stored as a bare title.
            had = items.pages.keys() | items.already_full
            items.entries = [e for e in items.entries if e.guid in had]
    built = None
    if processors is not None and items is not None and items.entries:
        items.known_filtered = await asyncio.to_thread(store.filtered_guids, source.name)
        built = await processors.build(source, items)
    outcome = await asyncio.to_thread(
        store_fetch_result, store, source, result, items, policy, built
    )
    outcome.pages_failed = pages_failed
    return outcome


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
    # A list item is its page: "auto" fetches it even when the list shows a summary.
    policy = "always" if source.kind == "list" and source.full_text == "auto" else source.full_text
    wanted = [e for e in items.entries if needs_full_text(e, policy)]
    if not wanted:
        return 0
    stored = await asyncio.to_thread(store.existing_guids, source.name, [e.guid for e in wanted])
    items.already_full = stored
    failures = 0
    refused: dict[str, int] = {}  # why robots.txt kept pages from being fetched: how many

    async def one(entry: Entry) -> None:
        nonlocal failures
        refusal = await robots.refusal(entry.link)
        if refusal is not None:  # logged once per site by `robots`
            refused[refusal] = refused.get(refusal, 0) + 1
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
    if refused:  # for `newsmill status`: the source's pages wait on a site's robots.txt
        items.refused = "; ".join(
            f"{n} article page{'s' if n > 1 else ''} not fetched: {why}"
            for why, n in refused.items()
        )
    return failures
