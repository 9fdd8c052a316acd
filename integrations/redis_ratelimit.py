"""Rate-limit counters in Redis, shared by every worker and process."""
from redis.asyncio import Redis
from redis.exceptions import RedisError


class RedisStore:
    def __init__(self, url: str) -> None:
        self.redis = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    async def incr(self, key: str, window_seconds: int) -> int:
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, window_seconds + 1, nx=True)
                count, _ = await pipe.execute()
        except RedisError as e:
            raise ConnectionError(str(e)) from e  # the limiter's "store unavailable"
        return int(count)

    async def close(self) -> None:
        await self.redis.aclose()
