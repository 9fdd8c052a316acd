"""Card payment at placement on PostgreSQL: retries of one orderPlace at once charge the card once."""
import asyncio

import pytest

from db.models import Invoice, Order, Payment
from tests.ordering_support import ORDER_PLACE, count, data
from tests.schema.test_checkout import JO, jo_account, jo_request

pytestmark = pytest.mark.postgres


async def test_twenty_retries_at_once_charge_once_and_place_one_order(gql, db, app):
    jo = await jo_account(db)
    await gql("{ viewer { name } }", as_=JO)  # one session for every retry
    request = await jo_request(db, "checkout-retry")
    orders, invoices = await count(db, Order, Order.account_id == jo.id), await count(db, Invoice)
    payments = await count(db, Payment)
    results = await asyncio.gather(*(gql(ORDER_PLACE, request, as_=JO) for _ in range(20)))
    payloads = [data(r, "orderPlace") for r in results]
    placed = {p["order"]["id"] for p in payloads if p["order"]}
    assert len(placed) == 1
    # Every retry answers with the order, or (when it came while the first was running on SQLite) asks to retry.
    assert all(p["order"] or [e["code"] for e in p["userErrors"]] == ["IDEMPOTENCY_KEY_IN_USE"] for p in payloads)
    assert [c[0] for c in app.state.gateway.calls] == ["charge"]
    assert await count(db, Order, Order.account_id == jo.id) == orders + 1
    assert await count(db, Invoice) == invoices + 1 and await count(db, Payment) == payments + 1
