"""`newsmill run --watch`: poll each source when it is due, publish what changed.

The schedule lives in the store (each source's next_due), so a restarted
daemon picks up where it stopped, and a cron `run` between daemon runs fits in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from newsmill.config import Config
from newsmill.run.items import RunPolicy
from newsmill.run.pipeline import run_once
from newsmill.run.pool import ItemProcessors, worker_count
from newsmill.run.publishing import publish_all
from newsmill.run.report import RunReport
from newsmill.run.stopping import StopFlag
from newsmill.store import Store

log = logging.getLogger("newsmill.daemon")


def seconds_until_next(config: Config, store: Store, now: datetime) -> float:
    names = [s.name for s in config.sources if s.enabled]
    upcoming = store.next_due_time(names)
    if upcoming is None:
        return 0.0
    return max((upcoming - now).total_seconds(), 0.0)


def watch(
    config: Config,
    store: Store,
    stop: StopFlag,
    on_pass: Callable[[RunReport], None] | None = None,
    max_sleep: float = 60.0,
) -> int:
    """Poll until stopped; returns the number of passes made.

    Each pass fetches the due sources and publishes only when something new
    was stored (publishing is incremental, but reading the archive is not free).
    """
    enabled = sum(1 for s in config.sources if s.enabled)
    workers = worker_count(config.run.processes, enabled)
    # One pool for the daemon's life: starting workers every pass would cost seconds.
    processors = ItemProcessors(RunPolicy.from_config(config), workers) if workers else None
    try:
        return _passes(config, store, stop, on_pass, max_sleep, processors)
    finally:
        if processors is not None:
            processors.close()


def _passes(
    config: Config,
    store: Store,
    stop: StopFlag,
    on_pass: Callable[[RunReport], None] | None,
    max_sleep: float,
    processors: ItemProcessors | None,
) -> int:
    passes = 0
    published_once = False
    while not stop:
        report = run_once(
            config, store, due_only=True, stop=stop, publish=False, processors=processors
        )
        passes += 1
        changed = any(s.inserted or s.updated for s in report.sources)
        if (changed or not published_once) and not stop:
            report.outputs = publish_all(config, store, stop)
            published_once = True
        if on_pass:
            on_pass(report)
        if report.sources:
            log.info(
                "pass %d: %d sources polled, %d failed",
                passes, len(report.sources), len(report.failed),
            )  # fmt: skip
        wait = seconds_until_next(config, store, datetime.now(UTC))
        if stop.wait(min(max(wait, 1.0), max_sleep)):
            break
    log.info("stopping (%s)", stop.signal_name or "done")
    return passes
