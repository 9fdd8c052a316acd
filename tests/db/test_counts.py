"""totalCount for staff, whose scope has no WHERE on the table: COUNT(*) must keep its FROM
(it once answered 1 for every staff connection)."""
from sqlmodel import func, select

from db.models import Account, AuditEvent, Invoice, Order, PriceList, RequisitionList, Subscription


async def _count(db, model):
    async with db.session() as s:
        return (await s.exec(select(func.count()).select_from(model))).one()


async def test_staff_totals_count_every_row(gql, db):
    body = await gql("""{ accounts(first: 1) { totalCount } priceLists(first: 1) { totalCount }
        requisitionLists(first: 1) { totalCount } auditEvents(first: 1) { totalCount }
        viewer { orders(first: 1) { totalCount } invoices(first: 1) { totalCount } subscriptions(first: 1) { totalCount } } }""",
                     as_="support@merchant.example")
    assert "errors" not in body, body["errors"]
    d = body["data"]
    assert d["accounts"]["totalCount"] == await _count(db, Account) > 1
    assert d["priceLists"]["totalCount"] == await _count(db, PriceList) > 1
    assert d["requisitionLists"]["totalCount"] == await _count(db, RequisitionList) >= 1
    assert d["auditEvents"]["totalCount"] == await _count(db, AuditEvent)
    assert d["viewer"]["orders"]["totalCount"] == await _count(db, Order) > 1
    assert d["viewer"]["invoices"]["totalCount"] == await _count(db, Invoice) > 1
    assert d["viewer"]["subscriptions"]["totalCount"] == await _count(db, Subscription) > 1
