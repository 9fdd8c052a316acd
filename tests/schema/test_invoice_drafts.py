"""A merchant that starts invoices as drafts (PORTALQL_INVOICE_DRAFTS=1): an order's draft follows
its changes until staff finalise it; after that only the difference is billed, on a new draft."""
from decimal import Decimal

import pytest
from sqlmodel import select

from db.enums import InvoiceStatus
from db.models import Invoice, InvoiceLine
from resolvers.globalid import decode, encode
from schema.limits import Limits
from server.settings import Settings
from tests.ordering_support import BUYER, ORDER_PLACE, ORDER_UPDATE, STAFF_ADMIN, data, location_gid, plain
from tests.schema.test_invoicing import FINALIZE


@pytest.fixture
def settings(db):
    s = Settings(database_url=db.url, limits=Limits(bucket_size=1_000_000, restore_rate=1_000_000))
    s.sessions.invoice_drafts = True
    return s


async def _invoices(db, order_pk):
    async with db.session() as s:
        rows = (await s.exec(select(Invoice).where(Invoice.order_id == order_pk).order_by(Invoice.id))).all()
    return [(i.status, i.number, i.total) for i in rows], [i.id for i in rows]


async def test_a_draft_follows_its_order_until_finalised_then_only_the_difference_is_drafted(gql, db):
    v = await plain(db)
    placed = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "drafted", "locationId":
                                                    await location_gid(db, "Denver Plant"),
                                                    "lines": [{"sku": v.sku, "quantity": 2}]}}, as_=BUYER),
                  "orderPlace")["order"]
    order_pk, line = decode(placed["id"])[1], placed["lines"][0]["id"]

    async def change(quantity):
        body = await gql(ORDER_UPDATE, {"input": {"orderId": placed["id"], "lines": [
            {"lineId": line, "quantity": quantity}]}}, as_=BUYER)
        assert data(body, "orderUpdate")["userErrors"] == []
        return data(body, "orderUpdate")["order"]

    [(status, number, _)], [draft_id] = await _invoices(db, order_pk)
    assert (status, number) == (InvoiceStatus.DRAFT, None)
    order = await change(4)  # the draft is rewritten
    [(status, number, total)], _ = await _invoices(db, order_pk)
    assert status is InvoiceStatus.DRAFT and total == Decimal(order["total"]["amount"])
    out = data(await gql(FINALIZE, {"input": {"id": encode("Invoice", draft_id)}}, as_=STAFF_ADMIN),
               "staffInvoiceFinalize")
    assert out["userErrors"] == [] and out["invoice"]["status"] == "OPEN"
    await change(6)  # 2 more: a draft of the difference
    await change(7)  # 3 more than invoiced: that draft is replaced by one of the new difference
    states, ids = await _invoices(db, order_pk)
    assert [s for s, _, _ in states] == [InvoiceStatus.OPEN, InvoiceStatus.VOID, InvoiceStatus.DRAFT]
    async with db.session() as s:
        lines = (await s.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == ids[2]))).all()
    assert [x.quantity for x in lines] == [3]
