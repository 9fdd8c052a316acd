"""Changing what a member of an account may do."""
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from db.enums import Role
from domain.identity.errors import MembershipErrorCode
from resolvers import members as resolve
from schema.common import UserError, user_errors
from schema.invitations import RoleGrantInput

if TYPE_CHECKING:
    from schema.accounts import Membership

MembershipErrorCodeEnum = strawberry.enum(MembershipErrorCode, name="MembershipErrorCode")


@strawberry.type
class MembershipError(UserError):
    is_type_of = user_errors()
    code: MembershipErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type
class MembershipRolesSetPayload:
    membership: Annotated["Membership", strawberry.lazy("schema.accounts")] | None
    user_errors: list[MembershipError]


@strawberry.input(description="The member's roles after the change (they replace the current ones).")
class MembershipRolesSetInput:
    membership_id: strawberry.ID
    roles: list[RoleGrantInput]


@strawberry.type
class MembershipSpendingLimitSetPayload:
    membership: Annotated["Membership", strawberry.lazy("schema.accounts")] | None
    user_errors: list[MembershipError]


@strawberry.input(description="The member's spending limit in the account's currency.")
class MembershipSpendingLimitSetInput:
    membership_id: strawberry.ID
    amount: Decimal | None = strawberry.field(
        default=None, description="From 0, in whole minor units of the account's currency; null: no limit.")


@strawberry.type
class MembershipMutations:
    @strawberry.mutation(description="Replace a member's roles (ADMIN). The account keeps at least one "
                                     "account-wide ADMIN. Takes effect on the member's next request.")
    async def membership_roles_set(self, info: Info, input: MembershipRolesSetInput) -> MembershipRolesSetPayload:
        grants = [(Role(g.role), [str(x) for x in g.location_ids] if g.location_ids else None)
                  for g in input.roles[:50]]
        return await resolve.set_roles(info.context, input.membership_id, grants)  # type: ignore[return-value]

    @strawberry.mutation(description="Set or clear a member's spending limit (ADMIN): the member's orders over it "
                                     "in the account's spending limit period wait for approval.")
    async def membership_spending_limit_set(self, info: Info, input: MembershipSpendingLimitSetInput,
                                            ) -> MembershipSpendingLimitSetPayload:
        return await resolve.set_spending_limit(info.context, input.membership_id,  # type: ignore[return-value]
                                                input.amount)
