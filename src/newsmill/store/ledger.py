"""The distributed engine's ledger of batches and their sources' tasks.

The broker delivers a message at least once; this ledger turns that into
"done once": a task first looks up its row (a redelivered copy of finished
work finds it done and only re-checks the batch), counts its starts (so a
source that kills its worker every time is recognised and given up on), and
the last task of a batch to finish hands the batch to exactly one publisher.
What a task's outcome means to the run is `newsmill.run.celery.ledger`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, insert, select, update

from newsmill.store.schema import run_batches, run_tasks

PENDING, DONE, FAILED = "pending", "done", "failed"


@dataclass
class TaskRow:
    state: str
    deliveries: int


@dataclass(frozen=True)
class TaskResult:
    """What one source's task did, as the ledger keeps it."""

    source: str
    ok: bool
    error: str | None = None
    not_modified: bool = False
    items: int = 0
    inserted: int = 0
    updated: int = 0


@dataclass
class BatchProgress:
    id: str
    created: datetime
    total: int
    pending: int
    done: int
    failed: int
    published_at: datetime | None
    publish_queued: datetime | None
    publish_count: int
    publish_error: str | None

    @property
    def complete(self) -> bool:
        return self.pending == 0

    @property
    def finished(self) -> bool:
        """All sources done and the batch published (or its publishing failed for good)."""
        return self.complete and (self.published_at is not None or self.publish_error is not None)


