"""The rate limiter of a server: in memory, or in Redis when REDIS_URL is set."""
from domain.ratelimit import RateLimiter


def make_limiter(redis_url: str | None, prefix: str = "portalql:rl") -> RateLimiter:
    if redis_url:
        from integrations.redis_ratelimit import RedisStore  # noqa: PLC0415 - Redis only when configured

        return RateLimiter(RedisStore(redis_url), prefix=prefix)
    return RateLimiter(prefix=prefix)
