"""Every way of signing in (who is calling is permissions/authentication.py)."""
from typing import Any

from domain.identity import emails, magic_link, password_reset, signin, signup, two_factor
from domain.identity.signin import SignedIn
from permissions.authentication import caller_for_user
from resolvers.context import Context
from resolvers.identity import env, guess, request_locale, throttle
from resolvers.mutation import mutation


async def signed_in(ctx: Context, s: Any, result: SignedIn) -> dict[str, Any]:
    """The answer of a sign-in: the session, or the two-factor challenge to complete."""
    if result.challenge is not None:
        return {"two_factor_challenge": {"token": result.challenge, "expires_at": result.challenge_expires_at}}
    # The rest of the mutation's answer (user { memberships accounts ... }) is read as the person who
    # just signed in, exactly as a next request with the new token would be.
    await s.flush()  # the new session's id
    ctx.caller = await caller_for_user(s, result.user, result.session)
    ctx.__dict__.pop("loaders", None)
    return {"session": {"token": result.token, "expires_at": result.expires_at}, "user": result.user}


@mutation("signIn", audit="auth.sign_in", failed_audit="auth.sign_in_failed")
async def sign_in(ctx: Context, s: Any, email: str, password: str) -> dict[str, Any]:
    signin.check_input(email, password)
    async with guess(ctx, "sign_in", email):
        result = await signin.password_sign_in(s, env(ctx), email, password)
    return await signed_in(ctx, s, result)


@mutation("signInTwoFactor", audit="auth.sign_in", failed_audit="auth.two_factor_failed")
async def sign_in_two_factor(ctx: Context, s: Any, challenge: str, code: str) -> dict[str, Any]:
    async with guess(ctx, "verify"):  # per IP; a challenge dies after five wrong codes
        result = await two_factor.complete_challenge(s, env(ctx), challenge, code)
    return await signed_in(ctx, s, result)


@mutation("magicLinkRequest", audit="auth.magic_link_requested")
async def magic_link_request(ctx: Context, s: Any, email: str, locale: str | None) -> dict[str, Any]:
    emails.check_length(email)
    await throttle(ctx, "email_request", email)
    await magic_link.request_link(s, env(ctx), email, request_locale(ctx, locale))
    return {}


@mutation("magicLinkSignIn", audit="auth.sign_in", failed_audit="auth.sign_in_failed")
async def magic_link_sign_in(ctx: Context, s: Any, token: str | None, email: str | None,
                             code: str | None) -> dict[str, Any]:
    magic_link.check_sign_in_input(token, email, code)
    if token is not None:
        async with guess(ctx, "verify"):  # per IP: a token is its own secret, never a key
            result = await magic_link.sign_in_with_token(s, env(ctx), token)
    else:
        async with guess(ctx, "sign_in_code", email):
            result = await magic_link.sign_in_with_code(s, env(ctx), email, code)  # type: ignore[arg-type]
    return await signed_in(ctx, s, result)


@mutation("signUp", audit="auth.sign_up")
async def sign_up(ctx: Context, s: Any, email: str, name: str, password: str, locale: str | None) -> dict[str, Any]:
    signup.check_input(email, name, password)
    await throttle(ctx, "email_request", email)
    await signup.sign_up(s, env(ctx), email, name, password, request_locale(ctx, locale))
    return {}


@mutation("emailVerify", audit="auth.email_verified", failed_audit="auth.sign_in_failed")
async def email_verify(ctx: Context, s: Any, token: str) -> dict[str, Any]:
    async with guess(ctx, "verify"):  # per IP: a token is its own secret, never a key
        result = await signup.verify_email(s, env(ctx), token)
    return await signed_in(ctx, s, result)


@mutation("passwordResetRequest", audit="auth.password_reset_requested")
async def password_reset_request(ctx: Context, s: Any, email: str, locale: str | None) -> dict[str, Any]:
    emails.check_length(email)
    await throttle(ctx, "email_request", email)
    await password_reset.request_reset(s, env(ctx), email, request_locale(ctx, locale))
    return {}


@mutation("passwordReset", audit="auth.password_reset", failed_audit="auth.password_reset_failed")
async def password_reset_(ctx: Context, s: Any, token: str, password: str) -> dict[str, Any]:
    password_reset.check_password_input(password)
    async with guess(ctx, "verify"):  # per IP: a token is its own secret, never a key
        revoked = await password_reset.reset_password(s, env(ctx), token, password)
    return {"sessions_revoked": revoked}
