"""Per-host politeness shared by every worker, on every machine.

The Fetcher's own semaphores bound one process; with N workers a site would
see N times `per_host` requests at once. These limiters keep one count of
slots per host in a store all workers already share: Redis when it is the
broker, the PostgreSQL store otherwise (RabbitMQ keeps no shared state we can
use). A slot is a lease with an expiry, so a worker killed with -9 while it
holds one only delays that host until the lease runs out; it never leaks it.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine, text

# Acquire atomically: drop expired leases, take one if fewer than the limit are
# held. The time comes from the Redis server, so clocks of workers don't matter.
_REDIS_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
return 0
"""

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


class RedisHostLimiter:
    """At most `per_host` leases per host, kept in a Redis sorted set per host."""

    def __init__(self, url: str, per_host: int, lease: float, prefix: str = "newsmill:host:"):
        import redis.asyncio as aioredis

        self._redis: Any = aioredis.Redis.from_url(url)
        self._acquire: Any = self._redis.register_script(_REDIS_ACQUIRE)
        self.per_host = per_host
        self.lease_ms = int(lease * 1000)
        self.prefix = prefix

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        key = self.prefix + host
        token = uuid.uuid4().hex
        while not await self._acquire(keys=[key], args=[self.per_host, self.lease_ms, token]):
            await asyncio.sleep(random.uniform(0.005, 0.025))
        try:
            yield
        finally:
            await self._redis.zrem(key, token)

    async def aclose(self) -> None:
        await self._redis.aclose()


class SqlHostLimiter:
    """At most `per_host` leases per host, kept as rows of `host_leases` (PostgreSQL)."""

    def __init__(self, engine: Engine, per_host: int, lease: float) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("the shared host limiter needs PostgreSQL")
        self.engine = engine
        self.per_host = per_host
        self.lease = lease

    def _try(self, host: str, holder: str) -> int | None:
        with self.engine.begin() as conn:
            slot = conn.execute(
                _SQL_ACQUIRE,
                {"host": host, "holder": holder, "lease": self.lease, "limit": self.per_host},
            ).scalar()
        return None if slot is None else int(slot)

    def _release(self, host: str, slot: int, holder: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(_SQL_RELEASE, {"host": host, "slot": slot, "holder": holder})

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        holder = uuid.uuid4().hex
        while (slot := await asyncio.to_thread(self._try, host, holder)) is None:
            await asyncio.sleep(random.uniform(0.02, 0.05))
        try:
            yield
        finally:
            await asyncio.to_thread(self._release, host, slot, holder)

    async def aclose(self) -> None:
        return None


def make_limiter(
    broker: str, engine: Engine, per_host: int, lease: float
) -> RedisHostLimiter | SqlHostLimiter:
    """Redis when the broker is Redis (cheapest round trip); the database otherwise."""
    if broker.startswith(("redis://", "rediss://")):
        return RedisHostLimiter(broker, per_host, lease)
    return SqlHostLimiter(engine, per_host, lease)
