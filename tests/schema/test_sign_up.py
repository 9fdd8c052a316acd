"""Sign-up with email verification, over HTTP and a real SMTP server."""
from sqlmodel import func, select

from db.models import OutboxMessage, User
from tests.mailbox import body_of, token_in
from tests.support import codes

SIGN_UP = """mutation($input: SignUpInput!) { signUp(input: $input) { userErrors { code field message } } }"""
VERIFY = """mutation($token: String!) { emailVerify(input: {token: $token}) {
  session { token } user { email name } userErrors { code message } } }"""


async def count(db, model):  # type: ignore[no-untyped-def]
    async with db.session() as s:
        return (await s.exec(select(func.count()).select_from(model))).one()


async def test_bad_input_is_refused_and_changes_nothing(gql, db):
    users, mails = await count(db, User), await count(db, OutboxMessage)
    for email, password, code in (("not-an-email", "a-long-enough-pass", "INVALID_EMAIL"),
                                  ("new@example.com", "short", "WEAK_PASSWORD"),
                                  ("new@example.com", "password1234", "WEAK_PASSWORD"),
                                  ("new@example.com", "x" * 300, "WEAK_PASSWORD"),
                                  ("a" * 300 + "@example.com", "a-long-enough-pass", "INVALID_INPUT")):
        body = await gql(SIGN_UP, {"input": {"email": email, "name": "New", "password": password}})
        assert [e["code"] for e in body["data"]["signUp"]["userErrors"]] == [code], (email, password)
    assert (await count(db, User), await count(db, OutboxMessage)) == (users, mails)


async def test_sign_up_verify_and_sign_in(gql, db, smtp, deliver):
    body = await gql(SIGN_UP, {"input": {"email": " New.Person@Example.com ", "name": "New Person",
                                         "password": "correct horse battery"}})
    assert body["data"]["signUp"] == {"userErrors": []}
    assert await count(db, User) == await count(db, User)  # no user before verification
    async with db.session() as s:
        assert (await s.exec(select(User).where(User.email == "new.person@example.com"))).first() is None
    assert (await deliver()).sent == 1
    mail = smtp.last("new.person@example.com")
    assert mail["Subject"] == "Confirm your email address"
    token = token_in(mail)

    body = await gql(VERIFY, {"token": "pqv_forged"})
    assert body["data"]["emailVerify"]["userErrors"][0]["code"] == "INVALID_TOKEN"
    assert body["data"]["emailVerify"]["session"] is None

    body = await gql(VERIFY, {"token": token})
    result = body["data"]["emailVerify"]
    assert result["userErrors"] == [] and result["user"] == {"email": "new.person@example.com", "name": "New Person"}
    me = await gql("{ viewer { email } }", headers={"authorization": f"Bearer {result['session']['token']}"})
    assert me["data"]["viewer"]["email"] == "new.person@example.com"

    again = await gql(VERIFY, {"token": token})
    assert again["data"]["emailVerify"]["userErrors"][0]["code"] == "USED_TOKEN"

    signed = await gql("""mutation { signIn(input: {email: "new.person@example.com", password: "correct horse battery"})
                          { session { token } userErrors { code } } }""")
    assert signed["data"]["signIn"]["session"]["token"]


async def test_existing_email_gets_the_same_answer_and_a_different_mail(gql, db, smtp, deliver):
    users = await count(db, User)
    body = await gql(SIGN_UP, {"input": {"email": "buyer@acme.example", "name": "Someone",
                                         "password": "correct horse battery"}})
    assert body["data"]["signUp"] == {"userErrors": []}
    await deliver()
    assert smtp.last("buyer@acme.example")["Subject"] == "You already have an account"
    assert await count(db, User) == users


async def test_mail_in_german(gql, smtp, deliver):
    await gql(SIGN_UP, {"input": {"email": "neu@example.de", "name": "Neu", "password": "richtig pferd batterie",
                                  "locale": "de-AT"}})
    await deliver()
    mail = smtp.last("neu@example.de")
    assert mail["Subject"] == "Bestätigen Sie Ihre E-Mail-Adresse"
    assert "Hallo Neu" in body_of(mail)


async def test_expired_verification_link(gql, clock, smtp, deliver):
    await gql(SIGN_UP, {"input": {"email": "late@example.com", "name": "Late", "password": "correct horse battery"}})
    await deliver()
    token = token_in(smtp.last("late@example.com"))
    clock.advance(hours=25)
    body = await gql(VERIFY, {"token": token})
    assert body["data"]["emailVerify"]["userErrors"][0]["code"] == "EXPIRED_TOKEN"
    assert "errors" not in body, codes(body)
