"""The database holds one invoice per order: a second one cannot be written, whatever the code did."""
import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from db.models import Account, Invoice, Order
from domain.invoicing import invoice_order
from tests.conftest import NOW


async def test_an_order_cannot_get_a_second_invoice(db):
    async with db.session() as s:
        invoiced = select(Invoice.order_id).where(Invoice.order_id.is_not(None))
        order = (await s.exec(select(Order).where(Order.id.in_(invoiced)).order_by(Order.id)
                               .limit(1))).one()
        before = len((await s.exec(select(Invoice).where(Invoice.order_id == order.id))).all())
    assert before == 1
    with pytest.raises(IntegrityError):
        async with db.transaction() as s:
            account = (await s.exec(select(Account).where(Account.id == order.account_id))).one()
            await invoice_order(s, order, account, NOW)
    async with db.session() as s:
        assert len((await s.exec(select(Invoice).where(Invoice.order_id == order.id))).all()) == 1
