"""The distributed engine's ledger and worker heartbeats, on the PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from newsmill.store import Store
from newsmill.store.ledger import PENDING, TaskResult
from newsmill.store.run_tables import RunTables

pytestmark = pytest.mark.postgres


@pytest.fixture
def tables(pg_url: str) -> Iterator[RunTables]:
    Store(pg_url).close()  # migrated
    opened = RunTables(pg_url, pool_size=1)
    yield opened
    opened.close()


def test_each_task_finishes_once_and_the_last_one_hands_the_batch_to_publish(
    tables: RunTables,
) -> None:
    ledger = tables.ledger
    ledger.create_batch("b1", ["a", "b"])
    assert ledger.peek("b1", "a") is not None and ledger.peek("b1", "a").state == PENDING
    assert ledger.peek("b1", "nobody") is None and ledger.peek("b2", "a") is None
    ledger.start("b1", "a")
    ledger.start("b1", "a")  # a redelivery after its worker died
    assert ledger.peek("b1", "a").deliveries == 2  # type: ignore[union-attr]

    assert ledger.finish("b1", TaskResult("a", ok=True, items=3, inserted=2)) == 1
    assert ledger.finish("b1", TaskResult("a", ok=True, items=3, inserted=2)) is None  # a copy
    assert not ledger.needs_publish("b1")
    assert ledger.finish("b1", TaskResult("b", ok=False, error="x" * 3000)) == 0
    assert ledger.needs_publish("b1")
    ledger.mark_publish_queued("b1")
    assert not ledger.needs_publish("b1")  # queued once, by whoever got there first

    results = ledger.results("b1")
    assert [(r.source, r.ok, r.items, r.inserted) for r in results] == [
        ("a", True, 3, 2),
        ("b", False, 0, 0),
    ]
    assert results[1].error == "x" * 2000  # cut, as every stored error
    assert ledger.changed_by("b1") == 2
    assert ledger.pending_sources("b1") == []


def test_a_batch_is_published_once_and_counts_only_runs_of_the_writers(
    tables: RunTables,
) -> None:
    ledger = tables.ledger
    ledger.create_batch("empty", [])
    assert not ledger.ever_published()
    ledger.mark_published("empty", None, ran=False)  # nothing to publish
    assert ledger.is_published("empty") and not ledger.ever_published()

    ledger.create_batch("full", ["a"])
    assert not ledger.is_published("full")
    ledger.mark_published("full", None)
    first = ledger.progress("full")
    ledger.mark_published("full", "too late")  # a second publisher changes nothing
    again = ledger.progress("full")
    assert first is not None and again is not None
    assert again.publish_count == 1 and again.publish_error is None
    assert again.published_at == first.published_at
    assert ledger.ever_published()


def test_progress_counts_states_of_one_batch_or_the_newest(tables: RunTables) -> None:
    ledger = tables.ledger
    assert ledger.progress() is None and ledger.progress("none") is None
    ledger.create_batch("old", ["a"])
    ledger.create_batch("new", ["a", "b", "c"])
    ledger.finish("new", TaskResult("a", ok=True))
    ledger.finish("new", TaskResult("b", ok=False, error="down"))
    newest = ledger.progress()
    assert newest is not None and newest.id == "new"
    assert (newest.total, newest.pending, newest.done, newest.failed) == (3, 1, 1, 1)
    assert not newest.complete and not newest.finished
    assert ledger.pending_sources("new") == ["c"]
    old = ledger.progress("old")
    assert old is not None and (old.total, old.pending) == (1, 1)
    assert {r.source: r.ok for r in ledger.results("new")} == {"a": True, "b": False, "c": False}


def test_in_flight_are_the_pending_sources_of_batches_since(tables: RunTables) -> None:
    ledger = tables.ledger
    before = datetime.now(UTC)
    ledger.create_batch("b", ["a", "b"])
    ledger.finish("b", TaskResult("a", ok=True))
    assert ledger.in_flight_sources(since=before - timedelta(seconds=1)) == {"b"}
    assert ledger.in_flight_sources(since=datetime.now(UTC) + timedelta(seconds=1)) == set()


def test_the_store_reads_the_same_ledger_as_the_workers(pg_url: str, tables: RunTables) -> None:
    store = Store(pg_url)
    try:
        store.run_ledger.create_batch("b", ["a"])
        progress = tables.ledger.progress("b")
        assert progress is not None and progress.pending == 1
    finally:
        store.close()


def test_a_heartbeat_keeps_one_row_per_worker_newest_first(tables: RunTables) -> None:
    started = datetime.now(UTC) - timedelta(minutes=5)
    tables.workers.heartbeat("w1", 11, started, 0)
    tables.workers.heartbeat("w2", 12, started, 0)
    tables.workers.heartbeat("w1", 11, started, 7)
    rows = tables.workers.workers()
    assert [(w.name, w.pid, w.tasks_done) for w in rows] == [("w1", 11, 7), ("w2", 12, 0)]
    assert rows[0].started == started and rows[0].last_heartbeat >= rows[1].last_heartbeat
