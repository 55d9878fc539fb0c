"""Publishing from the store: retention, deduplication, then every configured output.

What `newsmill build` runs, and what a run ends with. Kept apart from the fetch
pipeline so that a build loads only the publishing stages (and the writers it
is configured with), not fetching, parsing and extraction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from newsmill.files import OutputError
from newsmill.model import PublishReport
from newsmill.publish import Writer, apply_retention, make_writers
from newsmill.run.stopping import StopFlag
from newsmill.store import Store, StoreError

if TYPE_CHECKING:
    from newsmill.config import Config
    from newsmill.dedupe import DedupeReport

log = logging.getLogger("newsmill.run")
T = TypeVar("T")


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
    hidden = (
        []
        if config.publish.keep_articles
        else store.unconfigured_sources([s.name for s in config.resolved_sources()])
    )
    if hidden:
        log.info(
            "not published: the articles of %d sources no longer configured (%s); "
            "[publish] keep_articles = true publishes them",
            len(hidden), ", ".join(hidden[:5]) + (", ..." if len(hidden) > 5 else ""),
        )  # fmt: skip
    with store.hiding_sources(hidden):
        for writer in make_writers(config):
            report = _publish_one(writer, store)
            (log.info if report.ok else log.error)("%s", report)
            reports.append(report)
    try:
        store.record_outputs(reports)
    except StoreError as exc:
        log.error("cannot record the outputs' outcome: %s", exc)
    return reports


def deduplicate(config: Config, store: Store, stop: StopFlag | None = None) -> DedupeReport | None:
    """Cluster the articles stored since the last pass; None when none are new
    (which a build asks the store before it loads the deduper and numpy)."""
    if not config.dedupe.enabled or not store.has_pending_dedupe():
        return None
    from newsmill.dedupe import Deduper, DedupeSettings

    settings = DedupeSettings(
        threshold=config.dedupe.threshold,
        canonical=config.dedupe.canonical,
        window=timedelta(seconds=config.dedupe.window),
    )
    return Deduper(store, settings, stop=(lambda: bool(stop))).run()


def _guarded(name: str, work: Callable[[], T], reports: list[PublishReport]) -> T | None:
    """Run a stage after the store; if it fails, its report joins `reports` (None)."""
    try:
        return work()
    except Exception as exc:
        log.exception("%s failed", name)
        reports.append(PublishReport(name, error=_one_line(exc)))
        return None


def _publish_one(writer: Writer, store: Store) -> PublishReport:
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
