"""Every demo person over a license key of a Denver Plant order: who sees the row, and who the key
itself. Expectations are written out, not computed from the table."""
from sqlmodel import select

from db.models import DigitalVariant, Order, User
from domain import digital
from server.settings import Settings
from tests.order_factories import open_order
from tests.support import DEMO_PEOPLE, codes

ADMIN, BUYER, APPROVER = "admin@acme.example", "buyer@acme.example", "approver@acme.example"
SUPPORT, OPS = "support@merchant.example", "ops@merchant.example"

# key -> (readers of the value, those who see the row with the value FORBIDDEN); everyone else: no row.
FIELD_CASES = {"LicenseKey.key": ({ADMIN, BUYER, OPS}, {APPROVER, SUPPORT})}


async def test_license_key_walk(gql, db, clock):
    async with db.session() as s:
        buyer = (await s.exec(select(User).where(User.email == BUYER))).one()
    order, lines = await open_order(db, quantities=(1,), placed_by=buyer.id)
    async with db.transaction() as s:
        s.add(DigitalVariant(variant_id=lines[0].variant_id, license_activations=1))
        await s.flush()
        await digital.grant_for_order(s, await s.get(Order, order.id), Settings().sessions.secret_key, clock.now())
    readers, forbidden = FIELD_CASES["LicenseKey.key"]
    for who in DEMO_PEOPLE:
        body = await gql("{ licenseKeys(first: 5) { nodes { suffix key } } }", as_=who)
        nodes = body["data"]["licenseKeys"]["nodes"]
        mine = [n for n in nodes if n["suffix"] != "XW3RS"]  # not the demo's key of Kanda Seiki
        if who in readers:
            assert "errors" not in body and len(mine) == 1 and mine[0]["key"], (who, body)
        elif who in forbidden:
            assert set(codes(body)) == {"FORBIDDEN"} and mine[0]["key"] is None, (who, body)
        else:
            assert mine == [] and "errors" not in body, (who, body)
