"""Inviting people to an account, and accepting an invitation."""
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from db.enums import Role
from domain.identity.errors import InvitationErrorCode
from resolvers import invitations as resolve
from resolvers.globalid import encode
from schema.auth import SignInPayload
from schema.common import UserError, user_errors

if TYPE_CHECKING:
    from schema.accounts import Location, RoleEnum

InvitationErrorCodeEnum = strawberry.enum(InvitationErrorCode, name="InvitationErrorCode")
RoleRef = Annotated["RoleEnum", strawberry.lazy("schema.accounts")]
LocationRef = Annotated["Location", strawberry.lazy("schema.accounts")]


@strawberry.type(description="A role the invitee gets: account-wide, or at one location.")
class InvitedRole:
    role: RoleRef  # type: ignore[valid-type]

    @strawberry.field
    async def location(self, info: Info) -> LocationRef | None:  # type: ignore[valid-type]
        if self["location_id"] is None:  # type: ignore[index]
            return None
        return await info.context.loaders.accounts.location.load(self["location_id"])  # type: ignore[index]


@strawberry.type
class Invitation:
    id: strawberry.ID = strawberry.field(resolver=lambda root: strawberry.ID(encode("Invitation", root.id)))
    email: str
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None

    @strawberry.field
    def roles(self) -> list[InvitedRole]:
        return [_Grant(g) for g in self.roles]  # type: ignore[attr-defined,misc]


class _Grant(dict):
    """One stored role of an invitation, readable as attributes by the schema."""

    @property
    def role(self) -> Role:
        return Role(self["role"])


@strawberry.type
class InvitationError(UserError):
    is_type_of = user_errors()
    code: InvitationErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type
class InvitationPayload:
    invitation: Invitation | None
    user_errors: list[InvitationError]


@strawberry.input(description="A role, account-wide when locationIds is empty, else at those locations.")
class RoleGrantInput:
    role: RoleRef  # type: ignore[valid-type]
    location_ids: list[strawberry.ID] | None = None


@strawberry.input
class InvitationCreateInput:
    account_id: strawberry.ID
    email: str
    roles: list[RoleGrantInput]


@strawberry.input
class InvitationRevokeInput:
    id: strawberry.ID


@strawberry.input(description="A new person gives a name and, optionally, a password (else signs in by link). "
                              "Someone with an account already just accepts.")
class InvitationAcceptInput:
    token: str
    name: str | None = None
    password: str | None = None


@strawberry.type
class InvitationMutations:
    @strawberry.mutation(description="Invite a person by email to an account, with roles (ADMIN).")
    async def invitation_create(self, info: Info, input: InvitationCreateInput) -> InvitationPayload:
        grants = [(Role(g.role), [str(x) for x in g.location_ids] if g.location_ids else None)
                  for g in input.roles[:50]]
        return await resolve.create(info.context, input.account_id, input.email, grants)  # type: ignore[return-value]

    @strawberry.mutation(description="Withdraw a pending invitation (ADMIN).")
    async def invitation_revoke(self, info: Info, input: InvitationRevokeInput) -> InvitationPayload:
        return await resolve.revoke(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="Accept an invitation with the emailed token: joins the account and signs in.")
    async def invitation_accept(self, info: Info, input: InvitationAcceptInput) -> SignInPayload:
        return await resolve.accept(info.context, input.token, input.name, input.password)  # type: ignore[return-value]
