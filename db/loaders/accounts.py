"""Batch functions of accounts: accounts, locations and their addresses, users, memberships and roles."""
from collections.abc import Sequence

from sqlmodel import select

from db.engine import Database
from db.loaders import children, in_scope, keys_param, one_by
from db.models import Account, Address, Location, MembershipRole, User
from db.reads import Read
from db.repositories.accounts import LocationRepository, MembershipRepository

account_by_id = one_by(Account)
location_by_id = one_by(Location)
user_by_id = one_by(User)
address_by_id = one_by(Address)
addresses_by_location = children(Address, "location_id", Address.is_default.desc())
roles_by_membership = children(MembershipRole, "membership_id")
# Scoped: an account's locations and members as the caller may see them.
locations_by_account = in_scope(lambda s, scope, keys: LocationRepository(s, scope).by_account(keys))
memberships_by_account = in_scope(lambda s, scope, keys: MembershipRepository(s, scope).by_account(keys))

_CURRENCIES = Read(select(Account.id, Account.currency).where(Account.id.in_(keys_param())))


async def currency_by_account(db: Database, keys: Sequence[int]) -> list[str | None]:
    """The currency each account buys in (a customer's come with its session: see server/app.py)."""
    async with db.connection() as conn:
        found = dict(await _CURRENCIES.rows(conn, keys=keys))
    return [found.get(k) for k in keys]
