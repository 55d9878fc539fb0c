"""The distributed engine: a Celery task per source, one publish task per batch,
PostgreSQL as the store.

Imported only when `[run] engine = "celery"`, so the local engine and the
demo need neither Celery nor a broker.
"""

from newsmill.run.celery.app import DEFAULT_QUEUE, make_app, run_worker
from newsmill.run.celery.client import (
    EngineError,
    EngineStatus,
    Enqueued,
    engine_status,
    enqueue,
    purge_queue,
    queue_depth,
    wait,
    watch,
)

__all__ = [
    "DEFAULT_QUEUE",
    "EngineError",
    "EngineStatus",
    "Enqueued",
    "engine_status",
    "enqueue",
    "make_app",
    "purge_queue",
    "queue_depth",
    "run_worker",
    "wait",
    "watch",
]
