"""Password reset: same answer for unknown emails, single-use 1-hour token, other sessions revoked."""
from db.models import OutboxMessage, User
from tests.mailbox import token_in
from tests.schema.test_sign_up import count
from tests.support import row

REQUEST = """mutation($email: String!) { passwordResetRequest(input: {email: $email}) { userErrors { code } } }"""
RESET = """mutation($token: String!, $password: String!) { passwordReset(input: {token: $token, password: $password}) {
  sessionsRevoked userErrors { code field } } }"""
SIGN_IN = """mutation($email: String!, $password: String!) { signIn(input: {email: $email, password: $password}) {
  session { token } userErrors { code } } }"""


async def test_unknown_email_gets_the_same_answer_and_no_mail(gql, db, smtp, deliver):
    known = await gql(REQUEST, {"email": "buyer@acme.example"})
    unknown = await gql(REQUEST, {"email": "nobody@acme.example"})
    assert known["data"] == unknown["data"] == {"passwordResetRequest": {"userErrors": []}}
    await deliver()
    assert [m["To"] for m in smtp.messages] == ["buyer@acme.example"]


async def test_reset_sets_the_password_and_revokes_other_sessions(gql, db, clock, smtp, deliver):
    before = await gql("{ viewer { email } }", as_="buyer@acme.example")  # an existing session
    assert before["data"]["viewer"]["email"] == "buyer@acme.example"
    await gql(REQUEST, {"email": "buyer@acme.example"})
    await deliver()
    token = token_in(smtp.last("buyer@acme.example"))
    old_hash = (await row(db, User, email="buyer@acme.example")).password_hash

    weak = await gql(RESET, {"token": token, "password": "1234567890"})
    assert weak["data"]["passwordReset"]["userErrors"] == [{"code": "WEAK_PASSWORD", "field": ["input", "password"]}]
    assert (await row(db, User, email="buyer@acme.example")).password_hash == old_hash

    wrong = await gql(RESET, {"token": token[:-2] + "xx", "password": "a brand new secret"})
    assert wrong["data"]["passwordReset"]["userErrors"][0]["code"] == "INVALID_TOKEN"

    done = await gql(RESET, {"token": token, "password": "a brand new secret"})
    assert done["data"]["passwordReset"] == {"sessionsRevoked": 1, "userErrors": []}
    after = await gql("{ viewer { email } }", as_="buyer@acme.example")
    assert after["_status"] == 401 and after["errors"][0]["extensions"]["reason"] == "SESSION_REVOKED"

    reused = await gql(RESET, {"token": token, "password": "another new secret"})
    assert reused["data"]["passwordReset"]["userErrors"][0]["code"] == "USED_TOKEN"
    old = await gql(SIGN_IN, {"email": "buyer@acme.example", "password": "portal-demo"})
    assert old["data"]["signIn"]["userErrors"] == [{"code": "INVALID_CREDENTIALS"}]
    new = await gql(SIGN_IN, {"email": "buyer@acme.example", "password": "a brand new secret"})
    assert new["data"]["signIn"]["session"]["token"]
    await deliver()
    assert smtp.last("buyer@acme.example")["Subject"] == "Your password was changed"


async def test_expired_and_superseded_tokens(gql, db, clock, smtp, deliver):
    await gql(REQUEST, {"email": "ap@acme.example"})
    await gql(REQUEST, {"email": "ap@acme.example"})
    await deliver()
    first, second = (token_in(m) for m in smtp.to("ap@acme.example"))
    superseded = await gql(RESET, {"token": first, "password": "a brand new secret"})
    assert superseded["data"]["passwordReset"]["userErrors"][0]["code"] == "USED_TOKEN"
    clock.advance(minutes=61)
    expired = await gql(RESET, {"token": second, "password": "a brand new secret"})
    assert expired["data"]["passwordReset"]["userErrors"][0]["code"] == "EXPIRED_TOKEN"
    assert await count(db, OutboxMessage) == 2
