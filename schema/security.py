"""A person's own sessions and two-factor authentication."""
from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.identity.errors import SessionErrorCode, TwoFactorErrorCode
from resolvers import security as resolve
from resolvers.devices import device_of, qr_svg_data_uri
from resolvers.globalid import encode
from schema.common import UserError, user_errors

SessionErrorCodeEnum = strawberry.enum(SessionErrorCode, name="SessionErrorCode")
TwoFactorErrorCodeEnum = strawberry.enum(TwoFactorErrorCode, name="TwoFactorErrorCode")


@strawberry.type(description="A signed-in session of the viewer (a browser, an app, a script).")
class Session:
    id: strawberry.ID = strawberry.field(resolver=lambda root: strawberry.ID(encode("Session", root.id)))
    method: str = strawberry.field(description="How it was made: password, magic_link, magic_code, "
                                               "email_verification, invitation, api_key, cli; '+totp' or "
                                               "'+recovery_code' after a second factor.")
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str | None
    user_agent: str | None
    device: str = strawberry.field(resolver=lambda root: device_of(root.user_agent))

    @strawberry.field(description="The session this request was made with.")
    def current(self, info: Info) -> bool:
        return self.id == info.context.caller.session_id  # type: ignore[comparison-overlap]


@strawberry.type
class SessionError(UserError):
    is_type_of = user_errors()
    code: SessionErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type
class TwoFactorError(UserError):
    is_type_of = user_errors()
    code: TwoFactorErrorCodeEnum  # type: ignore[valid-type]


@strawberry.type(description="Show the QR code (or the secret) to the user's authenticator app, then "
                             "call twoFactorConfirm with its first code.")
class TwoFactorEnrollment:
    secret: str
    otpauth_uri: str = strawberry.field(resolver=lambda root: root.uri)
    qr_code_svg: str = strawberry.field(resolver=lambda root: qr_svg_data_uri(root.uri),
                                        description="A data: URI of an SVG image, for an <img src>.")


@strawberry.type
class SessionRevokePayload:
    session: Session | None
    user_errors: list[SessionError]


@strawberry.type
class SessionRevokeAllPayload:
    revoked_count: int | None
    user_errors: list[SessionError]


@strawberry.type
class SignOutPayload:
    user_errors: list[SessionError]


@strawberry.type
class TwoFactorEnrollPayload:
    enrollment: TwoFactorEnrollment | None
    user_errors: list[TwoFactorError]


@strawberry.type
class TwoFactorConfirmPayload:
    two_factor_enabled: bool | None
    recovery_codes: list[str] | None = strawberry.field(
        description="Ten single-use codes for when the authenticator is lost. Shown this once.")
    user_errors: list[TwoFactorError]


@strawberry.type
class TwoFactorDisablePayload:
    two_factor_enabled: bool | None
    user_errors: list[TwoFactorError]


@strawberry.type
class TwoFactorRecoveryCodesRegeneratePayload:
    recovery_codes: list[str] | None
    user_errors: list[TwoFactorError]


@strawberry.input
class SessionRevokeInput:
    id: strawberry.ID


@strawberry.input
class SessionRevokeAllInput:
    keep_current: bool = strawberry.field(default=True, description="Keep the session of this request.")


@strawberry.input
class TwoFactorCodeInput:
    code: str


@strawberry.input(description="Re-authentication: the password (when the user has one) and a current code "
                              "or a recovery code.")
class TwoFactorDisableInput:
    password: str | None = None
    code: str


@strawberry.type
class SecurityMutations:
    @strawberry.mutation(description="Sign out: revoke the session of this request.")
    async def sign_out(self, info: Info) -> SignOutPayload:
        return await resolve.sign_out(info.context)  # type: ignore[return-value]

    @strawberry.mutation(description="Revoke one of the viewer's sessions.")
    async def session_revoke(self, info: Info, input: SessionRevokeInput) -> SessionRevokePayload:
        return await resolve.session_revoke(info.context, input.id)  # type: ignore[return-value]

    @strawberry.mutation(description="Revoke every session of the viewer (but this one, unless keepCurrent: false).")
    async def session_revoke_all(self, info: Info, input: SessionRevokeAllInput | None = None) -> SessionRevokeAllPayload:
        keep = True if input is None else input.keep_current
        return await resolve.session_revoke_all(info.context, keep)  # type: ignore[return-value]

    @strawberry.mutation(description="Start turning on TOTP two-factor authentication: a new secret and QR code.")
    async def two_factor_enroll(self, info: Info) -> TwoFactorEnrollPayload:
        return await resolve.enroll(info.context)  # type: ignore[return-value]

    @strawberry.mutation(description="Turn two-factor on with a first code; returns ten recovery codes, once.")
    async def two_factor_confirm(self, info: Info, input: TwoFactorCodeInput) -> TwoFactorConfirmPayload:
        return await resolve.confirm(info.context, input.code)  # type: ignore[return-value]

    @strawberry.mutation(description="Turn two-factor off, after re-authentication.")
    async def two_factor_disable(self, info: Info, input: TwoFactorDisableInput) -> TwoFactorDisablePayload:
        return await resolve.disable(info.context, input.password, input.code)  # type: ignore[return-value]

    @strawberry.mutation(description="Replace the recovery codes (a current code is required).")
    async def two_factor_recovery_codes_regenerate(self, info: Info,
                                                   input: TwoFactorCodeInput) -> TwoFactorRecoveryCodesRegeneratePayload:
        return await resolve.regenerate(info.context, input.code)  # type: ignore[return-value]
