"""Rate limits for sign-in and everything an attacker could repeat: counters per key in fixed
windows, several windows per action (a burst limit and a longer back-off limit).

Guesses (a password, a code) are limited so that guessing stops without letting a stranger lock
the owner out (OWASP's advice against account lockout):
- per client IP and per email-and-IP pair: strict counters, as for every action;
- per email, whatever the IP: growing delays. After FREE_FAILURES wrong guesses for an email (in
  a day, UTC), each further one makes the next guess for it wait twice as long as the
  last (2 s, 4 s, 8 s, ... at most MAX_DELAY_SECONDS): THROTTLED with a retryAfter that grows.
  The delay does not apply from an IP where a guess for this email was right before (within
  KNOWN_IP_SECONDS): the owner at their usual desk signs in while a stranger guesses elsewhere;
- a right guess (or code, or token: any attempt that reports how it went) counts toward no limit:
  its counts are given back.

The store is behind a small Protocol: in memory by default (one process), Redis when REDIS_URL
is set so every worker shares the counters (integrations/redis_ratelimit.py)."""
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


# Per action: limits per subject (the email or user; for guesses, the email and IP together) and
# per client IP. Five a minute, then the hourly limit is the back-off: a script guessing codes from
# one address gets 20 tries an hour at most.
LIMITS: dict[str, tuple[tuple[Limit, ...], tuple[Limit, ...]]] = {
    "sign_in": ((Limit(5, 60), Limit(20, 3600)), (Limit(30, 60), Limit(300, 3600))),
    "sign_in_code": ((Limit(5, 60), Limit(20, 3600)), (Limit(30, 60), Limit(300, 3600))),
    "verify": ((Limit(5, 60), Limit(20, 3600)), (Limit(30, 60), Limit(300, 3600))),
    "email_request": ((Limit(3, 60), Limit(10, 3600)), (Limit(20, 60), Limit(100, 3600))),
    "oauth_token": ((Limit(30, 60), Limit(600, 3600)), (Limit(60, 60), Limit(1200, 3600))),
    # PDF documents: rendering is CPU work (kept PDFs are cheap, but each locale is rendered once).
    "documents": ((Limit(60, 60), Limit(600, 3600)), (Limit(120, 60), Limit(1200, 3600))),
    # Saving cards (per account): card testing tries stolen numbers one after the other, so every
    # attempt counts, saved or declined. A clerk saves a few cards a year.
    "payment_method_add": ((Limit(5, 60), Limit(10, 3600)), (Limit(10, 60), Limit(30, 3600))),
    # CSV exports read every row they match: a few a minute per caller is plenty for a person or a sync.
    "export": ((Limit(10, 60), Limit(120, 3600)), (Limit(30, 60), Limit(300, 3600))),
    # One-click unsubscribe links (no sign-in): per link and per IP, against scripts trying links.
    "unsubscribe": ((Limit(5, 60), Limit(20, 3600)), (Limit(30, 60), Limit(300, 3600))),
    # Support tickets, customer answers and deflections (per user): each may carry files and email staff.
    "support": ((Limit(10, 60), Limit(60, 3600)), (Limit(30, 60), Limit(300, 3600))),
    # Knowledge base searches, anonymous ones too (per user when signed in, and per IP).
    "kb_search": ((Limit(60, 60), Limit(1000, 3600)), (Limit(120, 60), Limit(2000, 3600))),
    # License checks from software (per key, by its hash): a program validates at start and now and
    # then; a script trying keys is stopped by the per-IP limit.
    "license": ((Limit(30, 60), Limit(300, 3600)), (Limit(60, 60), Limit(600, 3600))),
    # Signed downloads of digital purchases (per user the link was made for).
    "digital_download": ((Limit(20, 60), Limit(200, 3600)), (Limit(60, 60), Limit(600, 3600))),
    # Webhook registrations, secret rotations and replays (per caller): each replay queues up to
    # 1000 deliveries, so a script repeating it is cut short.
    "webhooks": ((Limit(10, 60), Limit(100, 3600)), (Limit(30, 60), Limit(300, 3600))),
}
# Guesses at an email's password or emailed code: per email, delays instead of a limit (above).
GUESSES = frozenset({"sign_in", "sign_in_code"})
FREE_FAILURES = 5
FAILURES_SECONDS = 24 * 3600
MAX_DELAY_SECONDS = 15 * 60
KNOWN_IP_SECONDS = 90 * 24 * 3600


def delay_after(failures: int) -> int:
    """Seconds the next guess for an email waits after its `failures`-th wrong one (0: none)."""
    if failures <= FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS)


log = logging.getLogger("portalql.ratelimit")
_DOWN = (OSError, ConnectionError, TimeoutError)


