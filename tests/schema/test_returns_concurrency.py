"""Two buyers returning the same lines, two staff deciding on one return, two refunds of one return
at once: exactly one wins, the others get the userError they would get one after the other, and
money is written once. Runs on SQLite and on PostgreSQL (where it matters most: several workers,
real row locks)."""
import asyncio
from decimal import Decimal

from sqlmodel import select

from db.models import AuditEvent, OutboxMessage, Refund, ReturnRequest
from db.models.returns import ReturnStatus
from tests.order_factories import BUYER, STAFF_ADMIN, count, get, shipped_order
from tests.schema.test_returns import DECIDE, REFUND, REQUEST, _input


async def _requested(gql, db) -> tuple[str, int]:
    order, lines = await shipped_order(db)
    body = await gql(REQUEST, {"input": _input(order, lines[:1], [1])}, as_=BUYER)
    ret = body["data"]["returnRequest"]["return"]
    async with db.session() as s:
        pk = (await s.exec(select(ReturnRequest.id).where(ReturnRequest.number == ret["number"]))).one()
    return ret["id"], pk


async def _events(db, pk: int, prefix: str) -> list[str]:
    async with db.session() as s:
        return list((await s.exec(select(AuditEvent.action).where(AuditEvent.target_type == "Return",
                                                                  AuditEvent.target_id == pk,
                                                                  AuditEvent.action.startswith(prefix))
                                  .order_by(AuditEvent.id))).all())


async def test_concurrent_returns_of_the_same_line_hold_it_once(gql, db):
    order, lines = await shipped_order(db)
    await gql("{ viewer { name } }", as_=BUYER)
    qty = lines[0].quantity
    bodies = await asyncio.gather(*[gql(REQUEST, {"input": _input(order, lines[:1], [qty])}, as_=BUYER)
                                    for _ in range(4)])
    ok = [b for b in bodies if b["data"]["returnRequest"]["return"]]
    assert len(ok) == 1, bodies
    assert all([e["code"] for e in b["data"]["returnRequest"]["userErrors"]] == ["QUANTITY_EXCEEDS_RETURNABLE"]
               for b in bodies if b not in ok), bodies
    assert await count(db, ReturnRequest, order_id=order.id) == 1


async def test_approving_and_declining_one_return_at_once_has_one_winner(gql, db):
    await gql("{ viewer { name } }", as_=STAFF_ADMIN)
    for _ in range(3):
        rid, pk = await _requested(gql, db)
        mails = await count(db, OutboxMessage)
        decisions = ["returnApprove", "returnDecline"] * 2
        bodies = await asyncio.gather(*[gql(DECIDE % m, {"input": {"id": rid, "note": "looked at it"}}, as_=STAFF_ADMIN)
                                        for m in decisions])
        results = [(m, b["data"][m]) for m, b in zip(decisions, bodies)]
        won = [m for m, r in results if r["return"] is not None]
        assert len(won) == 1, bodies
        assert all([e["code"] for e in r["userErrors"]] == ["INVALID_STATUS"] for m, r in results
                   if r["return"] is None), bodies
        final = (await get(db, ReturnRequest, pk)).status
        assert final is (ReturnStatus.APPROVED if won == ["returnApprove"] else ReturnStatus.DECLINED)
        assert await _events(db, pk, "return.") == ["return.request", won[0].replace("return", "return.").lower()]
        assert await count(db, OutboxMessage) == mails + 1  # one decision mailed, not two


async def test_refunding_one_return_twice_at_once_writes_one_refund(gql, db):
    rid, pk = await _requested(gql, db)
    for m in ("returnApprove", "returnReceive"):
        assert (await gql(DECIDE % m, {"input": {"id": rid}}, as_=STAFF_ADMIN))["data"][m]["userErrors"] == []
    bodies = await asyncio.gather(*[gql(REFUND, {"input": {"id": rid, "note": f"refund {i}"}}, as_=STAFF_ADMIN)
                                    for i in range(4)])
    results = [b["data"]["returnRefund"] for b in bodies]
    won = [r for r in results if r["refund"] is not None]
    assert len(won) == 1, bodies
    assert all([e["code"] for e in r["userErrors"]] == ["INVALID_STATUS"] for r in results if r not in won), bodies
    async with db.session() as s:
        refunds = (await s.exec(select(Refund).where(Refund.return_id == pk))).all()
    assert len(refunds) == 1
    assert refunds[0].amount == Decimal(won[0]["refund"]["amount"]["amount"])
    assert Decimal(won[0]["order"]["refunded"]["amount"]) == refunds[0].amount
    assert (await get(db, ReturnRequest, pk)).status is ReturnStatus.REFUNDED
    assert await _events(db, pk, "return.refund") == ["return.refund"]
