"""Idempotency keys: claimed by an INSERT ... ON CONFLICT DO NOTHING under the unique index.

PostgreSQL makes a second INSERT of a key that an open transaction inserted wait for that
transaction: after its commit the INSERT does nothing (and the committed row is visible to the
next statement); after its rollback the INSERT goes through. No savepoint is needed, which
matters on SQLite, where the driver would commit a savepoint that opens the transaction."""
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import delete, select

from db.models import IdempotencyKey


async def find_key(session: Any, principal: str, operation: str, key: str) -> IdempotencyKey | None:
    stmt = select(IdempotencyKey).where(IdempotencyKey.principal == principal,
                                        IdempotencyKey.operation == operation, IdempotencyKey.key == key)
    return (await session.exec(stmt)).first()


async def insert_key(session: Any, principal: str, operation: str, key: str, request_hash: str,
                     now: datetime) -> IdempotencyKey | None:
    """The new key's row, or None when the key exists (committed by another transaction)."""
    conn = await session.connection()
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = (insert(IdempotencyKey)
            .values(principal=principal, operation=operation, key=key, request_hash=request_hash, created_at=now)
            .on_conflict_do_nothing(index_elements=["principal", "operation", "key"])
            .returning(IdempotencyKey.id))
    new_id = (await conn.execute(stmt)).scalar()
    if new_id is None:
        return None
    return (await session.exec(select(IdempotencyKey).where(IdempotencyKey.id == new_id))).one()


async def delete_keys_before(session: Any, cutoff: datetime) -> int:
    """Forget the keys claimed before `cutoff`; how many."""
    result = await session.exec(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))  # type: ignore[call-overload]
    return result.rowcount or 0
