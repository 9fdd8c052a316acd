"""Support tickets per role: customers open and answer them with files, staff answer (the customer
is emailed, over SMTP too), add internal notes customers never see, triage and escalate; bad files
and other accounts' tickets change and serve nothing."""
import json
from dataclasses import replace

import pytest
from sqlmodel import select

from db.models import AuditEvent, OutboxMessage, SupportAttachment, SupportMessage, SupportTicket, WebhookEvent
from tests.conftest import make_token
from tests.mailbox import body_of, deliver, smtp  # noqa: F401 - fixtures
from tests.order_factories import BUYER, STAFF_ADMIN, STAFF_SUPPORT, count, gid, shipped_order
from tests.support import codes

ADMIN = "admin@acme.example"
GLOBEX = "admin@globex.example"
TEAM = "support-team@merchant.example"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

OPEN = """mutation($input: SupportTicketCreateInput!) { supportTicketCreate(input: $input) {
  ticket { id number subject status priority orderId messages { body author internal
           attachments { id filename contentType sizeBytes url } } }
  userErrors { code field message } } }"""
REPLY = """mutation($input: SupportTicketReplyInput!) { supportTicketReply(input: $input) {
  ticket { status } message { body } userErrors { code field } } }"""
STAFF_REPLY = """mutation($input: SupportStaffReplyInput!) { supportStaffReply(input: $input) {
  ticket { status } message { internal attachments { url } } userErrors { code field } } }"""
UPDATE = """mutation($input: SupportTicketUpdateInput!) { supportTicketUpdate(input: $input) {
  ticket { status priority } userErrors { code field } } }"""
CLOSE = """mutation($input: SupportTicketIdInput!) { supportTicketClose(input: $input) {
  ticket { status } userErrors { code field } } }"""
ESCALATE = """mutation($input: SupportTicketEscalateInput!) { supportTicketEscalate(input: $input) {
  ticket { priority escalatedAt } userErrors { code field } } }"""
LIST = """{ supportTickets(first: 20) { totalCount nodes { number status
  messages { author body internal attachments { filename } } } } }"""


@pytest.fixture
def settings(settings, tmp_path):
    return replace(settings, upload_dir=str(tmp_path / "uploads"),
                   sessions=replace(settings.sessions, staff_notify_email=TEAM))


async def multipart(client, db, clock, who, query, variables, files):
    """A GraphQL multipart request with `files` as input.attachments."""
    token = await make_token(db, who, clock.now())
    variables = {**variables, "input": {**variables["input"], "attachments": [None] * len(files)}}
    operations = json.dumps({"query": query, "variables": variables})
    mapping = json.dumps({str(i): [f"variables.input.attachments.{i}"] for i in range(len(files))})
    response = await client.post("/graphql", data={"operations": operations, "map": mapping},
                                 files={str(i): (name, data, ctype) for i, (name, data, ctype) in enumerate(files)},
                                 headers={"authorization": f"Bearer {token}"})
    return response.json()


async def messages_of(gql, who, number):
    nodes = (await gql(LIST, as_=who))["data"]["supportTickets"]["nodes"]
    return next(t["messages"] for t in nodes if t["number"] == number)


async def _open(gql, who=BUYER, **values):
    body = await gql(OPEN, {"input": {"subject": "Gloves arrived torn", "body": "Box 3 of 5 was torn.",
                                      **values}}, as_=who)
    out = body["data"]["supportTicketCreate"]
    assert out["userErrors"] == [], body
    return out["ticket"]


