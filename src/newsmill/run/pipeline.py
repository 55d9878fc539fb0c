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
from datetime import UTC, datetime
from typing import Protocol

from newsmill.config import Config
from newsmill.fetch import Fetcher
from newsmill.model import Article, Source
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


def publish_all(config: Config, store: Store) -> list[PublishReport]:
    """Every configured output from the store; unchanged files are left alone."""
    reports = []
    for writer in make_writers(config):
        report = writer.publish(store.iter_articles())
        log.info("%s", report)
        reports.append(report)
    return reports


def articles_from_feed(
    source: Source, body: bytes, content_type: str, base_url: str, fetched: datetime
) -> tuple[list[Article], int]:
    """Parse and process one feed document; returns the articles and how many were filtered."""
    parsed = parse_feed(
        body, base_url=base_url, content_type=content_type, encoding=source.encoding
    )
    seen: set[str] = set()
    kept: list[Article] = []
    filtered = 0
    for entry in parsed.entries:
        if entry.guid in seen:  # a feed repeating a guid means one item
            continue
        seen.add(entry.guid)
        article = build_article(source, entry, fetched)
        if not is_wanted(source.include, source.exclude, article.title, article.text):
            filtered += 1
            continue
        kept.append(article)
    return kept, filtered


async def _run_source(fetcher: Fetcher, store: Store, source: Source) -> SourceOutcome:
    state = await asyncio.to_thread(store.fetch_state, source.name)
    result = await fetcher.fetch(source.url, state, user_agent=source.user_agent)
    if not result.ok:
        await asyncio.to_thread(store.record_fetch, source.name, result, result.error)
        return SourceOutcome(source.name, ok=False, error=result.error)
    if result.not_modified:
        await asyncio.to_thread(store.record_fetch, source.name, result, None)
        return SourceOutcome(source.name, ok=True, not_modified=True)
    fetched = datetime.now(UTC)
    try:
        articles, filtered = await asyncio.to_thread(
            articles_from_feed, source, result.body, result.content_type, result.final_url, fetched
        )
    except FeedError as exc:
        error = f"not a readable feed: {exc}"
        await asyncio.to_thread(store.record_fetch, source.name, result, error)
        return SourceOutcome(source.name, ok=False, error=error)
    upsert = await asyncio.to_thread(store.upsert_articles, source.name, articles)
    await asyncio.to_thread(store.record_fetch, source.name, result, None, len(articles))
    return SourceOutcome(
        source.name,
        ok=True,
        items=len(articles) + filtered,
        filtered=filtered,
        inserted=len(upsert.inserted),
        updated=len(upsert.updated),
        unchanged=upsert.unchanged,
    )


async def fetch_all(
    config: Config,
    store: Store,
    on_done: Callable[[SourceOutcome], None] | None = None,
) -> list[SourceOutcome]:
    sources = [s for s in config.resolved_sources() if s.enabled]
    outcomes: list[SourceOutcome] = []
    async with Fetcher(config.fetch) as fetcher:

        async def one(source: Source) -> SourceOutcome:
            try:
                outcome = await _run_source(fetcher, store, source)
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