class BatchLedger:
    """The rows of `run_batches` and `run_tasks`, one transaction per call."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def in_flight_sources(self, since: datetime) -> set[str]:
        """Sources still pending in a batch created after `since`."""
        query = (
            select(run_tasks.c.source)
            .join(run_batches, run_batches.c.id == run_tasks.c.batch)
            .where(run_tasks.c.state == PENDING, run_batches.c.created > since)
        )
        with self._engine.connect() as conn:
            return set(conn.execute(query).scalars())

    def create_batch(self, batch: str, names: Sequence[str]) -> None:
        """Record the batch before any message is sent, so no task finds its row missing."""
        with self._engine.begin() as conn:
            conn.execute(
                insert(run_batches).values(
                    id=batch,
                    created=datetime.now(UTC),
                    total=len(names),
                    remaining=len(names),
                    publish_count=0,
                )
            )
            if names:
                conn.execute(
                    insert(run_tasks),
                    [
                        {
                            "batch": batch,
                            "source": n,
                            "state": PENDING,
                            "deliveries": 0,
                            "items": 0,
                            "inserted": 0,
                            "updated": 0,
                            "not_modified": False,
                        }
                        for n in names
                    ],
                )

    def peek(self, batch: str, source: str) -> TaskRow | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(run_tasks.c.state, run_tasks.c.deliveries).where(
                    run_tasks.c.batch == batch, run_tasks.c.source == source
                )
            ).first()
        return TaskRow(row.state, row.deliveries) if row else None

    def start(self, batch: str, source: str, worker: str | None = None) -> None:
        """Count one start by `worker`; a start with no finish afterwards means the
        worker died."""
        with self._engine.begin() as conn:
            conn.execute(
                update(run_tasks)
                .where(run_tasks.c.batch == batch, run_tasks.c.source == source)
                .values(deliveries=run_tasks.c.deliveries + 1, worker=worker)
            )

    def claim(self, batch: str, source: str, worker: str) -> None:
        """Note that `worker` holds the source's task (it may wait before it starts)."""
        with self._engine.begin() as conn:
            conn.execute(
                update(run_tasks)
                .where(run_tasks.c.batch == batch, run_tasks.c.source == source)
                .values(worker=worker)
            )

    def unclaimed_sources(self, batch: str) -> list[str]:
        """The sources of `batch` still pending that no worker holds."""
        with self._engine.connect() as conn:
            return list(
                conn.execute(
                    select(run_tasks.c.source).where(
                        run_tasks.c.batch == batch,
                        run_tasks.c.state == PENDING,
                        run_tasks.c.worker.is_(None),
                    )
                ).scalars()
            )

    def take_orphans(self, batch: str, dead_workers: Sequence[str]) -> list[str]:
        """The sources of `batch` still pending that one of these workers held:
        they are unmarked as they are returned, so that each is sent again once."""
        if not dead_workers:
            return []
        with self._engine.begin() as conn:
            return list(
                conn.execute(
                    update(run_tasks)
                    .where(
                        run_tasks.c.batch == batch,
                        run_tasks.c.state == PENDING,
                        run_tasks.c.worker.in_(list(dead_workers)),
                    )
                    .values(worker=None)
                    .returning(run_tasks.c.source)
                ).scalars()
            )

    def finish(self, batch: str, result: TaskResult) -> int | None:
        """Mark the source's task done or failed; the batch's sources left to finish.

        None if another copy of the task got there first. The count lives on the
        batch row, decremented in the same transaction, so finding the last task
        costs one row, not a count over the batch.
        """
        with self._engine.begin() as conn:
            updated = conn.execute(
                update(run_tasks)
                .where(
                    run_tasks.c.batch == batch,
                    run_tasks.c.source == result.source,
                    run_tasks.c.state == PENDING,
                )
                .values(
                    state=DONE if result.ok else FAILED,
                    error=result.error[:2000] if result.error else None,
                    items=result.items,
                    inserted=result.inserted,
                    updated=result.updated,
                    not_modified=result.not_modified,
                    finished_at=datetime.now(UTC),
                )
            )
            if not updated.rowcount:
                return None
            remaining = conn.execute(
                update(run_batches)
                .where(run_batches.c.id == batch)
                .values(remaining=run_batches.c.remaining - 1)
                .returning(run_batches.c.remaining)
            ).scalar()
            return int(remaining or 0)

    def needs_publish(self, batch: str) -> bool:
        """True when every source of the batch is finished and nobody queued its publishing."""
        with self._engine.connect() as conn:
            row = conn.execute(
                select(
                    run_batches.c.remaining,
                    run_batches.c.publish_queued,
                    run_batches.c.published_at,
                ).where(run_batches.c.id == batch)
            ).first()
        return (
            row is not None
            and row.remaining is not None
            and row.remaining <= 0
            and row.publish_queued is None
            and row.published_at is None
        )

    def mark_publish_queued(self, batch: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(run_batches)
                .where(run_batches.c.id == batch, run_batches.c.publish_queued.is_(None))
                .values(publish_queued=datetime.now(UTC))
            )

    def is_published(self, batch: str) -> bool:
        with self._engine.connect() as conn:
            when = conn.execute(
                select(run_batches.c.published_at).where(run_batches.c.id == batch)
            ).scalar()
        return when is not None

    def mark_published(self, batch: str, error: str | None, ran: bool = True) -> None:
        """Close the batch; `ran` is False when there was nothing to publish."""
        values: dict[str, object] = {"published_at": datetime.now(UTC)}
        if error is not None:
            values["publish_error"] = error[:2000]
        elif ran:
            values["publish_count"] = run_batches.c.publish_count + 1
        with self._engine.begin() as conn:
            conn.execute(
                update(run_batches)
                .where(run_batches.c.id == batch, run_batches.c.published_at.is_(None))
                .values(**values)
            )

    def progress(self, batch: str | None = None) -> BatchProgress | None:
        """Counts for one batch, or for the newest one."""
        with self._engine.connect() as conn:
            query = select(run_batches)
            query = (
                query.where(run_batches.c.id == batch)
                if batch
                else query.order_by(run_batches.c.created.desc()).limit(1)
            )
            row = conn.execute(query).first()
            if row is None:
                return None
            counts: dict[str, int] = dict(
                conn.execute(
                    select(run_tasks.c.state, func.count())
                    .where(run_tasks.c.batch == row.id)
                    .group_by(run_tasks.c.state)
                ).all()
            )
        return BatchProgress(
            id=row.id,
            created=row.created,
            total=row.total,
            pending=int(counts.get(PENDING, 0)),
            done=int(counts.get(DONE, 0)),
            failed=int(counts.get(FAILED, 0)),
            published_at=row.published_at,
            publish_queued=row.publish_queued,
            publish_count=row.publish_count,
            publish_error=row.publish_error,
        )

    def results(self, batch: str) -> list[TaskResult]:
        """Every task of the batch by source name, finished or not (pending is not ok)."""
        query = select(run_tasks).where(run_tasks.c.batch == batch).order_by(run_tasks.c.source)
        with self._engine.connect() as conn:
            return [
                TaskResult(
                    source=r.source,
                    ok=r.state == DONE,
                    error=r.error if r.state != DONE else None,
                    not_modified=r.not_modified,
                    items=r.items,
                    inserted=r.inserted,
                    updated=r.updated,
                )
                for r in conn.execute(query)
            ]

    def changed_by(self, batch: str) -> int:
        """Articles the batch inserted or updated."""
        with self._engine.connect() as conn:
            total = conn.execute(
                select(
                    func.coalesce(func.sum(run_tasks.c.inserted + run_tasks.c.updated), 0)
                ).where(run_tasks.c.batch == batch)
            ).scalar()
        return int(total or 0)

    def ever_published(self) -> bool:
        """Whether any batch has run the writers yet (the first one always does)."""
        with self._engine.connect() as conn:
            found = conn.execute(
                select(run_batches.c.id).where(run_batches.c.publish_count > 0).limit(1)
            ).first()
        return found is not None

    def pending_sources(self, batch: str) -> list[str]:
        with self._engine.connect() as conn:
            return list(
                conn.execute(
                    select(run_tasks.c.source).where(
                        run_tasks.c.batch == batch, run_tasks.c.state == PENDING
                    )
                ).scalars()
            )
