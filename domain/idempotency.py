"""Idempotent writes: the same key returns the first result; the same key with another body is refused.

Usable by any write that moves money or creates orders:

    claim = await idempotency.claim(session, principal, "orderPlace", key, body)
    if claim.replay: return the row claim.result_id names
    ... do the work in the same transaction ...
    idempotency.complete(claim, "Order", order.id)

The claim is an INSERT ... ON CONFLICT DO NOTHING under a unique index, so concurrent requests with
one key serialise on it (PostgreSQL waits for the first transaction, then sees its row). Work that fails rolls the claim
back with it: a failed request can be retried with the same key."""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.models import IdempotencyKey
from db.repositories.idempotency import find_key, insert_key

KEY_MAX = 255


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