class CounterStore(Protocol):
    async def incr(self, key: str, window_seconds: int) -> int:
        """Add one to `key` (which names its window) and return the new count."""

    async def decr(self, key: str, window_seconds: int) -> None:
        """Take one back from `key`."""

    async def get(self, key: str) -> int:
        """The value of `key`; 0 when it is not there."""

    async def put(self, key: str, value: int, seconds: int) -> None:
        """Set `key` to `value` for `seconds`."""


class MemoryStore:
    """Counters of this process. Old windows are dropped as new ones start."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def _bounded(self) -> None:
        if len(self.counts) > 100_000:
            self.counts.clear()  # bounded memory: a flood cannot grow it forever

    async def incr(self, key: str, window_seconds: int) -> int:
        self._bounded()
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key]

    async def decr(self, key: str, window_seconds: int) -> None:
        if key in self.counts:
            self.counts[key] -= 1

    async def get(self, key: str) -> int:
        return self.counts.get(key, 0)

    async def put(self, key: str, value: int, seconds: int) -> None:
        # Delays and known IPs are read against the clock by the limiter: kept until the next clear.
        self._bounded()
        self.counts[key] = value


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


@dataclass
class Attempt:
    """One counted attempt, which may report how it went with `settle`."""
    limiter: "RateLimiter | None" = None
    action: str = ""
    now: datetime | None = None
    subject: str | None = None
    ip: str | None = None
    counted: list[tuple[str, int]] = field(default_factory=list)  # (key, window) of each count

    async def settle(self, right: bool) -> None:
        """A right attempt is given back (and a right guess makes its IP known for the email); a
        wrong guess counts toward the email's delays."""
        if self.limiter is not None:
            await self.limiter.settle(self, right)


class RateLimiter:
    def __init__(self, store: CounterStore | None = None, prefix: str = "rl") -> None:
        self.store = store or MemoryStore()
        self.prefix = prefix

    async def hit(self, action: str, now: datetime, *, subject: str | None = None, ip: str | None = None) -> Attempt:
        """Count one attempt; raise Throttled (with seconds to wait) when over any limit."""
        per_subject, per_ip = LIMITS[action]
        subject = subject.lower() if subject else None
        attempt = Attempt(self, action, now, subject, ip)
        # A guess's subject limit is per email and IP: a stranger elsewhere cannot use it up.
        pair = f"{subject}|{ip or ''}" if action in GUESSES and subject else subject
        wait = 0
        ts = now.timestamp()
        try:
            for kind, value, limits in (("s", pair, per_subject), ("ip", ip, per_ip)):
                if not value:
                    continue
                for limit in limits:
                    window = math.floor(ts / limit.seconds)
                    key = f"{self.prefix}:{action}:{kind}:{value}:{limit.seconds}:{window}"
                    count = await self.store.incr(key, limit.seconds)
                    attempt.counted.append((key, limit.seconds))
                    if count > limit.count:
                        wait = max(wait, math.ceil((window + 1) * limit.seconds - ts))
            if not wait and action in GUESSES and subject and not await self._known(subject, ip):
                wait = max(0, math.ceil(await self.store.get(self._key("until", subject)) - ts))
        except _DOWN as e:
            # The shared store is down: let the request through rather than lock everyone out.
            log.warning("rate limit store unavailable (%s): not limiting", type(e).__name__)
            return Attempt()
        if wait:
            raise Throttled(max(wait, 1))
        return attempt

    async def settle(self, attempt: Attempt, right: bool) -> None:
        subject, ip = attempt.subject, attempt.ip
        guess = attempt.action in GUESSES and subject
        try:
            if right:
                for key, window in attempt.counted:
                    await self.store.decr(key, window)
                if guess and ip:
                    await self.store.put(self._key("known", subject, ip), 1, KNOWN_IP_SECONDS)  # type: ignore[arg-type]
            elif guess:
                window = str(math.floor(attempt.now.timestamp() / FAILURES_SECONDS))  # type: ignore[union-attr]
                failures = await self.store.incr(self._key("failures", subject, window), FAILURES_SECONDS)
                delay = delay_after(failures)
                if delay:
                    until = math.ceil(attempt.now.timestamp()) + delay  # type: ignore[union-attr]
                    await self.store.put(self._key("until", subject), until, delay)
        except _DOWN as e:
            log.warning("rate limit store unavailable (%s): attempt not recorded", type(e).__name__)

    async def _known(self, subject: str, ip: str | None) -> bool:
        return bool(ip) and await self.store.get(self._key("known", subject, ip)) > 0

    def _key(self, kind: str, *parts: str) -> str:
        return ":".join((self.prefix, "guess", kind, *parts))
