"""Idempotent writes: the same key returns the first result; the same key with another body is refused.

Usable by any write that moves money or creates orders:

    order, replayed = await idempotency.once(session, principal, "orderPlace", key, body, now,
                                             place=..., replay=find_order)

The claim is an INSERT ... ON CONFLICT DO NOTHING under a unique index, so concurrent requests with
one key serialise on it (PostgreSQL waits for the first transaction, then sees its row). Work that fails rolls the claim
back with it: a failed request can be retried with the same key. Keys are kept KEEP_HOURS (Stripe
keeps them 24 hours), then the worker prunes them: a retry a day later is a new request."""
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from db.models import IdempotencyKey
from db.repositories.idempotency import delete_keys_before, find_key, insert_key
from domain.errors import reject

KEY_MAX = 255
KEEP_HOURS = 24


class IdempotencyErrorCode(StrEnum):
    INVALID_IDEMPOTENCY_KEY = "INVALID_IDEMPOTENCY_KEY"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    IDEMPOTENCY_KEY_IN_USE = "IDEMPOTENCY_KEY_IN_USE"


def principal(user_id: int | None, session_id: int | None) -> str:
    """Whose idempotency keys: a user's, or an integration client's (by its session)."""
    return f"user:{user_id}" if user_id is not None else f"session:{session_id}"


class KeyReused(Exception):
    """The key was used before with a different request body."""


class KeyInFlight(Exception):
    """Another request with the key has not finished (SQLite cannot wait for it): retry shortly."""


@dataclass
class Claim:
    row: IdempotencyKey
    replay: bool

    @property
    def result_id(self) -> int | None:
        return self.row.result_id


def body_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str, separators=(",", ":")).encode()).hexdigest()


async def claim(session: Any, principal: str, operation: str, key: str, body: Any, now: datetime) -> Claim:
    digest = body_hash(body)
    # The INSERT comes first: on SQLite a read before it would pin a snapshot that a concurrent
    # writer can make stale; on PostgreSQL it is what waits for a concurrent holder of the key.
    row = await insert_key(session, principal, operation, key, digest, now)
    if row is not None:
        return Claim(row, replay=False)
    existing = await find_key(session, principal, operation, key)
    if existing is None:
        raise KeyInFlight(key)
    if existing.request_hash != digest:
        raise KeyReused(key)
    if existing.result_id is None:
        raise KeyInFlight(key)
    return Claim(existing, replay=True)


def complete(c: Claim, result_type: str, result_id: int) -> None:
    c.row.result_type = result_type
    c.row.result_id = result_id


async def once(session: Any, owner: str, operation: str, key: str, body: Any, now: datetime,
               work: Callable[[], Awaitable[Any]], replay: Callable[[int], Awaitable[Any]]) -> tuple[Any, bool]:
    """`work()` once per key (its result a row with an id); the same key again gives `replay(id)` of
    the first result, and True. A bad, reused or busy key is a userError at input.idempotencyKey."""
    E = IdempotencyErrorCode
    key = (key or "").strip()
    if not key or len(key) > KEY_MAX:
        raise reject(E.INVALID_IDEMPOTENCY_KEY, f"Give an idempotency key of 1 to {KEY_MAX} characters, new for "
                     "each new request", "input", "idempotencyKey")
    try:
        c = await claim(session, owner, operation, key, body, now)
    except KeyReused:
        raise reject(E.IDEMPOTENCY_KEY_REUSED, "This idempotency key was used for a different request: use a "
                     "new key for a new request", "input", "idempotencyKey") from None
    except KeyInFlight:
        raise reject(E.IDEMPOTENCY_KEY_IN_USE, "A request with this idempotency key is running: retry in a "
                     "moment", "input", "idempotencyKey") from None
    if c.replay:
        return await replay(c.result_id), True  # type: ignore[arg-type]
    result = await work()
    complete(c, type(result).__name__, result.id)
    return result, False


async def prune(db: Any, now: datetime) -> int:
    """Forget keys older than KEEP_HOURS (run by the worker); how many were forgotten."""
    async with db.transaction() as s:
        return await delete_keys_before(s, now - timedelta(hours=KEEP_HOURS))
