"""Host leases: at most `limit` holders per host, each until its lease runs out."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsmill.store import Store
from newsmill.store.leases import HostLeases
from newsmill.store.run_tables import RunTables


@pytest.fixture
def leases(pg_url: str) -> Iterator[HostLeases]:
    Store(pg_url).close()  # migrated
    tables = RunTables(pg_url, pool_size=1)
    yield tables.host_leases()
    tables.close()


@pytest.mark.postgres
def test_a_host_has_at_most_limit_holders_and_a_released_slot_is_free(
    leases: HostLeases,
) -> None:
    assert leases.try_acquire("a.example", "h1", 60, limit=2) == 0
    assert leases.try_acquire("a.example", "h2", 60, limit=2) == 1
    assert leases.try_acquire("a.example", "h3", 60, limit=2) is None
    assert leases.try_acquire("b.example", "h3", 60, limit=2) == 0  # hosts count apart
    leases.release("a.example", 0, "someone else")  # not the holder: changes nothing
    assert leases.try_acquire("a.example", "h3", 60, limit=2) is None
    leases.release("a.example", 0, "h1")
    assert leases.try_acquire("a.example", "h3", 60, limit=2) == 0


@pytest.mark.postgres
def test_an_expired_lease_is_taken_over_and_its_late_release_frees_nothing(
    leases: HostLeases,
) -> None:
    """A holder killed with -9 only delays its host until the lease runs out."""
    assert leases.try_acquire("a.example", "dead", 0.2, limit=1) == 0
    assert leases.try_acquire("a.example", "next", 60, limit=1) is None
    time.sleep(0.4)
    assert leases.try_acquire("a.example", "next", 60, limit=1) == 0
    leases.release("a.example", 0, "dead")  # the old holder wakes up: not its slot now
    assert leases.try_acquire("a.example", "third", 60, limit=1) is None


def test_host_leases_need_postgresql(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    Store(url).close()
    tables = RunTables(url)
    try:
        with pytest.raises(ValueError, match="needs PostgreSQL"):
            tables.host_leases()
    finally:
        tables.close()
