"""The Celery application: its settings, its two tasks and the worker process.

A source task takes one source through every stage up to the store, so one
slow or poisonous source never holds up others, and calls the same
`run_source` as the local runner; the publish task of a batch runs
`publish_all` once its sources are done. Each worker process keeps one event
loop (in a thread) with one Fetcher, so its Celery pool threads share a
connection pool and the per-host limits, and the shared limiter extends those
limits to every other worker.

Delivery is at least once (late acknowledgement: a worker killed mid-task
leaves its message to be delivered again), and the ledger makes the effect
exactly once: upserts are keyed as in the store, finished work is skipped,
and only one publisher runs per batch.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import random
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, TypeVar

from celery import Celery, Task
from celery import signals as celery_signals
from celery.exceptions import Reject, Retry

from newsmill.config import Config
from newsmill.fetch import Fetcher, RobotsCache
from newsmill.model import FetchResult, Source
from newsmill.run.celery import ledger
from newsmill.run.items import RunPolicy
from newsmill.run.limiter import make_limiter
from newsmill.run.lock import RunLocked, run_lock
from newsmill.run.pipeline import run_source
from newsmill.run.publishing import publish_all
from newsmill.run.report import SourceOutcome
from newsmill.store import DONE, FAILED, PENDING, RunTables, Store

log = logging.getLogger("newsmill.run.celery")

DEFAULT_QUEUE = "newsmill"
SOURCE_TASK = "newsmill.source"
PUBLISH_TASK = "newsmill.publish"
# A task that raises is retried this many times, with exponential backoff.
TASK_RETRIES = 3
# A task whose worker died under it this many times is given up: the source is
# poison (it crashes or kills whatever runs it), not unlucky.
CRASH_LIMIT = 3
HEARTBEAT_SECONDS = 10.0
# A worker not heard from for this long is gone (killed, out of memory, its machine
# down): the scheduler sends its unfinished tasks again rather than wait for the
# broker to notice, which on Redis is the whole visibility timeout.
DEAD_AFTER_SECONDS = 3 * HEARTBEAT_SECONDS

T = TypeVar("T")


def source_to_message(source: Source) -> dict[str, Any]:
    """The source as JSON for the broker, without its access key: each worker takes
    the key from its own configuration (`WorkerContext.keyed`)."""
    return {**asdict(source), "access_key": None}


def source_from_message(data: dict[str, Any]) -> Source:
    """JSON lists back to the tuples of Source; keys this version lacks are ignored."""
    known = {f.name for f in dataclasses.fields(Source)}
    fields: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in known
    }
    return Source(**fields)


def visibility_timeout(config: Config) -> float:
    """How long a Redis broker waits before redelivering an unacknowledged message.

    Long enough that a task still running is not handed to a second worker
    (its fetch attempts, their backoff and the parse), short enough that the
    work of a killed worker comes back within minutes rather than Redis's hour.
    """
    f = config.fetch
    attempts = f.retries + 1
    worst = attempts * f.total_timeout + sum(f.backoff * 2**a * 1.5 for a in range(attempts))
    return max(15.0, 2 * worst)


def _transport(config: Config) -> str | None:
    if config.run.broker.startswith(("redis://", "rediss://")):
        from newsmill.run.celery.transport import TRANSPORT

        return TRANSPORT
    return None


def _transport_options(config: Config) -> dict[str, Any]:
    if not config.run.broker.startswith(("redis://", "rediss://")):
        return {}  # AMQP redelivers a dead consumer's messages as soon as its connection drops
    return {
        "visibility_timeout": visibility_timeout(config),
        # Sweep for a killed worker's messages every 5 s instead of Kombu's ~100 s.
        "unacked_restore_interval": 5,
        "unacked_restore_throttle": 1,
        "socket_timeout": 30,
        "socket_connect_timeout": 5,
    }


def make_app(config: Config, queue: str = DEFAULT_QUEUE) -> Celery:
    """One Celery app for this config; the worker and `newsmill run` build the same one."""
    app = Celery("newsmill", broker=config.run.broker, set_as_current=False)
    app.conf.update(
        task_default_queue=queue,
        task_default_exchange=queue,
        task_default_routing_key=queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        worker_enable_remote_control=False,  # status reads heartbeats from the store instead
        worker_cancel_long_running_tasks_on_connection_loss=False,
        # Celery #9512: the reduced prefetch after a reconnect can stay stuck.
        worker_enable_prefetch_count_reduction=False,
        broker_connection_retry=True,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        broker_connection_timeout=5,
        broker_transport_options=_transport_options(config),
        broker_transport=_transport(config),
        task_publish_retry_policy={"max_retries": 10, "interval_start": 0.2, "interval_max": 2},
    )

    @app.task(name=SOURCE_TASK, bind=True, acks_late=True, reject_on_worker_lost=True)
    def source_task(self: Task, message: dict[str, Any], batch: str) -> str:
        with _store_trouble_retried(self):
            context = _context(config)
            return context.run_source(self, context.keyed(source_from_message(message)), batch)

    @app.task(name=PUBLISH_TASK, bind=True, acks_late=True, reject_on_worker_lost=True)
    def publish_task(self: Task, batch: str) -> str:
        with _store_trouble_retried(self):
            return _context(config).publish(self, batch)

    return app


@contextmanager
def _store_trouble_retried(task: Task) -> Iterator[None]:
    """An error outside a source's own processing (the store or the broker away)
    is nobody's fault: try the whole task again later rather than drop it."""
    try:
        yield
    except (Retry, Reject):
        raise
    except Exception as exc:
        log.warning("task %s: %r; trying again later", task.request.id, exc)
        raise task.retry(
            exc=exc, countdown=min(60.0, 2.0 ** (task.request.retries or 0)), max_retries=10
        ) from None


