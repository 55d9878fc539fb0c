"""The distributed engine's workers, as their heartbeats report them.

`newsmill status` reads who is alive from here rather than asking the broker
(remote control is off), so it works with either broker, and even while the
broker is away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from newsmill.store.schema import run_workers


@dataclass
class WorkerRow:
    name: str
    pid: int
    started: datetime
    last_heartbeat: datetime
    tasks_done: int


class WorkerRegistry:
    """The rows of `run_workers` (PostgreSQL: a heartbeat is an upsert)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def heartbeat(self, name: str, pid: int, started: datetime, tasks_done: int) -> None:
        now = datetime.now(UTC)
        statement = pg_insert(run_workers).values(
            name=name, pid=pid, started=started, last_heartbeat=now, tasks_done=tasks_done
        )
        statement = statement.on_conflict_do_update(
            index_elements=[run_workers.c.name],
            set_={"pid": pid, "started": started, "last_heartbeat": now, "tasks_done": tasks_done},
        )
        with self._engine.begin() as conn:
            conn.execute(statement)

    def workers(self) -> list[WorkerRow]:
        """Every worker that ever beat, the most recently heard first."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(run_workers).order_by(run_workers.c.last_heartbeat.desc()))
            return [
                WorkerRow(r.name, r.pid, r.started, r.last_heartbeat, r.tasks_done) for r in rows
            ]
