"""TOTP two-factor: enroll, confirm, challenge at sign-in, no replay, recovery codes, disable."""
import asyncio
from datetime import timedelta

import pyotp
import pytest

from db.models import AuthSession, TwoFactor
from db.repositories import tokens as tokens_repo
from tests.mailbox import code_in
from tests.schema.test_sign_up import count
from tests.support import codes, row, slowed

ENROLL = "mutation { twoFactorEnroll { enrollment { secret otpauthUri qrCodeSvg } userErrors { code } } }"
CONFIRM = """mutation($code: String!) { twoFactorConfirm(input: {code: $code}) {
  twoFactorEnabled recoveryCodes userErrors { code } } }"""
SIGN_IN = """mutation { signIn(input: {email: "ap@acme.example", password: "portal-demo"}) {
  session { token } twoFactorChallenge { token expiresAt } user { email } userErrors { code } } }"""
SECOND = """mutation($challenge: String!, $code: String!) { signInTwoFactor(input: {challenge: $challenge, code: $code}) {
  session { token } userErrors { code } } }"""
DISABLE = """mutation($password: String, $code: String!) { twoFactorDisable(input: {password: $password, code: $code}) {
  twoFactorEnabled userErrors { code field } } }"""
AP = "ap@acme.example"


def code_at(secret: str, when, offset: int = 0) -> str:  # type: ignore[no-untyped-def]
    return pyotp.TOTP(secret).at(when + timedelta(seconds=offset))


async def enable(gql, clock) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    enrolled = (await gql(ENROLL, as_=AP))["data"]["twoFactorEnroll"]["enrollment"]
    confirmed = (await gql(CONFIRM, {"code": code_at(enrolled["secret"], clock.now())}, as_=AP))["data"]
    return enrolled["secret"], confirmed["twoFactorConfirm"]["recoveryCodes"]


async def test_enroll_needs_a_signed_in_person(gql, db):
    body = await gql(ENROLL)
    assert codes(body) == ["UNAUTHENTICATED"] and await count(db, TwoFactor) == 0


async def test_enroll_and_confirm(gql, db, clock, smtp, deliver):
    body = await gql(ENROLL, as_=AP)
    enrollment = body["data"]["twoFactorEnroll"]["enrollment"]
    assert enrollment["otpauthUri"].startswith("otpauth://totp/Portalql:ap%40acme.example?secret=")
    assert enrollment["qrCodeSvg"].startswith("data:image/svg+xml")
    stored = (await row(db, TwoFactor)).secret
    assert stored.startswith("f1:") and enrollment["secret"] not in stored  # sealed at rest
    wrong = await gql(CONFIRM, {"code": "000000"}, as_=AP)
    assert wrong["data"]["twoFactorConfirm"] == {"twoFactorEnabled": None, "recoveryCodes": None,
                                                 "userErrors": [{"code": "INVALID_CODE"}]}
    assert (await gql("{ viewer { twoFactorEnabled } }", as_=AP))["data"]["viewer"]["twoFactorEnabled"] is False
    ok = await gql(CONFIRM, {"code": code_at(enrollment["secret"], clock.now())}, as_=AP)
    result = ok["data"]["twoFactorConfirm"]
    assert result["twoFactorEnabled"] is True and len(set(result["recoveryCodes"])) == 10
    assert (await gql("{ viewer { twoFactorEnabled } }", as_=AP))["data"]["viewer"]["twoFactorEnabled"] is True
    again = await gql(ENROLL, as_=AP)
    assert again["data"]["twoFactorEnroll"]["userErrors"] == [{"code": "ALREADY_ENABLED"}]
    await deliver()
    assert smtp.last(AP)["Subject"] == "Two-factor authentication is on"


