"""Every mutation that commits is in the audit log, also those without an event of their own."""
from sqlmodel import select

from db.models import AuditEvent, Cart
from resolvers.globalid import decode
from tests.ordering_support import BUYER, LINES_ADD, data, new_cart, plain
from tests.support import row


async def _actions(db) -> list[str]:
    async with db.session() as s:
        return list((await s.exec(select(AuditEvent.action).order_by(AuditEvent.id))).all())


async def test_cart_changes_are_audited_and_failed_ones_are_not(gql, db):
    before = await _actions(db)
    v = await plain(db)
    cart = await new_cart(gql, db, [{"sku": v.sku, "quantity": 2}])
    refused = data(await gql(LINES_ADD, {"input": {"cartId": cart["id"], "lines": [{"sku": "NO-SUCH-SKU", "quantity": 1}]}},
                             as_=BUYER), "cartLinesAdd")
    assert refused["userErrors"], refused
    added = data(await gql(LINES_ADD, {"input": {"cartId": cart["id"], "lines": [{"sku": v.sku, "quantity": 3}]}},
                           as_=BUYER), "cartLinesAdd")
    assert added["userErrors"] == []
    after = await _actions(db)
    assert after[len(before):] == ["cart.create", "cart.lines_add"]
    stored = await row(db, Cart, id=decode(cart["id"])[1])
    async with db.session() as s:
        event = (await s.exec(select(AuditEvent).where(AuditEvent.action == "cart.create"))).one()
    assert (event.account_id, event.target_type, event.target_id) == (stored.account_id, "Cart", stored.id)
    assert event.actor_kind == "CUSTOMER" and event.ip == "203.0.113.7"
