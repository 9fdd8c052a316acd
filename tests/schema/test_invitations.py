"""Invitations: an ADMIN invites with roles and locations; the invitee accepts and is signed in."""
import asyncio

import pytest
from db.models import Account, AuditEvent, Invitation, Location, Membership
from db.repositories.invitations import InvitationRepository
from tests.mailbox import token_in
from tests.schema.test_sign_up import count
from sqlmodel import func, select

from resolvers.globalid import encode
from tests.support import codes, gid, row, slowed

CREATE = """mutation($input: InvitationCreateInput!) { invitationCreate(input: $input) {
  invitation { id email roles { role location { name } } } userErrors { code field } } }"""
ACCEPT = """mutation($input: InvitationAcceptInput!) { invitationAccept(input: $input) {
  session { token } user { email name } userErrors { code field } } }"""


async def invite(gql, db, email="new.buyer@example.com", as_="admin@acme.example"):  # type: ignore[no-untyped-def]
    acme = await gid(db, Account, name="Acme Industrial")
    denver = await gid(db, Location, name="Denver Plant")
    return await gql(CREATE, {"input": {"accountId": acme, "email": email,
                                        "roles": [{"role": "BUYER", "locationIds": [denver]}, {"role": "VIEWER"}]}},
                     as_=as_)


async def test_only_an_admin_of_the_account_invites(gql, db):
    buyer = await invite(gql, db, as_="buyer@acme.example")
    assert codes(buyer) == ["FORBIDDEN"]
    outsider = await invite(gql, db, as_="admin@globex.example")
    assert codes(outsider) == ["NOT_FOUND"]
    anonymous = await invite(gql, db, as_=None)
    assert codes(anonymous) == ["UNAUTHENTICATED"]
    assert await count(db, Invitation) == 0
    body = await invite(gql, db)
    invitation = body["data"]["invitationCreate"]["invitation"]
    assert invitation["email"] == "new.buyer@example.com"
    assert invitation["roles"] == [{"role": "BUYER", "location": {"name": "Denver Plant"}},
                                   {"role": "VIEWER", "location": None}]


async def test_bad_invitations_change_nothing(gql, db):
    acme = await gid(db, Account, name="Acme Industrial")
    globex = await row(db, Account, name="Globex GmbH")
    async with db.session() as s:
        other = (await s.exec(select(Location).where(Location.account_id == globex.id))).first()
    globex_location = encode("Location", other.id)  # a location of another account
    for email, roles, code in (("bad", [{"role": "BUYER"}], "INVALID_EMAIL"),
                               ("x@example.com", [], "INVALID_ROLES"),
                               ("x@example.com", [{"role": "BUYER", "locationIds": [globex_location]}],
                                "INVALID_LOCATION"),
                               ("buyer@acme.example", [{"role": "BUYER"}], "ALREADY_MEMBER")):
        body = await gql(CREATE, {"input": {"accountId": acme, "email": email, "roles": roles}}, as_="admin@acme.example")
        assert [e["code"] for e in body["data"]["invitationCreate"]["userErrors"]] == [code]
    assert await count(db, Invitation) == 0


async def test_new_person_accepts_and_gets_the_roles(gql, db, smtp, deliver):
    await invite(gql, db)
    await deliver()
    mail = smtp.last("new.buyer@example.com")
    assert mail["Subject"].endswith("invited you to Acme Industrial")
    token = token_in(mail)
    memberships = await count(db, Membership)
    weak = await gql(ACCEPT, {"input": {"token": token, "name": "Nia New", "password": "qwerty1234"}})
    assert weak["data"]["invitationAccept"]["userErrors"][0]["code"] == "WEAK_PASSWORD"
    assert await count(db, Membership) == memberships
    body = await gql(ACCEPT.replace("user { email name }", "user { email name memberships { account { name } } }"),
                     {"input": {"token": token, "name": "Nia New", "password": "a good long secret"}})
    result = body["data"]["invitationAccept"]
    # The answer is read as the person who just joined.
    assert result["user"].pop("memberships") == [{"account": {"name": "Acme Industrial"}}]
    assert result["user"] == {"email": "new.buyer@example.com", "name": "Nia New"}
    me = await gql("{ viewer { memberships { account { name } roles { role location { name } } } } }",
                   headers={"authorization": f"Bearer {result['session']['token']}"})
    assert me["data"]["viewer"]["memberships"] == [{"account": {"name": "Acme Industrial"}, "roles": [
        {"role": "BUYER", "location": {"name": "Denver Plant"}}, {"role": "VIEWER", "location": None}]}]
    again = await gql(ACCEPT, {"input": {"token": token, "name": "Nia New"}})
    assert again["data"]["invitationAccept"]["userErrors"][0]["code"] == "USED_TOKEN"