class _Gate:
    """Shared for ordinary tasks, exclusive for one whose earlier run was cut off.

    When a worker dies, every task it was running counts a crash. Running a
    task that already has one alone in its process means its next crash, if
    any, is its own: innocent neighbours of a poison source are never blamed
    twice, so only the poison reaches CRASH_LIMIT.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = 0
        self._exclusive = False
        self._waiting = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            while self._exclusive or self._waiting:
                self._cond.wait()
            self._active += 1
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
            while self._exclusive or self._active:
                self._cond.wait()
            self._waiting -= 1
            self._exclusive = True
        try:
            yield
        finally:
            with self._cond:
                self._exclusive = False
                self._cond.notify_all()


class WorkerContext:
    """What one worker process keeps between tasks: store, fetch loop, limiter."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.store = Store(config.store.url)
        self.tables = RunTables(config.store.url)  # the ledger and the SQL limiter's pool
        self.ledger = self.tables.ledger
        self.gate = _Gate()
        self.name = ledger.worker_name(os.getpid())  # as its heartbeats say it
        self.tasks_done = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fetch", daemon=True)
        self._thread.start()
        lease = config.fetch.total_timeout + 5.0
        self.limiter = make_limiter(config.run.broker, self.tables, config.fetch.per_host, lease)
        self.fetcher = Fetcher(config.fetch_settings(), self.limiter)
        self.policy = RunPolicy.from_config(config)
        self.robots = self._call(self._open())
        self._keys = {s.name: s.access_key for s in config.resolved_sources() if s.access_key}

    def keyed(self, source: Source) -> Source:
        """The source with the access key this worker's configuration gives it."""
        key = self._keys.get(source.name)
        return dataclasses.replace(source, access_key=key) if key else source

    async def _open(self) -> RobotsCache:
        await self.fetcher.__aenter__()
        return RobotsCache(self.fetcher)

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def close(self) -> None:
        try:
            self._call(self.fetcher.__aexit__(None, None, None))
            self._call(self.limiter.aclose())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self.store.close()
            self.tables.close()

    # -- the source task ---------------------------------------------------

    def run_source(self, task: Task, source: Source, batch: str) -> str:
        row = self.ledger.peek(batch, source.name)
        if row is None:
            log.warning("source %s: batch %s unknown to this store; dropped", source.name, batch)
            return "unknown"
        if row.state != PENDING:  # a redelivered copy of finished work
            self._after(task.app, batch)
            return row.state
        # Held by this worker from now, waiting at the gate included: if it dies, the
        # scheduler sends the task again (`client.wait`).
        self.ledger.claim(batch, source.name, self.name)
        retries = int(task.request.retries or 0)
        crashes = row.deliveries - retries
        if crashes >= CRASH_LIMIT:
            error = f"gave up: its task was cut off {crashes} times (worker crashed or was killed)"
            self._fail(task.app, source, batch, error)
            return FAILED
        with self.gate.exclusive() if crashes > 0 else self.gate.shared():
            self.ledger.start(batch, source.name, self.name)
            try:
                outcome = self._process(source)
            except Exception as exc:
                if retries < TASK_RETRIES:
                    countdown = self.config.fetch.backoff * 2**retries
                    log.warning("source %s: %r; retry %d", source.name, exc, retries + 1)
                    raise task.retry(
                        exc=exc,
                        countdown=countdown + random.uniform(0, countdown / 2),
                        max_retries=TASK_RETRIES,
                    ) from None
                log.exception("source %s: failed after %d attempts", source.name, retries + 1)
                self._fail(
                    task.app, source, batch, f"internal error after {retries + 1} attempts: {exc!r}"
                )
                return FAILED
        remaining = ledger.finish(self.ledger, batch, outcome)
        self.tasks_done += 1
        if remaining == 0:
            self._after(task.app, batch)
        return DONE if outcome.ok else FAILED

    def _process(self, source: Source) -> SourceOutcome:
        """The local runner's own `run_source`, on this process's fetch loop."""
        return self._call(run_source(self.fetcher, self.robots, self.store, source, self.policy))

    def _fail(self, app: Celery, source: Source, batch: str, error: str) -> None:
        """The source's error state, as for a failed fetch, and its task closed."""
        self.store.record_fetch(
            source.name, FetchResult(url=source.url, final_url=source.url), error
        )
        ledger.finish(self.ledger, batch, SourceOutcome(source.name, ok=False, error=error))
        self._after(app, batch)

    def _after(self, app: Celery, batch: str) -> None:
        """The last source of a batch hands it to one publisher (see `publish`)."""
        if self.ledger.needs_publish(batch):
            send_publish(app, batch)
            self.ledger.mark_publish_queued(batch)

    # -- the publish task --------------------------------------------------

    def publish(self, task: Task, batch: str) -> str:
        """Publish the store once for the batch.

        Two finishers racing may both queue this task, and a killed publisher's
        message comes back. The store's run lock (a PostgreSQL advisory lock,
        freed by the server if its holder dies; the one `newsmill build` takes)
        plus the batch's `published_at` leave one real run. Writers are
        incremental, so a rerun after a crash rewrites nothing.
        """
        try:
            with run_lock(self.store):
                if self.ledger.is_published(batch):
                    return "already published"
                if not self.ledger.changed_by(batch) and self.ledger.ever_published():
                    # Nothing new: the outputs already say everything (as the daemon does).
                    self.ledger.mark_published(batch, None, ran=False)
                    return "nothing new"
                error: str | None = None
                try:
                    progress = self.ledger.progress(batch)
                    if progress is not None:  # the batch is a run: its undated items go last
                        self.store.place_undated(progress.created)
                    reports = publish_all(self.config, self.store)
                    for report in reports:
                        log.info("batch %s: %s", batch, report)
                    failed = [str(report) for report in reports if not report.ok]
                    error = "; ".join(failed) if failed else None
                except Exception as exc:  # an output failing is the batch's error, not a loop
                    log.exception("batch %s: publishing failed", batch)
                    error = f"publishing failed: {exc}"
                self.ledger.mark_published(batch, error)
                return error or "published"
        except RunLocked:
            # Another publisher (or `newsmill build`) holds the store, maybe since
            # before this batch ended: publish again once it is done.
            raise task.retry(countdown=1.0 + random.random(), max_retries=None) from None


