"""The scheduler's side of the distributed engine: enqueue, wait, report.

`newsmill run` records a batch in the store, sends one message per due source
and (unless told not to) watches the ledger until the batch is done and
published. It reads progress from the database, not the broker, so a broker
restart mid-run does not disturb it.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from celery import Celery
from kombu.exceptions import ChannelError, OperationalError

from newsmill.config import Config
from newsmill.model import PublishReport, Source
from newsmill.run.celery import ledger
from newsmill.run.celery.app import (
    DEAD_AFTER_SECONDS,
    DEFAULT_QUEUE,
    SOURCE_TASK,
    make_app,
    send_publish,
    source_to_message,
    visibility_timeout,
)
from newsmill.run.pipeline import select_sources
from newsmill.run.report import RunReport
from newsmill.run.stopping import StopFlag
from newsmill.store import BatchProgress, RunTables, Store, WorkerRow

log = logging.getLogger("newsmill.run.celery")

# If a batch is complete but no publish was queued this long after (the last
# worker died between its two steps), the scheduler queues it itself.
PUBLISH_GRACE = 10.0
ROLL_CALL_SECONDS = 5.0  # how often a waiting scheduler looks for silent workers


class EngineError(Exception):
    """The distributed engine cannot be used as configured; the message says why."""


@dataclass
class Enqueued:
    batch: str
    sent: int
    skipped: list[str] = field(default_factory=list)


def _check(config: Config) -> None:
    if config.run.engine != "celery":
        raise EngineError('this needs [run] engine = "celery"')
    if not config.store.url.startswith("postgresql"):
        raise EngineError("the celery engine needs a PostgreSQL store ([store] url)")


def enqueue(
    config: Config,
    queue: str = DEFAULT_QUEUE,
    due_only: bool = True,
    app: Celery | None = None,
    store: Store | None = None,
) -> Enqueued:
    """Record a batch of every due source not already in flight, then send it.

    Due and disabled mean what they mean to the local runner (`select_sources`);
    `due_only=False` is `newsmill run --all`.
    """
    _check(config)
    app = app or make_app(config, queue)
    own_store = store is None
    store = store or Store(config.store.url)
    try:
        store.sync_sources(config.resolved_sources())
        busy = ledger.in_flight_sources(store.run_ledger)
        due = [s for s in select_sources(config, store, due_only) if s.name not in busy]
        batch = uuid.uuid4().hex
        store.run_ledger.create_batch(batch, [s.name for s in due])
        if not due:
            # Nothing to fetch; still a batch, so a waiter has something to finish.
            store.run_ledger.mark_published(batch, None, ran=False)
        send_sources(app, due, batch, queue)
    finally:
        if own_store:
            store.close()
    log.info("batch %s: %d sources queued on %r", batch, len(due), queue)
    return Enqueued(batch, len(due), sorted(busy))


def send_sources(app: Celery, sources: list[Source], batch: str, queue: str) -> None:
    """One task message per source, over one producer connection; enqueuing and
    resending lost messages send the same messages."""
    with app.producer_or_acquire() as producer:
        for source in sources:
            app.send_task(
                SOURCE_TASK,
                args=[source_to_message(source), batch],
                queue=queue,
                task_id=f"{batch}.{source.name}",
                producer=producer,
            )


def wait(
    config: Config,
    batch: str,
    queue: str = DEFAULT_QUEUE,
    on_progress: Callable[[BatchProgress], None] | None = None,
    timeout: float | None = None,
    poll: float = 0.5,
    app: Celery | None = None,
) -> RunReport:
    """Block until the batch is done and published; its report (outcomes from the ledger)."""
    _check(config)
    tables = RunTables(config.store.url, pool_size=1)
    deadline = None if timeout is None else time.monotonic() + timeout
    complete_since: float | None = None
    stall_after = visibility_timeout(config)
    last_count, last_change = -1, time.monotonic()
    next_roll_call = time.monotonic() + ROLL_CALL_SECONDS
    death_seen = False
    try:
        while True:
            progress = tables.ledger.progress(batch)
            if progress is None:
                raise EngineError(f"batch {batch} is not in the store")
            if on_progress:
                on_progress(progress)
            if progress.finished:
                break
            if progress.pending and time.monotonic() >= next_roll_call:
                next_roll_call = time.monotonic() + ROLL_CALL_SECONDS
                app = app or make_app(config, queue)
                death_seen = bool(_resend_orphans(config, batch, queue, app, tables)) or death_seen
                if death_seen and queue_depth(config, queue) == 0:
                    # A dead worker may also have held messages it had not claimed
                    # yet; nothing queued and nobody holding a source means its
                    # message is gone until the visibility timeout: send it again.
                    _resend(config, batch, queue, app, tables.ledger.unclaimed_sources(batch))
            if progress.done + progress.failed != last_count:
                last_count, last_change = progress.done + progress.failed, time.monotonic()
            elif (
                progress.pending
                and time.monotonic() - last_change > stall_after
                and queue_depth(config, queue) == 0
            ):
                # Nothing finished for longer than any task may take and nothing
                # is queued: the messages were lost (a Redis broker restarted
                # without persistence). Send them again; copies are harmless.
                app = app or make_app(config, queue)
                resent = resend_pending(config, batch, queue, app, tables)
                log.warning("batch %s: %d sources had no message; sent again", batch, resent)
                last_change = time.monotonic()
            if progress.complete and progress.publish_queued is None:
                complete_since = complete_since or time.monotonic()
                if time.monotonic() - complete_since > PUBLISH_GRACE:
                    send_publish(app or make_app(config, queue), batch)
                    tables.ledger.mark_publish_queued(batch)
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(
                    f"batch {batch}: {progress.pending} of {progress.total} sources still pending"
                )
            time.sleep(poll)
        report = RunReport(sources=ledger.outcomes(tables.ledger, batch))
        if progress.publish_error:  # an output failed in the worker that published
            report.outputs = [PublishReport("publish", error=progress.publish_error)]
        return report
    finally:
        tables.close()


def _resend_orphans(config: Config, batch: str, queue: str, app: Celery, tables: RunTables) -> int:
    """Send again the unfinished tasks of workers whose heartbeats stopped; how many.

    The ledger keeps a second copy harmless (the first to finish counts, the
    other finds the work done)."""
    silent_since = datetime.now(UTC) - timedelta(seconds=DEAD_AFTER_SECONDS)
    dead = [w.name for w in tables.workers.workers() if w.last_heartbeat < silent_since]
    orphans = tables.ledger.take_orphans(batch, dead)
    if orphans:
        _resend(config, batch, queue, app, orphans)
        log.warning(
            "batch %s: %d unfinished sources of workers silent for %.0fs sent again",
            batch, len(orphans), DEAD_AFTER_SECONDS,
        )  # fmt: skip
    return len(orphans)


def _resend(config: Config, batch: str, queue: str, app: Celery, names: list[str]) -> None:
    """Send the messages of these sources of `batch` again."""
    if names:
        wanted = set(names)
        send_sources(app, [s for s in config.resolved_sources() if s.name in wanted], batch, queue)


def resend_pending(
    config: Config, batch: str, queue: str, app: Celery, tables: RunTables | None = None
) -> int:
    """Send the messages of a batch's unfinished sources again; how many."""
    own = tables is None
    tables = tables or RunTables(config.store.url, pool_size=1)
    try:
        names = set(tables.ledger.pending_sources(batch))
    finally:
        if own:
            tables.close()
    sources = [s for s in config.resolved_sources() if s.name in names]
    send_sources(app, sources, batch, queue)
    return len(sources)


