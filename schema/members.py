"""Changing what a member of an account may do."""
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
class MembershipMutations:
    @strawberry.mutation(description="Replace a member's roles (ADMIN). The account keeps at least one "
                                     "account-wide ADMIN. Takes effect on the member's next request.")
    async def membership_roles_set(self, info: Info, input: MembershipRolesSetInput) -> MembershipRolesSetPayload:
        grants = [(Role(g.role), [str(x) for x in g.location_ids] if g.location_ids else None)
                  for g in input.roles[:50]]
        return await resolve.set_roles(info.context, input.membership_id, grants)  # type: ignore[return-value]
