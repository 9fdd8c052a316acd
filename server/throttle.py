"""Leaky buckets of query cost, one per caller (Shopify's model): a bucket holds up to `size`
points and refills at `restore_rate` points a second; a query takes its requested cost up front
and gets back what it did not use. In memory per process, or in Redis (REDIS_URL) so that every
worker and every API process shares them."""
import time
from collections.abc import Callable
from typing import Any

from db.recent import Recent
from permissions.caller import Caller
from domain.throttle import Buckets, Meter, ThrottleStatus


def bucket_key(caller: Caller, client_ip: str | None) -> str:
    """Whose bucket a request drains: the session, the integration client, else the IP."""
    client_id = getattr(caller, "client_id", None)
    if client_id is not None:
        return f"client:{client_id}"
    if caller.session_id is not None:
        return f"session:{caller.session_id}"
    if caller.user_id is not None:
        return f"user:{caller.user_id}"
    return f"ip:{client_ip or 'unknown'}"


class MemoryBuckets:
    """Buckets of this process. At most `max_keys` callers are remembered (least recent dropped:
    a dropped bucket comes back full, which is what a caller idle that long would have anyway)."""

    def __init__(self, size: int, restore_rate: float, *, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000) -> None:
        self.size = size
        self.restore_rate = restore_rate
        self.clock = clock
        self._levels: Recent[str, tuple[float, float]] = Recent(max_keys)  # key -> (available, at)

    def _available(self, key: str) -> float:
        now = self.clock()
        available, at = self._levels.get(key, (float(self.size), now))
        return min(float(self.size), available + (now - at) * self.restore_rate)

    def _store(self, key: str, available: float) -> None:
        self._levels.keep(key, (available, self.clock()))

    def _status(self, allowed: bool, available: float, wait: float = 0.0) -> ThrottleStatus:
        return ThrottleStatus(allowed, self.size, available, self.restore_rate, wait)

    async def take(self, key: str, cost: int) -> ThrottleStatus:
        available = self._available(key)
        if cost > available:
            self._store(key, available)
            return self._status(False, available, (cost - available) / self.restore_rate)
        self._store(key, available - cost)
        return self._status(True, available - cost)

    async def refund(self, key: str, points: int) -> ThrottleStatus:
        available = min(float(self.size), self._available(key) + points)
        self._store(key, available)
        return self._status(True, available)

    async def peek(self, key: str) -> ThrottleStatus:
        return self._status(True, self._available(key))

    async def close(self) -> None:
        pass


class CallerMeter:
    """A caller's bucket, as schema.cost.QueryCost uses it."""

    def __init__(self, buckets: Buckets, key: str) -> None:
        self.buckets = buckets
        self.key = key

    async def take(self, cost: int) -> ThrottleStatus:
        return await self.buckets.take(self.key, cost)

    async def refund(self, points: int) -> ThrottleStatus:
        return await self.buckets.refund(self.key, points)

    async def peek(self) -> ThrottleStatus:
        return await self.buckets.peek(self.key)


def make_buckets(size: int, restore_rate: float, redis_url: str | None) -> Buckets:
    if redis_url:
        from integrations.redis_buckets import RedisBuckets  # noqa: PLC0415 - only with REDIS_URL
        return RedisBuckets(redis_url, size, restore_rate)
    return MemoryBuckets(size, restore_rate)


def meter_for(buckets: Buckets) -> Callable[[Any], Meter | None]:
    """The hook schema.cost.QueryCost calls with each request's context."""
    def lookup(context: Any) -> Meter | None:
        caller = getattr(context, "caller", None)
        if caller is None:
            return None
        return CallerMeter(buckets, bucket_key(caller, getattr(context, "client_ip", None)))
    return lookup
