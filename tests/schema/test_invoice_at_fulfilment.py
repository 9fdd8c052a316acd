"""A merchant that invoices at fulfilment (PORTALQL_INVOICE_ON=FULFILMENT): no invoice at placement,
one at the first shipment, none more at the next."""
from datetime import timedelta

import pytest
from sqlmodel import select

from db.models import Invoice, Order
from resolvers.globalid import decode
from schema.limits import Limits
from server.settings import Settings
from tests.conftest import NOW
from tests.ordering_support import (BUYER, ORDER_PLACE, data, location_gid, plain)
SHIP = """mutation($input: FulfilmentCreateInput!) { fulfilmentCreate(input: $input) { userErrors { code } } }"""


@pytest.fixture
def settings(db):
    s = Settings(database_url=db.url, limits=Limits(bucket_size=1_000_000, restore_rate=1_000_000))
    s.sessions.invoice_on = "FULFILMENT"
    return s


async def _invoices(db, order_pk):
    async with db.session() as s:
        return list((await s.exec(select(Invoice).where(Invoice.order_id == order_pk))).all())


async def test_the_first_shipment_invoices_the_order(gql, db):
    v = await plain(db)
    placed = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "inv-at-ship", "locationId":
                                                    await location_gid(db, "Denver Plant"),
                                                    "lines": [{"sku": v.sku, "quantity": 4}]}}, as_=BUYER),
                  "orderPlace")
    assert placed["userErrors"] == [] and placed["order"]["status"] == "OPEN"
    order_pk = decode(placed["order"]["id"])[1]
    assert await _invoices(db, order_pk) == []
    line = placed["order"]["lines"][0]["id"]
    for quantity in (1, 3):
        body = await gql(SHIP, {"input": {"orderId": placed["order"]["id"], "carrier": "UPS",
                                          "lines": [{"orderLineId": line, "quantity": quantity}]}},
                         as_="ops@merchant.example")
        assert data(body, "fulfilmentCreate")["userErrors"] == []
        invoices = await _invoices(db, order_pk)
        assert len(invoices) == 1
    invoice = invoices[0]
    async with db.session() as s:
        order = await s.get(Order, order_pk)
    assert (invoice.status, invoice.total, invoice.due_date) == ("OPEN", order.total, (NOW + timedelta(days=30)).date())
