"""Rate limits for sign-in and everything an attacker could repeat: counters per key in fixed
windows, several windows per action (a burst limit and a longer back-off limit).

The store is behind a small Protocol: in memory by default (one process), Redis when REDIS_URL
is set so every worker shares the counters (integrations/redis_ratelimit.py)."""
import logging
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


# Per action: limits per subject (the email or user) and per client IP. Five a minute, then
# the hourly limit is the back-off: a script guessing codes gets 20 tries an hour at most.
LIMITS: dict[str, tuple[tuple[Limit, ...], tuple[Limit, ...]]] = {
    "sign_in": ((Limit(5, 60), Limit(20, 3600)), (Limit(30, 60), Limit(300, 3600))),
    "verify": ((Limit(5, 60), Limit(20, 3600)), (Limit(30, 60), Limit(300, 3600))),
    "email_request": ((Limit(3, 60), Limit(10, 3600)), (Limit(20, 60), Limit(100, 3600))),
    "oauth_token": ((Limit(30, 60), Limit(600, 3600)), (Limit(60, 60), Limit(1200, 3600))),
}


log = logging.getLogger("portalql.ratelimit")


class CounterStore(Protocol):
    async def incr(self, key: str, window_seconds: int) -> int:
        """Add one to `key` (which names its window) and return the new count."""


class MemoryStore:
    """Counters of this process. Old windows are dropped as new ones start."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    async def incr(self, key: str, window_seconds: int) -> int:
        if len(self.counts) > 100_000:
            self.counts.clear()  # bounded memory: a flood cannot grow it forever
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key]


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class RateLimiter:
    def __init__(self, store: CounterStore | None = None, prefix: str = "rl") -> None:
        self.store = store or MemoryStore()
        self.prefix = prefix

    async def hit(self, action: str, now: datetime, *, subject: str | None = None, ip: str | None = None) -> None:
        """Count one attempt; raise Throttled (with seconds to wait) when over any limit."""
        per_subject, per_ip = LIMITS[action]
        wait = 0
        for kind, value, limits in (("s", subject, per_subject), ("ip", ip, per_ip)):
            if not value:
                continue
            for limit in limits:
                ts = now.timestamp()
                window = math.floor(ts / limit.seconds)
                key = f"{self.prefix}:{action}:{kind}:{value.lower()}:{limit.seconds}:{window}"
                try:
                    count = await self.store.incr(key, limit.seconds)
                except (OSError, ConnectionError, TimeoutError) as e:
                    # The shared store is down: let the request through rather than lock everyone out.
                    log.warning("rate limit store unavailable (%s): not limiting", type(e).__name__)
                    return
                if count > limit.count:
                    wait = max(wait, math.ceil((window + 1) * limit.seconds - ts))
        if wait:
            raise Throttled(max(wait, 1))
