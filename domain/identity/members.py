"""Changing a member's roles and spending limit: audited; an account never loses its last ADMIN."""
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import Role
from db.models import Account, Membership
from db.repositories import members as repo
from db.repositories.base import lock_row
from db.repositories.invitations import location_ids_of
from domain import audit
from domain.errors import reject
from domain.identity.env import AuthEnv
from domain.identity.errors import MembershipErrorCode as E
from domain.money import round_to_minor

MAX_GRANTS = 50
# Above any real buyer's budget, well inside the amount column.
MAX_SPENDING_LIMIT = Decimal("1000000000")


def _as_data(grants: list[tuple[Role, int | None]]) -> list[dict]:
    return [{"role": r.value, "location_id": loc} for r, loc in grants]


async def set_roles(session: AsyncSession, env: AuthEnv, membership: Membership,
                    grants: list[tuple[Role, int | None]]) -> Membership:
    unique = sorted(set(grants), key=lambda g: (g[0].value, g[1] or 0))
    if not unique or len(unique) > MAX_GRANTS:
        raise reject(E.INVALID_ROLES, f"Give between 1 and {MAX_GRANTS} roles", "input", "roles")
    # Whether another ADMIN is left is a fact of the whole account: role changes in it run one at a
    # time, or two ADMINs demoting each other at once would both see the other and leave none.
    await lock_row(session, Account, membership.account_id)
    known = await location_ids_of(session, membership.account_id)
    if any(loc is not None and loc not in known for _, loc in unique):
        raise reject(E.INVALID_LOCATION, "A location is not one of this account's", "input", "roles")
    before = await repo.roles_of(session, membership.id)  # type: ignore[arg-type]
    was_admin = (Role.ADMIN, None) in before
    if was_admin and (Role.ADMIN, None) not in unique and \
            await repo.other_admins(session, membership.account_id, membership.id) == 0:  # type: ignore[arg-type]
        raise reject(E.LAST_ADMIN, "The account needs at least one account-wide ADMIN", "input", "roles")
    await repo.replace_roles(session, membership.id, unique)  # type: ignore[arg-type]
    audit.record(session, env.actor, "membership.roles_changed", env.now, account_id=membership.account_id,
                 target_type="Membership", target_id=membership.id, user_id=membership.user_id,
                 before=_as_data(before), after=_as_data(unique))
    return membership


async def set_spending_limit(session: AsyncSession, env: AuthEnv, membership: Membership,
                             amount: Decimal | None) -> Membership:
    """The member's spending limit in the account's currency; None: no limit. Orders over it (in the
    account's spending limit period) wait for approval (domain/ordering.approval_reasons)."""
    account = await session.get(Account, membership.account_id)
    currency = account.currency  # type: ignore[union-attr]
    if amount is not None and (not amount.is_finite() or amount < 0 or amount > MAX_SPENDING_LIMIT
                               or round_to_minor(amount, currency) != amount):
        raise reject(E.INVALID_AMOUNT, f"Give an amount from 0 to {MAX_SPENDING_LIMIT:,} in whole {currency} "
                     "minor units, or none for no limit", "input", "amount")
    before = membership.spending_limit
    membership.spending_limit = None if amount is None else round_to_minor(amount, currency)
    session.add(membership)
    audit.record(session, env.actor, "membership.spending_limit_changed", env.now,
                 account_id=membership.account_id, target_type="Membership", target_id=membership.id,
                 user_id=membership.user_id, currency=currency,
                 before=None if before is None else str(round_to_minor(before, currency)),
                 after=None if membership.spending_limit is None else str(membership.spending_limit))
    await session.flush()
    return membership
