"""Two people escalating or closing one ticket at once: exactly one wins, the others get the
userError they would get one after the other, and the account team is emailed once. Runs on
SQLite and on PostgreSQL (real row locks)."""
import asyncio

from sqlmodel import select

from db.models import AuditEvent, OutboxMessage, SupportTicket
from tests.order_factories import STAFF_ADMIN, STAFF_SUPPORT
from tests.schema.test_support import ADMIN, BUYER, CLOSE, ESCALATE, TEAM, _open, settings  # noqa: F401 - fixture


async def _events(db, number: str, action: str) -> int:
    async with db.session() as s:
        pk = (await s.exec(select(SupportTicket.id).where(SupportTicket.number == number))).one()
        return len((await s.exec(select(AuditEvent).where(AuditEvent.target_type == "SupportTicket",
                                                          AuditEvent.target_id == pk,
                                                          AuditEvent.action == action))).all())


async def test_one_escalation_wins(gql, db):
    ticket = await _open(gql)
    who = [ADMIN, STAFF_SUPPORT, STAFF_ADMIN, ADMIN]
    for w in set(who):
        await gql("{ viewer { name } }", as_=w)  # sessions made before the race
    bodies = await asyncio.gather(*[gql(ESCALATE, {"input": {"ticketId": ticket["id"], "reason": f"r{i}"}}, as_=w)
                                    for i, w in enumerate(who)])
    results = [b["data"]["supportTicketEscalate"] for b in bodies]
    assert sum(1 for r in results if r["ticket"]) == 1, bodies
    assert sorted(e["code"] for r in results for e in r["userErrors"]) == ["ALREADY_ESCALATED"] * 3
    assert await _events(db, ticket["number"], "support.ticket.escalate") == 1
    async with db.session() as s:
        mail = (await s.exec(select(OutboxMessage).where(OutboxMessage.to_address == TEAM))).all()
    assert len(mail) == 2  # the ticket opened, and one escalation


async def test_one_close_wins(gql, db):
    ticket = await _open(gql)
    for w in (BUYER, ADMIN):
        await gql("{ viewer { name } }", as_=w)
    bodies = await asyncio.gather(*[gql(CLOSE, {"input": {"ticketId": ticket["id"]}}, as_=w)
                                    for w in (BUYER, ADMIN, BUYER)])
    results = [b["data"]["supportTicketClose"] for b in bodies]
    assert sum(1 for r in results if r["ticket"]) == 1, bodies
    assert sorted(e["code"] for r in results for e in r["userErrors"]) == ["INVALID_STATUS"] * 2
    assert await _events(db, ticket["number"], "support.ticket.close") == 1
