"""Changing one's email: a link to the new address confirms it, the old address is told and can
undo it for 72 hours; an address that has an account is refused and nothing is sent."""
from sqlmodel import select

from db.models import Account, AuthToken, OutboxMessage, User
from tests.mailbox import body_of, token_in
from tests.schema.test_sign_up import count
from tests.server.test_customer_sessions import api_key
from tests.support import codes, gid, row

BUYER = "buyer@acme.example"
NEW = "bob@buyer-home.example"
REQUEST = """mutation($email: String!, $password: String) {
  emailChangeRequest(input: {newEmail: $email, password: $password}) { pendingEmail userErrors { code field } } }"""
CONFIRM = """mutation($token: String!) { emailChangeConfirm(input: {token: $token}) { email userErrors { code } } }"""
UNDO = """mutation($token: String!) { emailChangeUndo(input: {token: $token}) { sessionsRevoked userErrors { code } } }"""
SIGN_IN = """mutation($email: String!) { signIn(input: {email: $email, password: "portal-demo"}) {
  session { token } userErrors { code } } }"""


async def email_of(db, user_id):
    return (await row(db, User, id=user_id)).email


async def test_anonymous_cannot_ask_and_bad_requests_change_nothing(gql, db, clock):
    body = await gql(REQUEST, {"email": NEW, "password": "portal-demo"})
    assert codes(body) == ["UNAUTHENTICATED"]
    for email, password, code in ((NEW, "wrong password", "INVALID_CREDENTIALS"),
                                  (NEW, None, "INVALID_CREDENTIALS"),
                                  ("not an address", "portal-demo", "INVALID_EMAIL"),
                                  (" Buyer@Acme.example ", "portal-demo", "SAME_EMAIL"),
                                  ("a" * 250 + "@x.example", "portal-demo", "INVALID_EMAIL"),
                                  (NEW, "p" * 5000, "INVALID_CREDENTIALS")):
        body = await gql(REQUEST, {"email": email, "password": password}, as_=BUYER)
        assert [e["code"] for e in body["data"]["emailChangeRequest"]["userErrors"]] == [code], email
        clock.advance(minutes=1)
    assert await count(db, OutboxMessage) == 0
    assert await count(db, AuthToken) == 0


async def test_requests_are_rate_limited_per_person(gql, db):
    for n in range(3):
        body = await gql(REQUEST, {"email": f"bob{n}@home.example", "password": "portal-demo"}, as_=BUYER)
        assert body["data"]["emailChangeRequest"]["userErrors"] == []
    body = await gql(REQUEST, {"email": "bob4@home.example", "password": "portal-demo"}, as_=BUYER)
    assert codes(body) == ["THROTTLED"]
    assert await count(db, OutboxMessage) == 3


async def test_an_address_that_has_an_account_is_refused_and_nothing_is_sent(gql, db):
    buyer = await row(db, User, email=BUYER)
    body = await gql(REQUEST, {"email": "Admin@Acme.example", "password": "portal-demo"}, as_=BUYER)
    assert body["data"]["emailChangeRequest"] == {
        "pendingEmail": None, "userErrors": [{"code": "EMAIL_TAKEN", "field": ["input", "newEmail"]}]}
    assert await count(db, OutboxMessage) == 0 and await count(db, AuthToken) == 0
    assert await email_of(db, buyer.id) == BUYER


async def test_change_confirmed_from_the_new_address_and_undone_from_the_old(gql, db, clock, smtp, deliver):
    buyer = await row(db, User, email=BUYER)
    before = await gql("{ viewer { email } }", as_=BUYER)
    assert before["data"]["viewer"]["email"] == BUYER
    body = await gql(REQUEST, {"email": " Bob@Buyer-Home.example", "password": "portal-demo"}, as_=BUYER)
    assert body["data"]["emailChangeRequest"] == {"pendingEmail": NEW, "userErrors": []}
    assert await email_of(db, buyer.id) == BUYER  # nothing changes until the new address confirms
    # In the outbox: one security mail, to the new address only.
    async with db.session() as s:
        queued = (await s.exec(select(OutboxMessage))).all()
    assert [(m.to_address, m.template) for m in queued] == [(NEW, "email_change_confirm")]
    await deliver()
    mail = smtp.last(NEW)
    assert mail["Subject"] == "Confirm your new email address"
    token = token_in(mail)
    assert "/confirm-email-change?token=pqe_" in body_of(mail)

    wrong = await gql(CONFIRM, {"token": token[:-3] + "xyz"})
    assert wrong["data"]["emailChangeConfirm"]["userErrors"] == [{"code": "INVALID_TOKEN"}]
    done = await gql(CONFIRM, {"token": token})
    assert done["data"]["emailChangeConfirm"] == {"email": NEW, "userErrors": []}
    assert await email_of(db, buyer.id) == NEW
    again = await gql(CONFIRM, {"token": token})
    assert again["data"]["emailChangeConfirm"]["userErrors"] == [{"code": "USED_TOKEN"}]
    assert (await gql(SIGN_IN, {"email": NEW}))["data"]["signIn"]["session"]["token"]
    assert (await gql(SIGN_IN, {"email": BUYER}))["data"]["signIn"]["userErrors"] == [{"code": "INVALID_CREDENTIALS"}]

    # The old address is told, with a link that undoes it.
    await deliver()
    notice = smtp.last(BUYER)
    assert notice["Subject"] == "The email address of your account was changed"
    assert NEW in body_of(notice) and "72 hours" in body_of(notice)
    undo = token_in(notice)
    assert undo.startswith("pqu_")
    clock.advance(hours=71)
    body = await gql(UNDO, {"token": undo})
    assert body["data"]["emailChangeUndo"]["userErrors"] == []
    assert body["data"]["emailChangeUndo"]["sessionsRevoked"] >= 2  # the test's session and the sign-in above
    assert await email_of(db, buyer.id) == BUYER
    after = await gql("{ viewer { email } }", as_=BUYER)
    assert after["_status"] == 401  # every session signed out
    assert (await gql(UNDO, {"token": undo}))["data"]["emailChangeUndo"]["userErrors"] == [{"code": "USED_TOKEN"}]
    assert (await gql(SIGN_IN, {"email": BUYER}))["data"]["signIn"]["session"]["token"]


