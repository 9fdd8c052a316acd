"""On PostgreSQL: two people confirming a change to one address at once (one gets it, the other is
told EMAIL_TAKEN and keeps its own), two defaults chosen at once in one book (one default left), and
one confirmation link followed twice at once (used once)."""
import asyncio

import pytest
from sqlmodel import select

from db.models import User, UserAddress
from tests.mailbox import token_in
from tests.schema.test_addresses import BOOK_SAVE, HOME
from tests.schema.test_email_change import CONFIRM, REQUEST

pytestmark = pytest.mark.postgres
NEW = "shared@home.example"


async def test_two_people_confirming_one_address_at_once(gql, db, smtp, deliver):
    people = ["buyer@acme.example", "approver@acme.example"]
    for who in people:
        body = await gql(REQUEST, {"email": NEW, "password": "portal-demo"}, as_=who)
        assert body["data"]["emailChangeRequest"]["userErrors"] == []
    await deliver()
    tokens = [token_in(m) for m in smtp.to(NEW)]
    results = await asyncio.gather(*(gql(CONFIRM, {"token": t}) for t in tokens))
    payloads = sorted((r["data"]["emailChangeConfirm"] for r in results), key=lambda p: p["email"] is None)
    assert payloads == [{"email": NEW, "userErrors": []}, {"email": None, "userErrors": [{"code": "EMAIL_TAKEN"}]}]
    async with db.session() as s:
        emails = sorted(u.email for u in (await s.exec(select(User))).all())
    assert emails.count(NEW) == 1 and len([e for e in people if e in emails]) == 1


async def test_one_link_followed_twice_at_once_is_used_once(gql, db, smtp, deliver):
    await gql(REQUEST, {"email": NEW, "password": "portal-demo"}, as_="buyer@acme.example")
    await deliver()
    token = token_in(smtp.last(NEW))
    results = await asyncio.gather(*(gql(CONFIRM, {"token": token}) for _ in range(2)))
    codes = sorted(str(r["data"]["emailChangeConfirm"]["userErrors"]) for r in results)
    assert codes == ["[]", "[{'code': 'USED_TOKEN'}]"]
    await deliver()
    assert len(smtp.to("buyer@acme.example")) == 1  # one notice, one undo link


async def test_two_defaults_chosen_at_once_leave_one(gql, db):
    made = [(await gql(BOOK_SAVE, {"input": {**HOME, "label": f"Cabin {n}"}}, as_="buyer@acme.example"))
            ["data"]["viewerAddressSave"]["address"]["id"] for n in range(2)]
    results = await asyncio.gather(*(gql(BOOK_SAVE, {"input": {**HOME, "id": a, "label": f"Cabin {n}",
                                                               "isDefault": True}}, as_="buyer@acme.example")
                                     for n, a in enumerate(made)))
    assert all(r["data"]["viewerAddressSave"]["userErrors"] == [] for r in results)
    async with db.session() as s:
        rows = (await s.exec(select(UserAddress).where(UserAddress.kind == "SHIPPING",
                                                       UserAddress.is_default.is_(True)))).all()
        buyer = (await s.exec(select(User).where(User.email == "buyer@acme.example"))).one()
    mine = [r for r in rows if r.user_id == buyer.id]
    assert len(mine) == 1 and mine[0].label in {"Cabin 0", "Cabin 1"}
