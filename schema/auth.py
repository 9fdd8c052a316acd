"""Signing up and in: passwords, email verification, password reset, magic links, the second step."""
from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.identity.errors import CredentialsErrorCode, SignInErrorCode
from resolvers import auth as resolve
from schema.accounts import Viewer
from schema.common import UserError, user_errors

SignInErrorCodeEnum = strawberry.enum(SignInErrorCode, name="SignInErrorCode")
CredentialsErrorCodeEnum = strawberry.enum(CredentialsErrorCode, name="CredentialsErrorCode")


@strawberry.type
class SignInError(UserError):
    is_type_of = user_errors()
    code: SignInErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type
class CredentialsError(UserError):
    is_type_of = user_errors()
    code: CredentialsErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type(description="Send the token as 'Authorization: Bearer <token>'.")
class SessionToken:
    token: str
    expires_at: datetime


@strawberry.type(description="The password (or link) was right and the user has two-factor authentication: "
                             "call signInTwoFactor with this token and a code within five minutes.")
class TwoFactorChallenge:
    token: str
    expires_at: datetime


@strawberry.type(description="Either a session, or a two-factor challenge to complete with signInTwoFactor.")
class SignInPayload:
    session: SessionToken | None = strawberry.field(resolver=lambda root: root.session and SessionToken(**root.session))
    two_factor_challenge: TwoFactorChallenge | None = strawberry.field(
        resolver=lambda root: root.two_factor_challenge and TwoFactorChallenge(**root.two_factor_challenge))
    user: Viewer | None
    user_errors: list[SignInError]


@strawberry.type(description="The answer is the same whether or not the email has an account.")
class SignUpPayload:
    user_errors: list[CredentialsError]


@strawberry.type(description="The answer is the same whether or not the email has an account.")
class PasswordResetRequestPayload:
    user_errors: list[CredentialsError]


@strawberry.type
class PasswordResetPayload:
    sessions_revoked: int | None = strawberry.field(description="Other sessions of the user that were signed out.")
    user_errors: list[CredentialsError]


@strawberry.type(description="The answer is the same whether or not the email has an account.")
class MagicLinkRequestPayload:
    user_errors: list[CredentialsError]


@strawberry.input
class SignInInput:
    email: str
    password: str


@strawberry.input
class SignUpInput:
    email: str
    name: str
    password: str = strawberry.field(description="At least 10 characters, not a commonly breached password.")
    locale: str | None = strawberry.field(default=None, description="For emails, e.g. 'de'; else Accept-Language.")


@strawberry.input
class EmailVerifyInput:
    token: str


@strawberry.input
class EmailRequestInput:
    email: str
    locale: str | None = None


@strawberry.input
class PasswordResetInput:
    token: str
    password: str


@strawberry.input(description="Either the token of the emailed link, or the email and the 6-character code.")
class MagicLinkSignInInput:
    token: str | None = None
    email: str | None = None
    code: str | None = None


@strawberry.input
class SignInTwoFactorInput:
    challenge: str
    code: str = strawberry.field(description="A code of the authenticator app, or an unused recovery code.")


@strawberry.type
class AuthMutations:
    @strawberry.mutation(description="Sign in with email and password: a session, or a two-factor challenge.")
    async def sign_in(self, info: Info, input: SignInInput) -> SignInPayload:
        return await resolve.sign_in(info.context, input.email, input.password)  # type: ignore[return-value]

    @strawberry.mutation(description="Complete a sign-in with a second factor: returns the session.")
    async def sign_in_two_factor(self, info: Info, input: SignInTwoFactorInput) -> SignInPayload:
        return await resolve.sign_in_two_factor(info.context, input.challenge, input.code)  # type: ignore[return-value]

    @strawberry.mutation(description="Create an account: emails a link whose token emailVerify takes. The answer "
                                     "is the same for an email that has an account already.")
    async def sign_up(self, info: Info, input: SignUpInput) -> SignUpPayload:
        return await resolve.sign_up(info.context, input.email, input.name, input.password, input.locale)  # type: ignore[return-value]

    @strawberry.mutation(description="Confirm the email address of a sign-up; signs the new user in.")
    async def email_verify(self, info: Info, input: EmailVerifyInput) -> SignInPayload:
        return await resolve.email_verify(info.context, input.token)  # type: ignore[return-value]

    @strawberry.mutation(description="Email a password reset link (single use, one hour), when the email has an "
                                     "account. The answer is always the same.")
    async def password_reset_request(self, info: Info, input: EmailRequestInput) -> PasswordResetRequestPayload:
        return await resolve.password_reset_request(info.context, input.email, input.locale)  # type: ignore[return-value]

    @strawberry.mutation(description="Set a new password with the emailed token; signs out every other session.")
    async def password_reset(self, info: Info, input: PasswordResetInput) -> PasswordResetPayload:
        return await resolve.password_reset_(info.context, input.token, input.password)  # type: ignore[return-value]

    @strawberry.mutation(description="Email a sign-in link and a 6-character code (single use, 15 minutes), when "
                                     "the email has an account. The answer is always the same.")
    async def magic_link_request(self, info: Info, input: EmailRequestInput) -> MagicLinkRequestPayload:
        return await resolve.magic_link_request(info.context, input.email, input.locale)  # type: ignore[return-value]

    @strawberry.mutation(description="Sign in with the emailed link's token or with email and code.")
    async def magic_link_sign_in(self, info: Info, input: MagicLinkSignInInput) -> SignInPayload:
        return await resolve.magic_link_sign_in(info.context, input.token, input.email, input.code)  # type: ignore[return-value]
