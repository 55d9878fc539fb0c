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

from newsmill.store import HostLeases, RunTables

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

    def __init__(self, leases: HostLeases, per_host: int, lease: float) -> None:
        self.leases = leases
        self.per_host = per_host
        self.lease = lease

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        holder = uuid.uuid4().hex
        wanted = (host, holder, self.lease, self.per_host)
        while (slot := await asyncio.to_thread(self.leases.try_acquire, *wanted)) is None:
            await asyncio.sleep(random.uniform(0.02, 0.05))
        try:
            yield
        finally:
            await asyncio.to_thread(self.leases.release, host, slot, holder)

    async def aclose(self) -> None:
        return None


def make_limiter(
    broker: str, tables: RunTables, per_host: int, lease: float
) -> RedisHostLimiter | SqlHostLimiter:
    """Redis when the broker is Redis (cheapest round trip); the database otherwise."""
    if broker.startswith(("redis://", "rediss://")):
        return RedisHostLimiter(broker, per_host, lease)
    return SqlHostLimiter(tables.host_leases(), per_host, lease)
