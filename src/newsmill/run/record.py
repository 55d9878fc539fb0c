"""One source after its fetch: its articles, its state and its next time, stored.

Synchronous and self-contained so the local runner (in a thread) and a
distributed worker (in its task) run the very same code for a source.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from newsmill.model import FetchResult, Source
from newsmill.parse import FeedError
from newsmill.run.items import Built, FeedItems, RunPolicy, build_articles, read_feed
from newsmill.run.report import SourceOutcome
from newsmill.run.schedule import (
    ScheduleSettings,
    backoff_interval,
    due_at,
    hints_from_response,
    jittered,
    next_interval,
)
from newsmill.store import Store

log = logging.getLogger("newsmill.run")


def store_fetch_result(
    store: Store,
    source: Source,
    result: FetchResult,
    items: FeedItems | None = None,
    policy: RunPolicy | None = None,
    built: Built | None = None,
) -> SourceOutcome:
    """Everything after the fetch of one source: parse, process, upsert, record, schedule.

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
    if result.note:  # served, but not by the source's first address
        log.warning("source %s: %s", source.name, result.note)
    if result.not_modified or items is None:
        store.record_fetch(source.name, result, None, warning=result.note)
        _schedule_success(store, source, policy.schedule, result, None, now)
        return SourceOutcome(source.name, ok=True, not_modified=True)
    if built is None:
        items.known_filtered = store.filtered_guids(source.name)
        built = build_articles(source, items, policy)
    articles, filtered = built
    store.record_filtered(source.name, filtered)
    upsert = store.upsert_articles(source.name, articles)
    stale = None
    if source.kind == "list" and items.entries and len(filtered) == len(items.entries):
        stale = "every item of the list was filtered: is it still the site's newest list?"
    warning = "; ".join(filter(None, (items.damage, result.note, stale, items.refused))) or None
    store.record_fetch(source.name, result, None, len(items.entries), warning=warning)
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
        warning=warning,
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
