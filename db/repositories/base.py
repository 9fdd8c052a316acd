"""Repositories hold all SQL. Each is built with the caller's RowScope for its kind of row,
so a query that forgets tenancy cannot be written through them."""
from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy.sql import Select
from sqlmodel.ext.asyncio.session import AsyncSession

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
        ids = sorted(set(ids))
        if not ids:
            return {}
        rows = (await self.session.exec(self.visible().where(self.model.id.in_(ids)))).all()  # type: ignore[attr-defined]
        return {r.id: r for r in rows}  # type: ignore[attr-defined]

    async def get(self, id_: int) -> M | None:
        return (await self.get_many([id_])).get(id_)

    async def all(self, stmt: Select) -> Sequence[Any]:
        return (await self.session.exec(stmt)).all()

