"""Per-host slots with an expiry, as rows of `host_leases` (PostgreSQL).

A slot is a lease, so a worker killed with -9 while it holds one only delays
that host until the lease runs out; it never leaks it. The waiting and the
choice between this and Redis are `newsmill.run.limiter`'s.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

# One statement takes the lowest free (or expired) slot of a host. Two workers
# racing for the same slot meet on the primary key: the loser's conditional
# update finds the lease fresh and returns no row, and it tries again.
_SQL_ACQUIRE = text(
    """
    INSERT INTO host_leases (host, slot, holder, expires)
    SELECT CAST(:host AS VARCHAR), s, CAST(:holder AS VARCHAR),
           now() + make_interval(secs => CAST(:lease AS DOUBLE PRECISION))
    FROM generate_series(0, CAST(:limit AS INTEGER) - 1) AS s
    WHERE NOT EXISTS (
        SELECT 1 FROM host_leases l
        WHERE l.host = CAST(:host AS VARCHAR) AND l.slot = s AND l.expires >= now()
    )
    ORDER BY s
    LIMIT 1
    ON CONFLICT (host, slot) DO UPDATE
        SET holder = EXCLUDED.holder, expires = EXCLUDED.expires
        WHERE host_leases.expires < now()
    RETURNING slot
    """
)
_SQL_RELEASE = text(
    "DELETE FROM host_leases WHERE host = :host AND slot = :slot AND holder = :holder"
)


class HostLeases:
    """Leases on the slots of each host, timed by the database server's clock."""

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("the shared host limiter needs PostgreSQL")
        self._engine = engine

    def try_acquire(self, host: str, holder: str, lease: float, limit: int) -> int | None:
        """The slot `holder` now holds for `lease` seconds, or None if all `limit` are held."""
        with self._engine.begin() as conn:
            slot = conn.execute(
                _SQL_ACQUIRE, {"host": host, "holder": holder, "lease": lease, "limit": limit}
            ).scalar()
        return None if slot is None else int(slot)

    def release(self, host: str, slot: int, holder: str) -> None:
        """Give the slot back, unless its lease ran out and another holder took it."""
        with self._engine.begin() as conn:
            conn.execute(_SQL_RELEASE, {"host": host, "slot": slot, "holder": holder})
