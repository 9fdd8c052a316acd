"""Leaky buckets in Redis, shared by all workers. One Lua script per call makes the read, the
refill and the take one atomic step; Redis' own clock is used so that workers on hosts whose
clocks differ agree."""
import logging
import time
from typing import Any

from redis.exceptions import RedisError

from domain.throttle import ThrottleStatus

log = logging.getLogger("portalql.throttle")

# KEYS[1] bucket; ARGV: size, restore rate (points/s), cost (negative: refund; 0: peek).
# Returns {allowed (0/1), available (string), wait seconds (string)}.
_SCRIPT = """
local size = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'available', 'at')
local available = tonumber(state[1])
local at = tonumber(state[2])
if available == nil then available = size; at = now end
available = math.min(size, available + math.max(0, now - at) * rate)
local allowed = 1
local wait = 0
if cost > 0 and cost > available then
  allowed = 0
  wait = (cost - available) / rate
elseif cost ~= 0 then
  available = math.min(size, available - cost)
end
redis.call('HSET', KEYS[1], 'available', tostring(available), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(size / rate) + 60)
return {allowed, tostring(available), tostring(wait)}
"""


class RedisBuckets:
    """domain.throttle.Buckets in Redis."""

    def __init__(self, url: str, size: int, restore_rate: float, *, prefix: str = "portalql:bucket:") -> None:
        import redis.asyncio as redis  # noqa: PLC0415

        self.size = size
        self.restore_rate = restore_rate
        self.prefix = prefix
        self.client: Any = redis.from_url(url)
        self.script = self.client.register_script(_SCRIPT)
        self._warned = 0.0

    async def _call(self, key: str, cost: float) -> ThrottleStatus:
        try:
            allowed, available, wait = await self.script(keys=[self.prefix + key],
                                                          args=[self.size, self.restore_rate, cost])
        except (RedisError, OSError) as e:
            # Fail open: an unreachable Redis must not take the API down with it.
            now = time.monotonic()
            if now - self._warned > 30:
                self._warned = now
                log.warning("redis unavailable, not throttling: %s", type(e).__name__)
            return ThrottleStatus(True, self.size, float(self.size), self.restore_rate)
        return ThrottleStatus(bool(int(allowed)), self.size, float(available), self.restore_rate, float(wait))

    async def take(self, key: str, cost: int) -> ThrottleStatus:
        return await self._call(key, cost)

    async def refund(self, key: str, points: int) -> ThrottleStatus:
        return await self._call(key, -points)

    async def peek(self, key: str) -> ThrottleStatus:
        return await self._call(key, 0)

    async def close(self) -> None:
        await self.client.aclose()
