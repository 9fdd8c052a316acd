"""A person working at human speed is never throttled: a list page is charged for its rows (the
amounts on them are free), and the default bucket lets someone click through 20 invoice pages of
50 as fast as they can."""
from graphql import parse

from schema.cost import requested_cost
from schema.limits import Limits
from schema.root import schema
from tests.conftest import make_token
from tests.server.helpers import client_for

# The invoice list of an accounts-payable page: every amount of each invoice and its order.
INVOICE_PAGE = """query Invoices($after: String) { viewer { invoices(first: 50, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  nodes { id number status issuedAt dueDate paidAt isOverdue poNumber
    subtotal { amount currencyCode } tax { amount currencyCode } total { amount currencyCode }
    amountPaid { amount currencyCode } amountDue { amount currencyCode } order { number } } } } }"""
ORDER_PAGE = """{ viewer { orders(first: 50) { totalCount pageInfo { hasNextPage endCursor }
  nodes { number status placedAt total { amount currencyCode }
    lines { sku quantity unitPrice { amount } total { amount } variant { sku listPrice { amount } } }
    fulfilments { status carrier trackingNumber } } } } }"""


def test_a_list_page_is_charged_for_its_rows():
    cost = requested_cost(schema._schema, parse(INVOICE_PAGE))
    assert cost == 2 + 50 * 2  # viewer, connection, and per invoice: the invoice and its order
    # 20 full pages at 4 clicks a second, faster than anyone reads a page of 50 invoices
    limits = Limits()
    assert 20 * cost <= limits.bucket_size + 19 * 0.25 * limits.restore_rate
    # per order: the order, its lines, their variants, its fulfilments
    assert requested_cost(schema._schema, parse(ORDER_PAGE)) == 2 + 50 * 4


async def test_twenty_invoice_pages_clicked_through_at_once_are_not_throttled(db, clock):
    token = await make_token(db, "ap@acme.example", clock.now())
    async with client_for(db, clock) as c:  # the default limits
        for page in range(20):
            body = (await c.post("/graphql", json={"query": INVOICE_PAGE},
                                 headers={"authorization": f"Bearer {token}"})).json()
            assert "errors" not in body, (page, body)
            invoices = body["data"]["viewer"]["invoices"]["nodes"]
            cost = body["extensions"]["cost"]
            # what was asked for less the rows that were not there: the rest went back to the bucket
            assert cost["actualQueryCost"] == cost["requestedQueryCost"] - 2 * (50 - len(invoices)), page
    assert invoices and cost["throttleStatus"]["maximumAvailable"] == Limits().bucket_size
