"""Idempotency keys: claimed by an INSERT that the unique index serialises."""
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from db.models import IdempotencyKey


async def find_key(session: Any, principal: str, operation: str, key: str) -> IdempotencyKey | None:
    stmt = select(IdempotencyKey).where(IdempotencyKey.principal == principal,
                                        IdempotencyKey.operation == operation, IdempotencyKey.key == key)
    return (await session.exec(stmt)).first()


async def insert_key(session: Any, row: IdempotencyKey) -> bool:
    """Insert the key in a savepoint; False when another transaction holds the same key.

    On PostgreSQL the INSERT waits while a concurrent transaction with the same key is open,
    then fails once it commits (or succeeds if it rolled back)."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return False
    return True
