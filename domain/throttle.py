"""The query-cost throttle's buckets (Shopify's model): what a bucket answers, and the stores of
buckets the server can use (in memory, or Redis in integrations/redis_buckets.py)."""
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ThrottleStatus:
    allowed: bool
    maximum_available: float
    currently_available: float
    restore_rate: float
    wait_seconds: float = 0.0

    def as_json(self) -> dict[str, float]:
        return {"maximumAvailable": self.maximum_available,
                "currentlyAvailable": round(self.currently_available, 1),
                "restoreRate": self.restore_rate}


class Meter(Protocol):
    """One caller's leaky bucket."""

    def take(self, cost: int) -> Awaitable[ThrottleStatus]: ...
    def refund(self, points: int) -> Awaitable[ThrottleStatus]: ...
    def peek(self) -> Awaitable[ThrottleStatus]: ...


class Buckets(Protocol):
    """Every caller's bucket, by key: `size` points each, refilled at `restore_rate` a second."""
    size: int
    restore_rate: float

    async def take(self, key: str, cost: int) -> ThrottleStatus: ...
    async def refund(self, key: str, points: int) -> ThrottleStatus: ...
    async def peek(self, key: str) -> ThrottleStatus: ...
    async def close(self) -> None: ...