async def test_who_may_open_a_ticket_and_where(gql, db):
    demo = await count(db, SupportTicket)
    order, _ = await shipped_order(db)
    austin, _ = await shipped_order(db, "Austin Warehouse")
    ask = {"subject": "Question", "body": "Hello"}
    # Staff, a viewer and anonymous callers cannot open tickets.
    for who, code in ((None, "UNAUTHENTICATED"), (STAFF_SUPPORT, "FORBIDDEN"), ("viewer@acme.example", "FORBIDDEN"),
                      ("approver@acme.example", "FORBIDDEN")):
        assert codes(await gql(OPEN, {"input": ask}, as_=who)) == [code], who
    # The Denver buyer: not account-wide; Austin's order or another account's is NOT_FOUND, as a missing one.
    for who, order_id in ((BUYER, austin.id), (GLOBEX, order.id), (BUYER, 999999)):
        body = await gql(OPEN, {"input": {**ask, "orderId": gid("Order", order_id)}}, as_=who)
        assert [e["code"] for e in body["data"]["supportTicketCreate"]["userErrors"]] == ["NOT_FOUND"], who
    assert codes(await gql(OPEN, {"input": {**ask, "accountId": gid("Account", order.account_id)}},
                           as_=BUYER)) == ["FORBIDDEN"]
    for values, code in (({"subject": "  "}, "SUBJECT_REQUIRED"), ({"body": ""}, "BODY_REQUIRED"),
                         ({"subject": "x" * 201}, "TOO_LONG"),
                         ({"orderId": gid("Order", order.id), "invoiceId": gid("Invoice", 1)}, "ONE_LINK_ONLY")):
        body = await gql(OPEN, {"input": {**ask, **values}}, as_=BUYER)
        assert [e["code"] for e in body["data"]["supportTicketCreate"]["userErrors"]] == [code], values
    assert await count(db, SupportTicket) == demo and await count(db, OutboxMessage) == 0

    ticket = await _open(gql, orderId=gid("Order", order.id), priority="HIGH")
    assert ticket["status"] == "OPEN" and ticket["priority"] == "HIGH" and ticket["orderId"] == gid("Order", order.id)
    assert ticket["number"].startswith("SUP-")
    assert ticket["messages"] == [{"body": "Box 3 of 5 was torn.", "author": "CUSTOMER", "internal": False,
                                   "attachments": []}]
    account_wide = await _open(gql, ADMIN, subject="Our contract")
    async with db.session() as s:
        rows = {t.number: t for t in (await s.exec(select(SupportTicket))).all()}
        mail = (await s.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert rows[ticket["number"]].location_id == order.location_id and rows[account_wide["number"]].location_id is None
    # The merchant's support address hears of each new ticket; the customer is not emailed.
    assert [(m.template, m.to_address) for m in mail] == [("support_ticket_opened", TEAM)] * 2
    assert mail[0].params["ticket_number"] == ticket["number"] and mail[0].params["account"] == "Acme Industrial"


async def test_each_role_sees_its_tickets(gql, db):
    queue = """{ supportTickets(filter: {status: [OPEN], escalated: false}) { totalCount } }"""
    open_before = (await gql(queue, as_=STAFF_ADMIN))["data"]["supportTickets"]["totalCount"]
    denver = await _open(gql)
    account_wide = await _open(gql, ADMIN, subject="Our contract")
    globex = await _open(gql, GLOBEX, subject="Rechnung")
    new = {denver["number"], account_wide["number"], globex["number"]}

    async def numbers(who):  # of the tickets made here (the demo has some too)
        body = await gql(LIST, as_=who)
        return sorted(t["number"] for t in body["data"]["supportTickets"]["nodes"] if t["number"] in new)
    assert await numbers(BUYER) == [denver["number"]]
    assert await numbers(ADMIN) == sorted([denver["number"], account_wide["number"]])
    assert await numbers(GLOBEX) == [globex["number"]]
    assert await numbers("viewer@acme.example") == []
    assert await numbers(STAFF_SUPPORT) == sorted([denver["number"], account_wide["number"], globex["number"]])
    assert codes(await gql(LIST)) == ["UNAUTHENTICATED"]
    node = "query($id: ID!) { node(id: $id) { ... on SupportTicket { number } } }"
    assert codes(await gql(node, {"id": denver["id"]}, as_=GLOBEX)) == ["NOT_FOUND"]
    assert (await gql(node, {"id": denver["id"]}, as_=ADMIN))["data"]["node"] == {"number": denver["number"]}
    # A staff queue filter.
    assert (await gql(queue, as_=STAFF_ADMIN))["data"]["supportTickets"]["totalCount"] == open_before + 3


async def test_staff_answer_and_note_the_customer_answers(gql, db, deliver, smtp):  # noqa: F811
    ticket = await _open(gql)
    tid = ticket["id"]
    # Customers cannot answer from the staff side; other accounts cannot touch the ticket.
    assert codes(await gql(STAFF_REPLY, {"input": {"ticketId": tid, "body": "x"}}, as_=ADMIN)) == ["FORBIDDEN"]
    body = await gql(REPLY, {"input": {"ticketId": tid, "body": "x"}}, as_=GLOBEX)
    assert [e["code"] for e in body["data"]["supportTicketReply"]["userErrors"]] == ["NOT_FOUND"]
    assert codes(await gql(UPDATE, {"input": {"ticketId": tid, "status": "RESOLVED"}}, as_=BUYER)) == ["FORBIDDEN"]
    assert await count(db, SupportMessage, ticket_id=int(ticket["number"][4:])) == 1

    note = await gql(STAFF_REPLY, {"input": {"ticketId": tid, "body": "Customer is on a VIP contract",
                                             "internal": True}}, as_=STAFF_SUPPORT)
    assert note["data"]["supportStaffReply"]["ticket"]["status"] == "OPEN"
    answer = await gql(STAFF_REPLY, {"input": {"ticketId": tid, "body": "We ship new gloves today."}},
                       as_=STAFF_SUPPORT)
    assert answer["data"]["supportStaffReply"]["ticket"]["status"] == "WAITING_ON_CUSTOMER"
    # The customer sees the answer, never the note; staff see both.
    for who in (BUYER, ADMIN):
        seen = await messages_of(gql, who, ticket["number"])
        assert [m["body"] for m in seen] == ["Box 3 of 5 was torn.", "We ship new gloves today."], who
    staff_seen = await messages_of(gql, STAFF_ADMIN, ticket["number"])
    assert [m["internal"] for m in staff_seen] == [False, True, False]

    reply = await gql(REPLY, {"input": {"ticketId": tid, "body": "Thanks, received."}}, as_=BUYER)
    assert reply["data"]["supportTicketReply"]["ticket"]["status"] == "WAITING_ON_MERCHANT"
    update = await gql(UPDATE, {"input": {"ticketId": tid, "status": "RESOLVED", "priority": "LOW"}}, as_=STAFF_SUPPORT)
    assert update["data"]["supportTicketUpdate"]["ticket"] == {"status": "RESOLVED", "priority": "LOW"}
    closed = await gql(CLOSE, {"input": {"ticketId": tid}}, as_=BUYER)
    assert closed["data"]["supportTicketClose"]["ticket"]["status"] == "CLOSED"
    late = await gql(REPLY, {"input": {"ticketId": tid, "body": "One more thing"}}, as_=BUYER)
    assert [e["code"] for e in late["data"]["supportTicketReply"]["userErrors"]] == ["CLOSED"]

    # One email to the customer: the answer, not the note.
    async with db.session() as s:
        mail = (await s.exec(select(OutboxMessage).where(OutboxMessage.to_address == BUYER))).all()
        actions = (await s.exec(select(AuditEvent.action).where(AuditEvent.action.like("support.%")))).all()
    assert [(m.template, m.locale) for m in mail] == [("support_reply", "en")]
    assert "VIP" not in json.dumps(mail[0].params)
    assert sorted(actions) == sorted(["support.ticket.open", "support.ticket.note", "support.ticket.answer",
                                      "support.ticket.reply", "support.ticket.update", "support.ticket.close"])
    await deliver()
    message = smtp.last(BUYER)
    assert message["Subject"] == f"Re: Gloves arrived torn [{ticket['number']}]"
    assert "We ship new gloves today." in body_of(message) and "VIP" not in body_of(message)
    assert "/support/" in body_of(message)


async def test_german_customers_get_the_german_answer(gql, db):
    ticket = await _open(gql, GLOBEX, subject="Lieferung fehlt")
    await gql(STAFF_REPLY, {"input": {"ticketId": ticket["id"], "body": "Kommt morgen."}}, as_=STAFF_ADMIN)
    async with db.session() as s:
        mail = (await s.exec(select(OutboxMessage).where(OutboxMessage.to_address == GLOBEX))).one()
    assert (mail.template, mail.locale) == ("support_reply", "de")


async def test_escalation_to_the_account_team(gql, db):
    ticket = await _open(gql)
    tid = ticket["id"]
    assert codes(await gql(ESCALATE, {"input": {"ticketId": tid, "reason": "Urgent"}}, as_=BUYER)) == ["FORBIDDEN"]
    body = await gql(ESCALATE, {"input": {"ticketId": tid, "reason": "Line stopped"}}, as_=ADMIN)
    assert body["data"]["supportTicketEscalate"]["ticket"]["priority"] == "URGENT"
    again = await gql(ESCALATE, {"input": {"ticketId": tid, "reason": "Again"}}, as_=STAFF_SUPPORT)
    assert [e["code"] for e in again["data"]["supportTicketEscalate"]["userErrors"]] == ["ALREADY_ESCALATED"]
    async with db.session() as s:
        mail = (await s.exec(select(OutboxMessage).where(OutboxMessage.to_address == TEAM)
                             .order_by(OutboxMessage.id))).all()
    assert len(mail) == 2 and mail[1].params["subject"].startswith("[ESCALATED]")


async def test_attachments_checked_by_content_and_served_to_the_right_callers(client, gql, db, clock, tmp_path):
    files = [("../../etc/passwd.pdf", PDF, "application/pdf"), ("report.pdf", b"<html><script>x</script>", "application/pdf")]
    body = await multipart(client, db, clock, BUYER, OPEN, {"input": {"subject": "Invoice wrong", "body": "See"}},
                           files)
    out = body["data"]["supportTicketCreate"]
    assert out["userErrors"] == [], body
    attachments = out["ticket"]["messages"][0]["attachments"]
    # Names cannot name a folder; the kind is the content's, not the name's: the HTML is plain text.
    assert [(a["filename"], a["contentType"]) for a in attachments] == [
        ("passwd.pdf", "application/pdf"), ("report.txt", "text/plain")]
    async with db.session() as s:
        keys = [a.storage_key for a in (await s.exec(select(SupportAttachment))).all()]
    assert all(k.startswith("support/") and "passwd" not in k for k in keys)

    url = attachments[0]["url"]
    for who in (BUYER, ADMIN, STAFF_SUPPORT):
        token = await make_token(db, who, clock.now())
        response = await client.get(url, headers={"authorization": f"Bearer {token}"})
        assert response.status_code == 200 and response.content == PDF, who
        assert response.headers["content-disposition"].startswith('attachment; filename="passwd.pdf"')
        assert response.headers["x-content-type-options"] == "nosniff"
    for who in (GLOBEX, "viewer@acme.example"):
        token = await make_token(db, who, clock.now())
        assert (await client.get(url, headers={"authorization": f"Bearer {token}"})).status_code == 404, who
    assert (await client.get(url)).status_code == 401

    # A file on an internal note: staff only.
    note = await multipart(client, db, clock, STAFF_SUPPORT, STAFF_REPLY,
                           {"input": {"ticketId": out["ticket"]["id"], "body": "Internal scan", "internal": True}},
                           [("scan.pdf", PDF, "application/pdf")])
    note_url = note["data"]["supportStaffReply"]["message"]["attachments"][0]["url"]
    for who, status in ((BUYER, 404), (ADMIN, 404), (STAFF_ADMIN, 200)):
        token = await make_token(db, who, clock.now())
        assert (await client.get(note_url, headers={"authorization": f"Bearer {token}"})).status_code == status, who


async def test_bad_files_write_nothing(client, db, clock, tmp_path):
    demo = await count(db, SupportTicket)
    cases = [
        ([("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00", "application/pdf")], "FILE_TYPE_NOT_ALLOWED"),
        ([("a.zip", b"PK\x03\x04" + b"\x00" * 40, "application/zip")], "FILE_TYPE_NOT_ALLOWED"),
        ([("empty.txt", b"", "text/plain")], "FILE_TYPE_NOT_ALLOWED"),
        ([("big.pdf", PDF + b"\x00" * (8 * 1024 * 1024), "application/pdf")], "FILE_TOO_LARGE"),
        ([("p.pdf", PDF, "application/pdf")] * 6, "TOO_MANY_FILES"),
        # A good file first and a bad one after: the good one is not kept either.
        ([("ok.pdf", PDF, "application/pdf"), ("bad.bin", b"\x00\x01\x02", "application/pdf")],
         "FILE_TYPE_NOT_ALLOWED"),
    ]
    for files, code in cases:
        body = await multipart(client, db, clock, BUYER, OPEN, {"input": {"subject": "S", "body": "B"}}, files)
        assert [e["code"] for e in body["data"]["supportTicketCreate"]["userErrors"]] == [code], (code, body)
    assert await count(db, SupportTicket) == demo and await count(db, SupportAttachment) == 0
    assert await count(db, OutboxMessage) == 0
    uploads = tmp_path / "uploads"
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


async def test_the_queue_reads_a_fixed_number_of_statements(gql, db):
    query = """{ supportTickets(first: 50) { totalCount nodes { number openedBy { name }
      messages { body authorPerson { name } attachments { filename } } } } }"""
    await gql("{ viewer { name } }", as_=STAFF_SUPPORT)
    few = await gql(query, as_=STAFF_SUPPORT)
    for i in range(3):
        await _open(gql, subject=f"Question {i}")
    many = await gql(query, as_=STAFF_SUPPORT)
    assert len(many["data"]["supportTickets"]["nodes"]) == len(few["data"]["supportTickets"]["nodes"]) + 3
    # The session, the page, its count, then one each for messages, their attachments, and people.
    assert few["_statements"] == many["_statements"] == 6, (few["_statements"], many["_statements"])


async def test_opening_tickets_is_rate_limited_per_user(gql, db):
    for i in range(10):
        await _open(gql, subject=f"Question {i}")
    before = await count(db, SupportTicket)
    body = await gql(OPEN, {"input": {"subject": "One more", "body": "Hello"}}, as_=BUYER)
    assert codes(body) == ["THROTTLED"] and body["errors"][0]["extensions"]["retryAfter"] > 0
    assert await count(db, SupportTicket) == before
    # Another person is not held up.
    await _open(gql, ADMIN, subject="Mine")


async def test_ticket_events_for_webhooks_opened_and_answered_never_an_internal_note(gql, db):
    async def events():
        async with db.session() as s:
            rows = (await s.exec(select(WebhookEvent).where(WebhookEvent.object_type == "SupportTicket")
                                 .order_by(WebhookEvent.id))).all()
        return [(e.type, e.payload["status"]) for e in rows]

    refused = await gql(OPEN, {"input": {"subject": "", "body": "x"}}, as_=BUYER)
    assert refused["data"]["supportTicketCreate"]["userErrors"] and await events() == []
    ticket = await _open(gql)
    assert await events() == [("ticket.opened", "OPEN")]
    await gql(STAFF_REPLY, {"input": {"ticketId": ticket["id"], "body": "VIP", "internal": True}}, as_=STAFF_SUPPORT)
    assert await events() == [("ticket.opened", "OPEN")]  # an internal note is no answer
    await gql(STAFF_REPLY, {"input": {"ticketId": ticket["id"], "body": "On its way."}}, as_=STAFF_SUPPORT)
    assert await events() == [("ticket.opened", "OPEN"), ("ticket.answered", "WAITING_ON_CUSTOMER")]
