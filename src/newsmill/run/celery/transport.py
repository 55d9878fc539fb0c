"""Kombu's Redis transport with one fix: a failed acknowledgement frees its slot.

With late acknowledgement, a task finishing while Redis is away (restarted,
failing over) cannot remove its message from Redis's unacked index. Kombu then
skips freeing the message's prefetch slot as well, so a worker whose tasks all
ended during the outage holds every slot forever and never consumes again
(seen here: one of two workers idle for minutes after `redis-cli shutdown`).
Freeing the slot anyway is safe: if Redis still has the message it comes back
after the visibility timeout, and newsmill's tasks are idempotent.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis as kombu_redis
from kombu.transport.virtual import base as virtual


class QoS(kombu_redis.QoS):
    def ack(self, delivery_tag: Any) -> None:
        try:
            self._remove_from_indices(delivery_tag).execute()
        finally:
            virtual.QoS.ack(self, delivery_tag)


class Channel(kombu_redis.Channel):
    QoS = QoS


class Transport(kombu_redis.Transport):
    Channel = Channel


TRANSPORT = f"{__name__}:Transport"
