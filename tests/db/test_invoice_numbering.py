"""Invoice numbers are gapless and unique when many drafts are finalised at once, and a finalisation
that rolls back gives its number back (PostgreSQL: the sequence row's lock; SQLite: the write lock)."""
import asyncio
from datetime import datetime, timezone
from decimal import Decimal

from sqlmodel import select

from db.enums import InvoiceStatus
from db.models import Account, DocumentSequence, Invoice
from db.repositories.billing import lock_invoice
from domain.invoicing import MerchantSettings, finalize

# A year the demo has no invoices in: its series starts at 1.
LATER = datetime(2031, 3, 1, 9, 0, tzinfo=timezone.utc)
MERCHANT = MerchantSettings()


class RolledBack(Exception):
    pass


async def _drafts(db, n: int) -> list[int]:
    async with db.transaction() as s:
        acme = (await s.exec(select(Account).where(Account.name == "Acme Industrial"))).one()
        drafts = [Invoice(account_id=acme.id, status=InvoiceStatus.DRAFT, currency="USD", subtotal=Decimal("10"),
                          tax=Decimal("0"), total=Decimal("10"), amount_due=Decimal("10"), issued_at=LATER,
                          due_date=LATER.date()) for _ in range(n)]
        s.add_all(drafts)
        await s.flush()
        return [d.id for d in drafts]


async def _finalise(db, invoice_id: int, roll_back: bool = False) -> None:
    async with db.transaction() as s:
        invoice = await lock_invoice(s, invoice_id)
        await finalize(s, invoice, MERCHANT, LATER)
        if roll_back:
            raise RolledBack


async def _numbers(db, ids: list[int]) -> list[str | None]:
    async with db.session() as s:
        rows = (await s.exec(select(Invoice).where(Invoice.id.in_(ids)))).all()
    return [r.number for r in rows]


async def test_fifty_drafts_finalised_at_once_take_numbers_one_to_fifty(db):
    ids = await _drafts(db, 51)
    doomed = ids[25]
    results = await asyncio.gather(*(_finalise(db, i, roll_back=i == doomed) for i in ids), return_exceptions=True)
    assert [type(r) for r in results if r is not None] == [RolledBack]
    numbers = await _numbers(db, ids)
    issued = sorted(n for n in numbers if n is not None)
    # No gap and no duplicate, the rolled-back finalisation's number taken by another.
    assert issued == [f"INV-2031-{k:06d}" for k in range(1, 51)]
    async with db.session() as s:
        assert (await s.exec(select(Invoice).where(Invoice.id == doomed))).one().number is None
        seq = (await s.exec(select(DocumentSequence).where(DocumentSequence.series == "INVOICE",
                                                           DocumentSequence.year == 2031))).one()
    assert seq.last_value == 50
    # The rolled-back draft, finalised later, continues the series.
    await _finalise(db, doomed)
    assert await _numbers(db, [doomed]) == ["INV-2031-000051"]
