"""What the distributed engine's ledger means to a run.

The ledger itself (batches, tasks, workers) lives in the shared PostgreSQL
store (`newsmill.store`: `BatchLedger`, `WorkerRegistry`); this module turns a
run's `SourceOutcome` into a ledger row and back, and says which sources are
still in flight.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

from newsmill.run.report import SourceOutcome
from newsmill.store import BatchLedger, TaskResult

# A source left pending by a batch younger than this is not enqueued again, so
# a cron `run --no-wait` every few minutes never piles copies onto a slow queue.
IN_FLIGHT_FOR = timedelta(hours=1)


def in_flight_sources(ledger: BatchLedger) -> set[str]:
    """Sources still pending in a recent batch: enqueuing them again would only duplicate."""
    return ledger.in_flight_sources(since=datetime.now(UTC) - IN_FLIGHT_FOR)


# What a source's outcome and its ledger row share, besides the source's name.
_RECORDED = ("ok", "error", "not_modified", "items", "inserted", "updated")


def finish(ledger: BatchLedger, batch: str, outcome: SourceOutcome) -> int | None:
    """Mark the source's task done or failed; the batch's sources left to finish,
    or None if another copy of the task got there first."""
    fields = {name: getattr(outcome, name) for name in _RECORDED}
    return ledger.finish(batch, TaskResult(source=outcome.name, **fields))


def outcomes(ledger: BatchLedger, batch: str) -> list[SourceOutcome]:
    """The batch's sources as the run reports them, by name."""
    return [
        SourceOutcome(name=r.source, **{name: getattr(r, name) for name in _RECORDED})
        for r in ledger.results(batch)
    ]


def worker_name(pid: int) -> str:
    """Celery's node name for this process: unique per process and per machine."""
    return f"newsmill-{pid}@{socket.gethostname()}"
