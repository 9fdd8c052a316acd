"""Signing in."""
from datetime import datetime

import strawberry
from strawberry.types import Info

from resolvers import auth as resolve
from schema.accounts import Viewer
from schema.common import UserError, errors_of

SignInErrorCodeEnum = strawberry.enum(resolve.SignInErrorCode, name="SignInErrorCode")


@strawberry.type
class SignInError(UserError):
    code: SignInErrorCodeEnum  # type: ignore[valid-type]
    is_type_of = errors_of(resolve.SignInErrorCode)


@strawberry.type(description="Send the token as 'Authorization: Bearer <token>'.")
class SessionToken:
    token: str
    expires_at: datetime


@strawberry.type
class SignInPayload:
    session: SessionToken | None
    user: Viewer | None
    user_errors: list[SignInError]


@strawberry.input
class SignInInput:
    email: str
    password: str


@strawberry.type
class AuthMutations:
    @strawberry.mutation(description="Sign in with email and password; returns a session token.")
    async def sign_in(self, info: Info, input: SignInInput) -> SignInPayload:
        return await resolve.sign_in(info.context, input.email, input.password)  # type: ignore[return-value]
