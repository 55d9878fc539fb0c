"""The distributed engine's ledger in the shared PostgreSQL store.

The broker delivers a message at least once; this ledger turns that into
"done once": a task first looks up its row (a redelivered copy of finished
work finds it done and only re-checks the batch), counts its starts (so a
source that kills its worker every time is recognised and given up on), and
the last task of a batch to finish hands the batch to exactly one publisher.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from newsmill.run.report import SourceOutcome
from newsmill.store.schema import run_batches, run_tasks, run_workers

PENDING, DONE, FAILED = "pending", "done", "failed"
# A source left pending by a batch younger than this is not enqueued again, so
# a cron `run --no-wait` every few minutes never piles copies onto a slow queue.
IN_FLIGHT_FOR = timedelta(hours=1)


@dataclass
class TaskRow:
    state: str
    deliveries: int


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


@dataclass
class WorkerRow:
    name: str
    pid: int
    started: datetime
    last_heartbeat: datetime
    tasks_done: int


def in_flight_sources(engine: Engine) -> set[str]:
    """Sources still pending in a recent batch: enqueuing them again would only duplicate."""
    since = datetime.now(UTC) - IN_FLIGHT_FOR
    query = (
        select(run_tasks.c.source)
        .join(run_batches, run_batches.c.id == run_tasks.c.batch)
        .where(run_tasks.c.state == PENDING, run_batches.c.created > since)
    )
    with engine.connect() as conn:
        return set(conn.execute(query).scalars())


def create_batch(engine: Engine, batch: str, names: Sequence[str]) -> None:
    """Record the batch before any message is sent, so no task finds its row missing."""
    with engine.begin() as conn:
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


def peek(engine: Engine, batch: str, source: str) -> TaskRow | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(run_tasks.c.state, run_tasks.c.deliveries).where(
                run_tasks.c.batch == batch, run_tasks.c.source == source
            )
        ).first()
    return TaskRow(row.state, row.deliveries) if row else None


def start(engine: Engine, batch: str, source: str) -> None:
    """Count one start; a start with no finish afterwards means the worker died."""
    with engine.begin() as conn:
        conn.execute(
            update(run_tasks)
            .where(run_tasks.c.batch == batch, run_tasks.c.source == source)
            .values(deliveries=run_tasks.c.deliveries + 1)
        )


def finish(engine: Engine, batch: str, outcome: SourceOutcome) -> int | None:
    """Mark the source's task done or failed; the batch's sources left to finish.

    None if another copy of the task got there first. The count lives on the
    batch row, decremented in the same transaction, so finding the last task
    costs one row, not a count over the batch.
    """
    with engine.begin() as conn:
        result = conn.execute(
            update(run_tasks)
            .where(
                run_tasks.c.batch == batch,
                run_tasks.c.source == outcome.name,
                run_tasks.c.state == PENDING,
            )
            .values(
                state=DONE if outcome.ok else FAILED,
                error=outcome.error[:2000] if outcome.error else None,
                items=outcome.items,
                inserted=outcome.inserted,
                updated=outcome.updated,
                not_modified=outcome.not_modified,
                finished_at=datetime.now(UTC),
            )
        )
        if not result.rowcount:
            return None
        remaining = conn.execute(
            update(run_batches)
            .where(run_batches.c.id == batch)
            .values(remaining=run_batches.c.remaining - 1)
            .returning(run_batches.c.remaining)
        ).scalar()
        return int(remaining or 0)


def needs_publish(engine: Engine, batch: str) -> bool:
    """True when every source of the batch is finished and nobody queued its publishing."""
    with engine.connect() as conn:
        row = conn.execute(
            select(
                run_batches.c.remaining, run_batches.c.publish_queued, run_batches.c.published_at
            ).where(run_batches.c.id == batch)
        ).first()
    return (
        row is not None
        and row.remaining is not None
        and row.remaining <= 0
        and row.publish_queued is None
        and row.published_at is None
    )


def mark_publish_queued(engine: Engine, batch: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(run_batches)
            .where(run_batches.c.id == batch, run_batches.c.publish_queued.is_(None))
            .values(publish_queued=datetime.now(UTC))
        )


def is_published(engine: Engine, batch: str) -> bool:
    with engine.connect() as conn:
        when = conn.execute(
            select(run_batches.c.published_at).where(run_batches.c.id == batch)
        ).scalar()
    return when is not None


def mark_published(engine: Engine, batch: str, error: str | None, ran: bool = True) -> None:
    """Close the batch; `ran` is False when there was nothing to publish."""
    values: dict[str, object] = {"published_at": datetime.now(UTC)}
    if error is not None:
        values["publish_error"] = error[:2000]
    elif ran:
        values["publish_count"] = run_batches.c.publish_count + 1
    with engine.begin() as conn:
        conn.execute(
            update(run_batches)
            .where(run_batches.c.id == batch, run_batches.c.published_at.is_(None))
            .values(**values)
        )


def progress(engine: Engine, batch: str | None = None) -> BatchProgress | None:
    """Counts for one batch, or for the newest one."""
    with engine.connect() as conn:
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


def outcomes(engine: Engine, batch: str) -> list[SourceOutcome]:
    query = select(run_tasks).where(run_tasks.c.batch == batch).order_by(run_tasks.c.source)
    with engine.connect() as conn:
        return [
            SourceOutcome(
                name=r.source,
                ok=r.state == DONE,
                error=r.error if r.state != DONE else None,
                not_modified=r.not_modified,
                items=r.items,
                inserted=r.inserted,
                updated=r.updated,
            )
            for r in conn.execute(query)
        ]


def heartbeat(engine: Engine, name: str, pid: int, started: datetime, tasks_done: int) -> None:
    now = datetime.now(UTC)
    statement = pg_insert(run_workers).values(
        name=name, pid=pid, started=started, last_heartbeat=now, tasks_done=tasks_done
    )
    statement = statement.on_conflict_do_update(
        index_elements=[run_workers.c.name],
        set_={"pid": pid, "started": started, "last_heartbeat": now, "tasks_done": tasks_done},
    )
    with engine.begin() as conn:
        conn.execute(statement)


def workers(engine: Engine) -> list[WorkerRow]:
    with engine.connect() as conn:
        rows = conn.execute(select(run_workers).order_by(run_workers.c.last_heartbeat.desc()))
        return [WorkerRow(r.name, r.pid, r.started, r.last_heartbeat, r.tasks_done) for r in rows]


def worker_name(pid: int) -> str:
    """Celery's node name for this process: unique per process and per machine."""
    return f"newsmill-{pid}@{socket.gethostname()}"


def changed_by(engine: Engine, batch: str) -> int:
    """Articles the batch inserted or updated."""
    with engine.connect() as conn:
        total = conn.execute(
            select(func.coalesce(func.sum(run_tasks.c.inserted + run_tasks.c.updated), 0)).where(
                run_tasks.c.batch == batch
            )
        ).scalar()
    return int(total or 0)


def ever_published(engine: Engine) -> bool:
    """Whether any batch has run the writers yet (the first one always does)."""
    with engine.connect() as conn:
        found = conn.execute(
            select(run_batches.c.id).where(run_batches.c.publish_count > 0).limit(1)
        ).first()
    return found is not None


def pending_sources(engine: Engine, batch: str) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(run_tasks.c.source).where(
                    run_tasks.c.batch == batch, run_tasks.c.state == PENDING
                )
            ).scalars()
        )
