"""Role changes: an ADMIN replaces a member's roles; audited; the last ADMIN stays."""
import asyncio

import pytest
from sqlmodel import func, select

from db.enums import Role
from db.models import Account, Location, Membership, MembershipRole, User
from db.repositories import members as members_repo
from tests.schema.test_sign_up import count
from tests.support import codes, gid, row, slowed

SET = """mutation($input: MembershipRolesSetInput!) { membershipRolesSet(input: $input) {
  membership { roles { role location { name } } } userErrors { code } } }"""


async def membership_of(db, email):  # type: ignore[no-untyped-def]
    return await gid(db, Membership, user_id=(await row(db, User, email=email)).id)


async def test_only_an_admin_changes_roles(gql, db):
    buyer = await membership_of(db, "buyer@acme.example")
    roles = await count(db, MembershipRole)
    mine = await gql(SET, {"input": {"membershipId": buyer, "roles": [{"role": "ADMIN"}]}}, as_="buyer@acme.example")
    assert codes(mine) == ["FORBIDDEN"]
    other = await gql(SET, {"input": {"membershipId": buyer, "roles": [{"role": "ADMIN"}]}}, as_="admin@globex.example")
    assert codes(other) == ["NOT_FOUND"]
    assert await count(db, MembershipRole) == roles
    assert (await gql("{ viewer { memberships { roles { role } } } }", as_="buyer@acme.example"))["data"]["viewer"][
        "memberships"][0]["roles"] == [{"role": "BUYER"}]


async def test_admin_changes_roles_and_it_is_audited(gql, db):
    buyer = await membership_of(db, "buyer@acme.example")
    austin = await gid(db, Location, name="Austin Warehouse")
    body = await gql(SET, {"input": {"membershipId": buyer, "roles": [{"role": "APPROVER", "locationIds": [austin]},
                                                                      {"role": "VIEWER"}]}},
                     as_="admin@acme.example")
    assert body["data"]["membershipRolesSet"] == {"membership": {"roles": [
        {"role": "APPROVER", "location": {"name": "Austin Warehouse"}}, {"role": "VIEWER", "location": None}]},
        "userErrors": []}
    seen = await gql("{ viewer { memberships { roles { role } } } }", as_="buyer@acme.example")
    assert seen["data"]["viewer"]["memberships"][0]["roles"] == [{"role": "APPROVER"}, {"role": "VIEWER"}]
    log = await gql('{ auditEvents(filter: {actions: ["membership.roles_changed"]}) { nodes { actor { email } data } } }',
                    as_="admin@acme.example")
    event = log["data"]["auditEvents"]["nodes"][0]
    assert event["actor"] == {"email": "admin@acme.example"}
    assert [g["role"] for g in event["data"]["before"]] == ["BUYER"]
    assert [g["role"] for g in event["data"]["after"]] == ["APPROVER", "VIEWER"]


async def test_the_last_admin_stays(gql, db):
    admin = await membership_of(db, "admin@acme.example")
    roles = await count(db, MembershipRole)
    body = await gql(SET, {"input": {"membershipId": admin, "roles": [{"role": "VIEWER"}]}}, as_="admin@acme.example")
    assert body["data"]["membershipRolesSet"]["userErrors"] == [{"code": "LAST_ADMIN"}]
    empty = await gql(SET, {"input": {"membershipId": admin, "roles": []}}, as_="admin@acme.example")
    assert empty["data"]["membershipRolesSet"]["userErrors"] == [{"code": "INVALID_ROLES"}]
    assert await count(db, MembershipRole) == roles


@pytest.mark.postgres
async def test_two_admins_demoting_each_other_at_once_leave_one_admin(gql, db, monkeypatch):
    admin, approver = await membership_of(db, "admin@acme.example"), await membership_of(db, "approver@acme.example")
    promoted = await gql(SET, {"input": {"membershipId": approver, "roles": [{"role": "ADMIN"}]}},
                         as_="admin@acme.example")
    assert promoted["data"]["membershipRolesSet"]["userErrors"] == []
    slowed(monkeypatch, members_repo, "other_admins")  # both requests are between the check and the change
    demote = [(approver, "admin@acme.example"), (admin, "approver@acme.example")]
    results = await asyncio.gather(*(gql(SET, {"input": {"membershipId": m, "roles": [{"role": "VIEWER"}]}}, as_=who)
                                     for m, who in demote))
    errors = sorted(str(r["data"]["membershipRolesSet"]["userErrors"]) for r in results)
    assert errors == ["[]", "[{'code': 'LAST_ADMIN'}]"]
    async with db.session() as s:
        admins = (await s.exec(select(func.count()).select_from(MembershipRole).join(Membership).where(
            Membership.account_id == (await row(db, Account, name="Acme Industrial")).id,
            MembershipRole.role == Role.ADMIN, MembershipRole.location_id.is_(None)))).one()
    assert admins == 1
