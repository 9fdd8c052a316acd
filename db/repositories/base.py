"""Repositories hold all SQL. Each is built with the caller's RowScope for its kind of row,
so a query that forgets tenancy cannot be written through them."""
from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy.sql import Select
from sqlmodel import select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from db.reads import read_models
from db.scope import RowScope

M = TypeVar("M")


class ScopedRepository(Generic[M]):
    model: type[M]

    def __init__(self, session: AsyncSession, scope: RowScope) -> None:
        self.session = session
        self.scope = scope

    def visible(self) -> Select:
        """SELECT of the rows the caller may see; subclasses say which columns carry the scope."""
        raise NotImplementedError

    async def get_many(self, ids: Iterable[int]) -> dict[int, M]:
        """Rows of these ids the caller may see, to read only (db.reads.detached)."""
        ids = sorted(set(ids))
        if not ids:
            return {}
        rows = await read_models(self.session, self.visible().where(self.model.id.in_(ids)))  # type: ignore[attr-defined]
        return {r.id: r for r in rows}

    async def get(self, id_: int) -> M | None:
        """The row of this id, in the session (to change), if the caller may see it."""
        return (await self.session.exec(self.visible().where(self.model.id == id_))).first()  # type: ignore[attr-defined]

    async def get_locked(self, id_: int) -> M | None:
        """The row of this id, locked until the transaction ends (lock_row), if the caller may see it.
        Every state change reads its row this way first, so of two concurrent writers the second
        waits and then decides on what the first committed."""
        await lock_row(self.session, self.model, id_)
        return await self.get(id_)

    async def all(self, stmt: Select) -> Sequence[Any]:
        return (await self.session.exec(stmt)).all()



async def lock_row(session: AsyncSession, model: Any, pk: int) -> Any:
    """The row, locked until the transaction ends: of two writers of one row, the second waits and
    then reads what the first committed, so both decide on the current state.

    A no-op UPDATE first, because SQLite ignores FOR UPDATE: the UPDATE takes its write lock, so a
    second transaction waits there (busy timeout) and then reads what the first committed. Call it
    before any other read of the transaction. On PostgreSQL the UPDATE locks the row as well."""
    await session.exec(update(model).where(model.id == pk).values(id=model.id))  # type: ignore[call-overload]
    return (await session.exec(select(model).where(model.id == pk).with_for_update())).first()
