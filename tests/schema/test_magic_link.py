"""Magic links: a single-use link and a 6-character code, 15 minutes, same answer for unknown emails."""
import asyncio

import pytest

from db.models import AuthSession
from tests.mailbox import code_in, token_in
from tests.schema.test_sign_up import count

REQUEST = """mutation($email: String!) { magicLinkRequest(input: {email: $email}) { userErrors { code } } }"""
SIGN_IN = """mutation($input: MagicLinkSignInInput!) { magicLinkSignIn(input: $input) {
  session { token } twoFactorChallenge { token } user { email } userErrors { code } } }"""


async def test_same_answer_whether_or_not_the_email_exists(gql, smtp, deliver):
    a = await gql(REQUEST, {"email": "viewer@acme.example"})
    b = await gql(REQUEST, {"email": "ghost@acme.example"})
    assert a["data"] == b["data"] == {"magicLinkRequest": {"userErrors": []}}
    await deliver()
    assert [m["To"] for m in smtp.messages] == ["viewer@acme.example"]
    malformed = await gql(REQUEST, {"email": "nope"})
    assert malformed["data"]["magicLinkRequest"]["userErrors"] == [{"code": "INVALID_EMAIL"}]


async def test_sign_in_with_the_link_once(gql, db, smtp, deliver):
    await gql(REQUEST, {"email": "viewer@acme.example"})
    await deliver()
    token = token_in(smtp.last("viewer@acme.example"))
    body = await gql(SIGN_IN, {"input": {"token": token}})
    assert body["data"]["magicLinkSignIn"]["user"] == {"email": "viewer@acme.example"}
    session = body["data"]["magicLinkSignIn"]["session"]["token"]
    me = await gql("{ viewer { email } }", headers={"authorization": f"Bearer {session}"})
    assert me["data"]["viewer"]["email"] == "viewer@acme.example"
    again = await gql(SIGN_IN, {"input": {"token": token}})
    assert again["data"]["magicLinkSignIn"] == {"session": None, "twoFactorChallenge": None, "user": None,
                                                "userErrors": [{"code": "USED_TOKEN"}]}


async def test_sign_in_with_the_code_and_wrong_codes(gql, db, smtp, deliver):
    sessions = await count(db, AuthSession)
    unknown = await gql(SIGN_IN, {"input": {"email": "ghost@acme.example", "code": "ABCDEF"}})
    await gql(REQUEST, {"email": "viewer@acme.example"})
    await deliver()
    code = code_in(smtp.last("viewer@acme.example"))
    wrong = await gql(SIGN_IN, {"input": {"email": "viewer@acme.example", "code": "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY"}})
    # A wrong code for a real email and any code for an unknown one answer alike.
    assert wrong["data"] == unknown["data"]
    assert wrong["data"]["magicLinkSignIn"]["userErrors"] == [{"code": "INVALID_CODE"}]
    assert await count(db, AuthSession) == sessions
    body = await gql(SIGN_IN, {"input": {"email": "Viewer@Acme.example", "code": code.lower()}})
    assert body["data"]["magicLinkSignIn"]["session"]["token"]
    again = await gql(SIGN_IN, {"input": {"email": "viewer@acme.example", "code": code}})
    assert again["data"]["magicLinkSignIn"]["userErrors"] == [{"code": "INVALID_CODE"}]


async def test_five_wrong_codes_end_the_code(gql, clock, smtp, deliver):
    await gql(REQUEST, {"email": "approver@acme.example"})
    await deliver()
    code = code_in(smtp.last("approver@acme.example"))
    wrong = "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY"
    for _ in range(5):
        body = await gql(SIGN_IN, {"input": {"email": "approver@acme.example", "code": wrong}})
        assert body["data"]["magicLinkSignIn"]["userErrors"] == [{"code": "INVALID_CODE"}]
    clock.advance(seconds=61)  # past the per-minute rate limit; the code is still within its 15 minutes
    body = await gql(SIGN_IN, {"input": {"email": "approver@acme.example", "code": code}})
    assert body["data"]["magicLinkSignIn"]["userErrors"] == [{"code": "INVALID_CODE"}]


async def test_expired_after_fifteen_minutes(gql, clock, smtp, deliver):
    await gql(REQUEST, {"email": "viewer@acme.example"})
    await deliver()
    mail = smtp.last("viewer@acme.example")
    clock.advance(minutes=15)
    body = await gql(SIGN_IN, {"input": {"token": token_in(mail)}})
    assert body["data"]["magicLinkSignIn"]["userErrors"] == [{"code": "EXPIRED_TOKEN"}]
    body = await gql(SIGN_IN, {"input": {"email": "viewer@acme.example", "code": code_in(mail)}})
    assert body["data"]["magicLinkSignIn"]["userErrors"] == [{"code": "INVALID_CODE"}]


async def test_token_and_code_together_is_bad_input(gql):
    body = await gql(SIGN_IN, {"input": {"token": "pqm_x", "email": "viewer@acme.example", "code": "ABCDEF"}})
    assert body["data"]["magicLinkSignIn"]["userErrors"] == [{"code": "INVALID_INPUT"}]


@pytest.mark.postgres
async def test_two_requests_racing_with_one_link_make_one_session(gql, db, smtp, deliver):
    await gql(REQUEST, {"email": "viewer@acme.example"})
    await deliver()
    token = token_in(smtp.last("viewer@acme.example"))
    sessions = await count(db, AuthSession)
    results = await asyncio.gather(*(gql(SIGN_IN, {"input": {"token": token}}) for _ in range(4)))
    made = [r for r in results if r["data"]["magicLinkSignIn"]["session"]]
    assert len(made) == 1 and await count(db, AuthSession) == sessions + 1
    assert sorted(r["data"]["magicLinkSignIn"]["userErrors"][0]["code"] for r in results if r not in made) == \
        ["USED_TOKEN"] * 3