_contexts: dict[int, WorkerContext] = {}
_contexts_lock = threading.Lock()


def _context(config: Config) -> WorkerContext:
    """One context per process, made on first use (after any fork)."""
    pid = os.getpid()
    with _contexts_lock:
        if pid not in _contexts:
            _contexts[pid] = WorkerContext(config)
        return _contexts[pid]


def send_publish(app: Celery, batch: str) -> None:
    queue = app.conf.task_default_queue
    app.send_task(PUBLISH_TASK, args=[batch], queue=queue, task_id=f"{batch}.publish")


def run_worker(config: Config, queue: str = DEFAULT_QUEUE, concurrency: int = 8) -> int:
    """Run one worker process until it is told to stop; its exit code.

    A threads pool: the work is mostly waiting on the network and the
    database, and threads share this process's fetch loop and limits. Use one
    worker process per core to spread parsing over cores.
    """
    if not config.store.url.startswith("postgresql"):
        raise ValueError("the celery engine needs a PostgreSQL store all workers share")
    app = make_app(config, queue)
    pid = os.getpid()
    name = ledger.worker_name(pid)
    started = datetime.now(UTC)
    stop = threading.Event()
    context = _context(config)

    def beat() -> None:
        while True:
            try:
                context.tables.workers.heartbeat(name, pid, started, context.tasks_done)
            except Exception as exc:  # the database may be briefly away; keep beating
                log.warning("heartbeat failed: %r", exc)
            if stop.wait(HEARTBEAT_SECONDS):
                return

    def on_ready(**_: Any) -> None:
        threading.Thread(target=beat, name="heartbeat", daemon=True).start()

    celery_signals.worker_ready.connect(on_ready, weak=False)
    try:
        worker = app.Worker(
            hostname=name,
            pool_cls="threads",
            concurrency=concurrency,
            queues=[queue],
            loglevel=logging.getLevelName(logging.getLogger("newsmill").getEffectiveLevel()),
            without_gossip=True,
            without_mingle=True,
            without_heartbeat=True,
            quiet=True,
        )
        worker.start()
        return int(worker.exitcode or 0)
    finally:
        celery_signals.worker_ready.disconnect(on_ready)
        stop.set()
        with suppress(Exception):
            context.tables.workers.heartbeat(name, pid, started, context.tasks_done)
        context.close()