async def test_sign_in_asks_for_the_second_factor_and_refuses_replays(gql, db, clock):
    secret, _ = await enable(gql, clock)
    sessions = await count(db, AuthSession)
    first = (await gql(SIGN_IN))["data"]["signIn"]
    assert first["session"] is None and first["user"] is None and first["twoFactorChallenge"]["token"]
    assert await count(db, AuthSession) == sessions
    challenge = first["twoFactorChallenge"]["token"]

    wrong = await gql(SECOND, {"challenge": challenge, "code": "123456"})
    assert wrong["data"]["signInTwoFactor"] == {"session": None, "userErrors": [{"code": "INVALID_CODE"}]}
    # The code used to confirm enrolment, in the same 30-second step, is a replay.
    replay = await gql(SECOND, {"challenge": challenge, "code": code_at(secret, clock.now())})
    assert replay["data"]["signInTwoFactor"]["userErrors"] == [{"code": "INVALID_CODE"}]

    clock.advance(seconds=30)
    code = code_at(secret, clock.now())
    ok = await gql(SECOND, {"challenge": challenge, "code": code})
    token = ok["data"]["signInTwoFactor"]["session"]["token"]
    me = await gql("{ viewer { email sessions { method current } } }", headers={"authorization": f"Bearer {token}"})
    assert {"method": "password+totp", "current": True} in me["data"]["viewer"]["sessions"]

    used = await gql(SECOND, {"challenge": challenge, "code": code})
    assert used["data"]["signInTwoFactor"]["userErrors"] == [{"code": "USED_TOKEN"}]
    second = (await gql(SIGN_IN))["data"]["signIn"]["twoFactorChallenge"]["token"]
    replay = await gql(SECOND, {"challenge": second, "code": code})
    assert replay["data"]["signInTwoFactor"]["userErrors"] == [{"code": "INVALID_CODE"}]


async def test_recovery_code_works_once_and_challenge_expires(gql, clock):
    _, recovery = await enable(gql, clock)
    challenge = (await gql(SIGN_IN))["data"]["signIn"]["twoFactorChallenge"]["token"]
    ok = await gql(SECOND, {"challenge": challenge, "code": recovery[0].upper()})
    assert ok["data"]["signInTwoFactor"]["session"]["token"]
    challenge = (await gql(SIGN_IN))["data"]["signIn"]["twoFactorChallenge"]["token"]
    again = await gql(SECOND, {"challenge": challenge, "code": recovery[0]})
    assert again["data"]["signInTwoFactor"]["userErrors"] == [{"code": "INVALID_CODE"}]
    clock.advance(minutes=6)
    late = await gql(SECOND, {"challenge": challenge, "code": recovery[1]})
    assert late["data"]["signInTwoFactor"]["userErrors"] == [{"code": "EXPIRED_TOKEN"}]


async def test_magic_link_also_asks_for_the_second_factor(gql, clock, smtp, deliver):
    await enable(gql, clock)
    await gql('mutation { magicLinkRequest(input: {email: "ap@acme.example"}) { userErrors { code } } }')
    await deliver()
    code = code_in(smtp.last(AP))
    body = await gql("""mutation($code: String!) { magicLinkSignIn(input: {email: "ap@acme.example", code: $code}) {
                        session { token } twoFactorChallenge { token } } }""", {"code": code})
    assert body["data"]["magicLinkSignIn"]["session"] is None
    assert body["data"]["magicLinkSignIn"]["twoFactorChallenge"]["token"]


async def test_disable_needs_password_and_code(gql, db, clock):
    secret, recovery = await enable(gql, clock)
    clock.advance(seconds=30)
    no_password = await gql(DISABLE, {"password": "wrong", "code": code_at(secret, clock.now())}, as_=AP)
    assert no_password["data"]["twoFactorDisable"]["userErrors"] == [{"code": "INVALID_CREDENTIALS",
                                                                      "field": ["input", "password"]}]
    no_code = await gql(DISABLE, {"password": "portal-demo", "code": "000000"}, as_=AP)
    assert no_code["data"]["twoFactorDisable"]["userErrors"][0]["code"] == "INVALID_CODE"
    assert await count(db, TwoFactor) == 1
    ok = await gql(DISABLE, {"password": "portal-demo", "code": recovery[3]}, as_=AP)
    assert ok["data"]["twoFactorDisable"] == {"twoFactorEnabled": False, "userErrors": []}
    assert await count(db, TwoFactor) == 0
    plain = await gql(SIGN_IN)
    assert plain["data"]["signIn"]["session"]["token"]



@pytest.mark.postgres
async def test_two_enrolments_at_once_leave_one_pending_secret(gql, db, monkeypatch):
    slowed(monkeypatch, tokens_repo, "two_factor_of")  # both have looked for an enrolment before either adds one
    results = await asyncio.gather(*(gql(ENROLL, as_=AP) for _ in range(2)))
    assert [r.get("errors") for r in results] == [None, None]
    secrets = [r["data"]["twoFactorEnroll"]["enrollment"]["secret"] for r in results]
    assert await count(db, TwoFactor) == 1 and len(set(secrets)) == 2  # the later one replaced the first
