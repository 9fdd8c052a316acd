"""Rate-limit counters in Redis, shared by every worker and process."""
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError



class RedisStore:
    def __init__(self, url: str) -> None:
        self.redis = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    async def _run(self, commands: Callable[[Any], None]) -> list[Any]:
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                commands(pipe)
                return await pipe.execute()
        except RedisError as e:
            raise ConnectionError(str(e)) from e  # the limiter's "store unavailable"

    async def incr(self, key: str, window_seconds: int) -> int:
        count, _ = await self._run(lambda p: (p.incr(key), p.expire(key, window_seconds + 1, nx=True)))
        return int(count)

    async def decr(self, key: str, window_seconds: int) -> None:
        # The expiry again: a key that expired in between must not come back forever.
        await self._run(lambda p: (p.decr(key), p.expire(key, window_seconds + 1, nx=True)))

    async def get(self, key: str) -> int:
        value, = await self._run(lambda p: p.get(key))
        return int(value) if value is not None else 0

    async def put(self, key: str, value: int, seconds: int) -> None:
        await self._run(lambda p: p.set(key, value, ex=max(seconds, 1)))

    async def close(self) -> None:
        await self.redis.aclose()