def queue_depth(config: Config, queue: str = DEFAULT_QUEUE) -> int | None:
    """Messages waiting in the queue (not those a worker holds); None if the broker is away."""
    app = make_app(config, queue)
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
            channel = conn.default_channel
            try:
                return int(channel.queue_declare(queue=queue, passive=True).message_count)
            except ChannelError:
                return 0  # never declared: nothing was ever queued there
    except (OperationalError, OSError, ConnectionError) as exc:
        log.warning("broker unreachable: %s", exc)
        return None


def purge_queue(config: Config, queue: str, delete: bool = False) -> None:
    """Drop every waiting message (and with `delete`, the queue itself)."""
    app = make_app(config, queue)
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        try:
            channel.queue_purge(queue)
            if delete:
                channel.queue_delete(queue)
        except ChannelError:
            pass


@dataclass
class EngineStatus:
    queue: str
    depth: int | None
    workers: list[WorkerRow]
    batch: BatchProgress | None


def engine_status(config: Config, queue: str = DEFAULT_QUEUE) -> EngineStatus:
    """What `newsmill status` adds for the celery engine: queue, workers, newest batch."""
    _check(config)
    tables = RunTables(config.store.url, pool_size=1)
    try:
        return EngineStatus(
            queue=queue,
            depth=queue_depth(config, queue),
            workers=tables.workers.workers(),
            batch=tables.ledger.progress(),
        )
    finally:
        tables.close()


def watch(
    config: Config, queue: str, stop: StopFlag, max_sleep: float = 60.0, store: Store | None = None
) -> int:
    """The fleet's one scheduler (`newsmill run --watch`): enqueue sources as they fall due.

    Only due sources not already in flight are sent, so a slow fleet never
    gets a second copy of its backlog; the workers publish each batch. Returns
    the number of batches sent.
    """
    from newsmill.run.daemon import seconds_until_next

    _check(config)
    app = make_app(config, queue)
    own_store = store is None
    store = store or Store(config.store.url)
    batches = 0
    try:
        store.sync_sources(config.resolved_sources())
        while not stop:
            busy = ledger.in_flight_sources(store.run_ledger)
            due = [s for s in select_sources(config, store, True) if s.name not in busy]
            if due:
                enqueue(config, queue, True, app, store)
                batches += 1
            pause = seconds_until_next(config, store, datetime.now(UTC))
            if stop.wait(min(max(pause, 1.0), max_sleep)):
                break
    finally:
        if own_store:
            store.close()
    return batches