async def test_undo_expires_after_72_hours_and_links_are_single_use(gql, db, clock, smtp, deliver):
    await gql(REQUEST, {"email": NEW, "password": "portal-demo"}, as_=BUYER)
    await gql(REQUEST, {"email": "bob@second.example", "password": "portal-demo"}, as_=BUYER)
    await deliver()
    first, second = token_in(smtp.last(NEW)), token_in(smtp.last("bob@second.example"))
    superseded = await gql(CONFIRM, {"token": first})  # only the newest request's link works
    assert superseded["data"]["emailChangeConfirm"]["userErrors"] == [{"code": "USED_TOKEN"}]
    assert (await gql(CONFIRM, {"token": second}))["data"]["emailChangeConfirm"]["email"] == "bob@second.example"
    await deliver()
    undo = token_in(smtp.last(BUYER))
    clock.advance(hours=72, minutes=1)
    late = await gql(UNDO, {"token": undo})
    assert late["data"]["emailChangeUndo"]["userErrors"] == [{"code": "EXPIRED_TOKEN"}]
    assert (await row(db, User, email="bob@second.example")).name == "Bob Buyer"


async def test_confirm_expires_and_a_taken_address_is_refused_at_confirmation(gql, db, clock, smtp, deliver):
    await gql(REQUEST, {"email": NEW, "password": "portal-demo"}, as_=BUYER)
    await deliver()
    token = token_in(smtp.last(NEW))
    # Meanwhile the new address got an account of its own (the approver took it first).
    body = await gql(REQUEST, {"email": NEW, "password": "portal-demo"}, as_="approver@acme.example")
    assert body["data"]["emailChangeRequest"]["userErrors"] == []
    await deliver()
    approver_token = token_in(smtp.last(NEW))
    assert (await gql(CONFIRM, {"token": approver_token}))["data"]["emailChangeConfirm"]["email"] == NEW
    taken = await gql(CONFIRM, {"token": token})
    assert taken["data"]["emailChangeConfirm"] == {"email": None, "userErrors": [{"code": "EMAIL_TAKEN"}]}
    assert (await row(db, User, email=NEW)).name == "Avery Approver"  # nothing served to the buyer
    assert await row(db, User, email=BUYER)
    # An expired link.
    await gql(REQUEST, {"email": "bob@later.example", "password": "portal-demo"}, as_=BUYER)
    await deliver()
    clock.advance(hours=24, minutes=1)
    late = await gql(CONFIRM, {"token": token_in(smtp.last("bob@later.example"))})
    assert late["data"]["emailChangeConfirm"]["userErrors"] == [{"code": "EXPIRED_TOKEN"}]


async def test_german_speakers_get_german_mail(gql, db, smtp, deliver):
    await gql(REQUEST, {"email": "greta@home.example", "password": "portal-demo"}, as_="admin@globex.example")
    await deliver()
    assert smtp.last("greta@home.example")["Subject"] == "Bestätigen Sie Ihre neue E-Mail-Adresse"
    await gql(CONFIRM, {"token": token_in(smtp.last("greta@home.example"))})
    await deliver()
    assert smtp.last("admin@globex.example")["Subject"] == "Die E-Mail-Adresse Ihres Kontos wurde geändert"


async def test_sessions_the_merchants_backend_made_cannot_change_the_email(gql, db, client, clock):
    key = {"authorization": f"Bearer {await api_key(db, clock)}"}
    made = await client.post("/customer-sessions", json={"email": BUYER, "accountId": await gid(
        db, Account, name="Acme Industrial"), "minutes": 10}, headers=key)
    token = made.json()["token"]
    body = await gql(REQUEST, {"email": NEW, "password": "portal-demo"}, headers={"authorization": f"Bearer {token}"})
    assert codes(body) == ["FORBIDDEN"]
    assert await count(db, OutboxMessage) == 0