async def test_existing_user_accepts_without_a_password(gql, db, smtp, deliver):
    await invite(gql, db, email="jo@example.com")
    await deliver()
    body = await gql(ACCEPT, {"input": {"token": token_in(smtp.last("jo@example.com"))}})
    assert body["data"]["invitationAccept"]["user"]["email"] == "jo@example.com"
    accounts = await gql("{ viewer { accounts { name } } }", as_="jo@example.com")
    assert {"name": "Acme Industrial"} in accounts["data"]["viewer"]["accounts"]


async def test_expired_and_revoked_invitations(gql, db, clock, smtp, deliver):
    created = await invite(gql, db)
    await deliver()
    token = token_in(smtp.last("new.buyer@example.com"))
    pending = await gql("{ accounts { nodes { invitations { email } } } }", as_="admin@acme.example")
    assert pending["data"]["accounts"]["nodes"][0]["invitations"] == [{"email": "new.buyer@example.com"}]
    hidden = await gql("{ accounts { nodes { invitations { email } } } }", as_="buyer@acme.example")
    assert codes(hidden) == ["FORBIDDEN"]
    revoke = """mutation($id: ID!) { invitationRevoke(input: {id: $id}) { invitation { revokedAt } userErrors { code } } }"""
    invitation_id = created["data"]["invitationCreate"]["invitation"]["id"]
    assert codes(await gql(revoke, {"id": invitation_id}, as_="buyer@acme.example")) == ["NOT_FOUND"]
    done = await gql(revoke, {"id": invitation_id}, as_="admin@acme.example")
    assert done["data"]["invitationRevoke"]["invitation"]["revokedAt"]
    body = await gql(ACCEPT, {"input": {"token": token, "name": "Nia"}})
    assert body["data"]["invitationAccept"]["userErrors"][0]["code"] == "INVALID_TOKEN"

    await invite(gql, db)
    await deliver()
    clock.advance(days=8)
    late = await gql(ACCEPT, {"input": {"token": token_in(smtp.last("new.buyer@example.com")), "name": "Nia"}})
    assert late["data"]["invitationAccept"]["userErrors"][0]["code"] == "EXPIRED_TOKEN"


@pytest.mark.postgres
async def test_two_revocations_at_once_revoke_once(gql, db, monkeypatch):
    created = await invite(gql, db)
    invitation_id = created["data"]["invitationCreate"]["invitation"]["id"]
    slowed(monkeypatch, InvitationRepository, "get_locked")  # each holds the invitation it read for a moment
    revoke = """mutation($id: ID!) { invitationRevoke(input: {id: $id}) { invitation { revokedAt } userErrors { code } } }"""
    results = await asyncio.gather(*(gql(revoke, {"id": invitation_id}, as_=who) for who in
                                     ("admin@acme.example", "ops@merchant.example", "admin@acme.example")))
    answers = sorted(str(r["data"]["invitationRevoke"]["userErrors"]) for r in results)
    assert answers == ["[]", "[{'code': 'NOT_PENDING'}]", "[{'code': 'NOT_PENDING'}]"]
    async with db.session() as s:
        events = (await s.exec(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.action == "invitation.revoke"))).one()
    assert events == 1
