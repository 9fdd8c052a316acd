"""Accounts, locations, addresses and memberships, as the caller may see them."""
from collections import defaultdict
from collections.abc import Iterable

from typing import Any

from sqlalchemy.sql import Select
from sqlmodel import func, select

from db.models import Account, Location, Membership
from db.pagination import Page, count_rows, keyset_page
from db.repositories.base import ScopedRepository


class AccountRepository(ScopedRepository[Account]):
    model = Account

    def visible(self) -> Select:
        return select(Account).where(self.scope.where(Account.id))

    def search(self, text: str | None) -> Select:
        stmt = self.visible()
        if text:
            stmt = stmt.where(func.lower(Account.name).like(f"%{text.lower()}%"))
        return stmt

    async def page(self, text: str | None, **window: Any) -> Page[Account]:
        return await keyset_page(self.session, self.search(text), [Account.name, Account.id],
                                 descending=False, **window)

    async def count(self, text: str | None) -> int:
        return await count_rows(self.session, self.search(text))


class LocationRepository(ScopedRepository[Location]):
    model = Location

    def visible(self) -> Select:
        return select(Location).where(self.scope.where(Location.account_id, Location.id))

    async def by_account(self, account_ids: Iterable[int]) -> dict[int, list[Location]]:
        stmt = self.visible().where(Location.account_id.in_(sorted(set(account_ids))))
        out: dict[int, list[Location]] = defaultdict(list)
        for loc in await self.all(stmt.order_by(Location.name, Location.id)):
            out[loc.account_id].append(loc)
        return out


class MembershipRepository(ScopedRepository[Membership]):
    model = Membership

    def visible(self) -> Select:
        return select(Membership).where(self.scope.where(Membership.account_id, None, Membership.user_id))

    async def by_account(self, account_ids: Iterable[int]) -> dict[int, list[Membership]]:
        stmt = self.visible().where(Membership.account_id.in_(sorted(set(account_ids))))
        out: dict[int, list[Membership]] = defaultdict(list)
        for m in await self.all(stmt.order_by(Membership.id)):
            out[m.account_id].append(m)
        return out


