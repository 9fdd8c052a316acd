"""Rate-limit counters in Redis, shared by every worker and process."""
from redis.asyncio import Redis


class RedisStore:
    def __init__(self, url: str) -> None:
        self.redis = Redis.from_url(url)

    async def incr(self, key: str, window_seconds: int) -> int:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, window_seconds + 1, nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def close(self) -> None:
        await self.redis.aclose()
