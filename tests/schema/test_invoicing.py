"""Invoicing through the API: staff finalise, void, write off and credit invoices; accounts payable
reissue one once; credit notes and account credit are seen by ADMIN and ACCOUNTS_PAYABLE only; a
return's refund issues a credit note."""
import re
from decimal import Decimal

from sqlmodel import select

from db.enums import CreditNoteReason, InvoiceStatus
from db.models import Account, AuditEvent, CreditNote, Invoice, InvoiceLine, Location, Order, OrderLine
from resolvers.globalid import encode
from tests.conftest import NOW
from tests.ordering_support import ADMIN, AP, BUYER, STAFF_ADMIN, STAFF_SUPPORT, VIEWER, count, data, error_codes
from tests.support import codes

INVOICE = "invoice { id number status dueDate amountDue { amount } amountCredited { amount } billingDetails }"
ERRORS = "userErrors { code field message }"
FINALIZE = f"mutation($input: InvoiceIdInput!) {{ staffInvoiceFinalize(input: $input) {{ {INVOICE} {ERRORS} }} }}"
VOID = f"mutation($input: InvoiceIdInput!) {{ staffInvoiceVoid(input: $input) {{ {INVOICE} {ERRORS} }} }}"
UNCOLLECTIBLE = (f"mutation($input: InvoiceIdInput!) {{ staffInvoiceMarkUncollectible(input: $input) "
                 f"{{ {INVOICE} {ERRORS} }} }}")
CREDIT = f"""mutation($input: CreditNoteCreateInput!) {{ staffCreditNoteCreate(input: $input) {{
  creditNote {{ id number reason memo total {{ amount }} tax {{ amount }} amountApplied {{ amount }}
               amountToAccountCredit {{ amount }} lines {{ description quantity amount {{ amount }} }} }}
  {INVOICE} {ERRORS} }} }}"""
REISSUE = f"""mutation($input: InvoiceIdInput!) {{ invoiceReissue(input: $input) {{
  {INVOICE} replaced {{ id status amountDue {{ amount }} replacedBy {{ id }} }}
  creditNote {{ number reason total {{ amount }} }} {ERRORS} }} }}"""
NUMBER = re.compile(r"^INV-\d{4}-\d{6}$")


async def _open_invoice(db, *, paid: bool = False) -> Invoice:
    """An open (or, with `paid`, paid) invoice of Acme's order with nothing credited."""
    async with db.session() as s:
        acme = (await s.exec(select(Account).where(Account.name == "Acme Industrial"))).one()
        stmt = select(Invoice).where(Invoice.account_id == acme.id, Invoice.order_id.is_not(None),
                                     Invoice.amount_credited == 0)
        stmt = stmt.where(Invoice.status == (InvoiceStatus.PAID if paid else InvoiceStatus.OPEN))
        return (await s.exec(stmt.order_by(Invoice.id))).first()


async def _state(db, invoice_id: int) -> tuple:
    async with db.session() as s:
        i = (await s.exec(select(Invoice).where(Invoice.id == invoice_id))).one()
        notes = await count(db, CreditNote, CreditNote.invoice_id == invoice_id)
    return i.status, i.number, i.amount_due, i.amount_credited, notes


async def test_staff_finalise_a_draft_void_and_write_off_and_customers_cannot(gql, db):
    async with db.transaction() as s:
        acme = (await s.exec(select(Account).where(Account.name == "Acme Industrial"))).one()
        draft = Invoice(account_id=acme.id, status=InvoiceStatus.DRAFT, currency="USD", subtotal=Decimal("40"),
                        tax=Decimal("2.90"), total=Decimal("42.90"), amount_due=Decimal("42.90"), issued_at=NOW,
                        due_date=NOW.date())
        s.add(draft)
    draft_gid = encode("Invoice", draft.id)
    # Customers do not see drafts at all; staff who may only read cannot change one.
    body = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": draft_gid}, as_=AP)
    assert codes(body) == ["NOT_FOUND"]
    for who in (AP, ADMIN, STAFF_SUPPORT):
        for doc in (FINALIZE, VOID, UNCOLLECTIBLE):
            assert codes(await gql(doc, {"input": {"id": draft_gid}}, as_=who)) == ["FORBIDDEN"], who
    assert (await _state(db, draft.id))[:2] == (InvoiceStatus.DRAFT, None)
    body = await gql(UNCOLLECTIBLE, {"input": {"id": draft_gid}}, as_=STAFF_ADMIN)
    assert error_codes(data(body, "staffInvoiceMarkUncollectible")) == ["NOT_OPEN"]
    out = data(await gql(FINALIZE, {"input": {"id": draft_gid}}, as_=STAFF_ADMIN), "staffInvoiceFinalize")
    assert out["userErrors"] == [] and out["invoice"]["status"] == "OPEN"
    assert NUMBER.match(out["invoice"]["number"]) and out["invoice"]["number"].startswith(f"INV-{NOW.year}-")
    assert out["invoice"]["dueDate"] == "2026-07-15"  # net 30
    again = data(await gql(FINALIZE, {"input": {"id": draft_gid}}, as_=STAFF_ADMIN), "staffInvoiceFinalize")
    assert error_codes(again) == ["NOT_DRAFT"]
    # Now the customer sees it.
    body = await gql("query($id: ID!) { node(id: $id) { ... on Invoice { number } } }", {"id": draft_gid}, as_=AP)
    assert body["data"]["node"]["number"] == out["invoice"]["number"]
    out = data(await gql(UNCOLLECTIBLE, {"input": {"id": draft_gid}}, as_=STAFF_ADMIN), "staffInvoiceMarkUncollectible")
    assert out["invoice"]["status"] == "UNCOLLECTIBLE"
    out = data(await gql(VOID, {"input": {"id": draft_gid}}, as_=STAFF_ADMIN), "staffInvoiceVoid")
    assert out["invoice"]["status"] == "VOID" and out["invoice"]["amountDue"]["amount"] == "0.00"
    again = data(await gql(VOID, {"input": {"id": draft_gid}}, as_=STAFF_ADMIN), "staffInvoiceVoid")
    assert error_codes(again) == ["NOT_VOIDABLE"]
    async with db.session() as s:
        actions = [a.action for a in (await s.exec(select(AuditEvent).where(
            AuditEvent.action.startswith("invoice.")).order_by(AuditEvent.id))).all()]
    assert actions == ["invoice.finalize", "invoice.mark_uncollectible", "invoice.void"]


async def test_staff_credit_an_invoice_within_what_is_creditable_and_finance_roles_see_it(gql, db):
    invoice = await _open_invoice(db)
    igid = encode("Invoice", invoice.id)
    async with db.session() as s:
        line = (await s.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
                             .order_by(InvoiceLine.position))).first()
    before = await _state(db, invoice.id)
    over = {"invoiceId": igid, "reason": "CORRECTION", "amount": str(invoice.total + Decimal("0.01"))}
    for who in (AP, ADMIN, STAFF_SUPPORT):
        assert codes(await gql(CREDIT, {"input": over}, as_=who)) == ["FORBIDDEN"], who
    out = data(await gql(CREDIT, {"input": over}, as_=STAFF_ADMIN), "staffCreditNoteCreate")
    assert error_codes(out) == ["EXCEEDS_CREDITABLE"] and out["creditNote"] is None
    both = {"invoiceId": igid, "reason": "CORRECTION", "amount": "1.00",
            "lines": [{"invoiceLineId": encode("InvoiceLine", line.id), "quantity": 1}]}
    out = data(await gql(CREDIT, {"input": both}, as_=STAFF_ADMIN), "staffCreditNoteCreate")
    assert error_codes(out) == ["LINES_OR_AMOUNT"]
    too_many = {"invoiceId": igid, "reason": "CORRECTION",
                "lines": [{"invoiceLineId": encode("InvoiceLine", line.id), "quantity": line.quantity + 1}]}
    out = data(await gql(CREDIT, {"input": too_many}, as_=STAFF_ADMIN), "staffCreditNoteCreate")
    assert error_codes(out) == ["QUANTITY_EXCEEDS_INVOICED"]
    assert out["userErrors"][0]["field"] == ["input", "lines", "0", "quantity"]
    assert await _state(db, invoice.id) == before

    one = {"invoiceId": igid, "reason": "CORRECTION", "memo": "Billed one too many",
           "lines": [{"invoiceLineId": encode("InvoiceLine", line.id), "quantity": 1}]}
    out = data(await gql(CREDIT, {"input": one}, as_=STAFF_ADMIN), "staffCreditNoteCreate")
    assert out["userErrors"] == []
    note = out["creditNote"]
    assert re.match(r"^CN-\d{4}-\d{6}$", note["number"]) and note["lines"][0]["quantity"] == 1
    total = Decimal(note["total"]["amount"])
    assert Decimal(note["amountApplied"]["amount"]) == total and note["amountToAccountCredit"]["amount"] == "0.00"
    assert Decimal(out["invoice"]["amountDue"]["amount"]) == invoice.amount_due - total
    assert Decimal(out["invoice"]["amountCredited"]["amount"]) == total

    # ADMIN and ACCOUNTS_PAYABLE see it on the invoice and the account; BUYER and VIEWER see nothing.
    query = """query($id: ID!, $note: ID!) { node(id: $id) { ... on Invoice { creditNotes { number }
        account { creditNotes(first: 5) { totalCount nodes { number invoice { id } } } creditBalance { amount } } } }
        note: node(id: $note) { ... on CreditNote { number reason } } }"""
    for who in (AP, ADMIN):
        body = await gql(query, {"id": igid, "note": note["id"]}, as_=who)
        assert "errors" not in body, body
        node = body["data"]["node"]
        assert [n["number"] for n in node["creditNotes"]] == [note["number"]]
        assert note["number"] in [n["number"] for n in node["account"]["creditNotes"]["nodes"]]
        assert body["data"]["note"] == {"number": note["number"], "reason": "CORRECTION"}
    for who in (BUYER, VIEWER):
        body = await gql(query, {"id": igid, "note": note["id"]}, as_=who)
        assert body["data"]["node"] is None and body["data"]["note"] is None
        assert set(codes(body)) == {"NOT_FOUND"}


async def test_accounts_payable_reissue_an_invoice_once_with_current_billing_details(gql, db):
    invoice = await _open_invoice(db, paid=True)
    igid = encode("Invoice", invoice.id)
    before = await _state(db, invoice.id)
    for who in (BUYER, VIEWER, STAFF_ADMIN):
        assert codes(await gql(REISSUE, {"input": {"id": igid}}, as_=who)) == ["FORBIDDEN"], who
    assert await _state(db, invoice.id) == before
    async with db.transaction() as s:
        acme = (await s.exec(select(Account).where(Account.id == invoice.account_id))).one()
        acme.billing_business_name = "Acme Industrial Holdings LLC"
        s.add(acme)
    out = data(await gql(REISSUE, {"input": {"id": igid}}, as_=AP), "invoiceReissue")
    assert out["userErrors"] == []
    new = out["invoice"]
    assert NUMBER.match(new["number"]) and new["number"] != invoice.number
    assert new["billingDetails"]["business_name"] == "Acme Industrial Holdings LLC"
    # What was paid on the old invoice moved to the new one through account credit.
    assert new["status"] == "PAID" and new["amountDue"]["amount"] == "0.00"
    assert out["replaced"]["replacedBy"] == {"id": new["id"]}
    assert out["creditNote"]["reason"] == "REISSUE" and Decimal(out["creditNote"]["total"]["amount"]) == invoice.total
    for gid_ in (igid, new["id"]):
        again = data(await gql(REISSUE, {"input": {"id": gid_}}, as_=AP), "invoiceReissue")
        assert error_codes(again) == ["ALREADY_REISSUED"]
    async with db.session() as s:
        balance = (await gql("query($id: ID!) { node(id: $id) { ... on Account { creditBalance { amount } } } }",
                             {"id": encode("Account", invoice.account_id)}, as_=AP))["data"]["node"]["creditBalance"]
        assert (await s.exec(select(Invoice).where(Invoice.reissued_from_id == invoice.id))).one().order_id == \
            invoice.order_id
    assert all(Decimal(b["amount"]) >= 0 for b in balance)


async def test_a_returns_refund_issues_a_credit_note_against_the_orders_invoice(gql, db):
    async with db.session() as s:
        denver = (await s.exec(select(Location).where(Location.name == "Denver Plant"))).one()
        invoiced = select(Invoice.order_id).where(Invoice.status.in_([InvoiceStatus.OPEN, InvoiceStatus.PAID]),
                                                  Invoice.amount_credited == 0)
        order = (await s.exec(select(Order).where(Order.location_id == denver.id, Order.status == "FULFILLED",
                                                  Order.id.in_(invoiced)).order_by(Order.id))).first()
        line = (await s.exec(select(OrderLine).where(OrderLine.order_id == order.id)
                             .order_by(OrderLine.position))).first()
    body = await gql("""mutation($input: ReturnRequestInput!) { returnRequest(input: $input) {
        return { id } userErrors { code } } }""", {"input": {
        "orderId": encode("Order", order.id), "reason": "DAMAGED",
        "lines": [{"orderLineId": encode("OrderLine", line.id), "quantity": 1}]}}, as_=BUYER)
    rid = body["data"]["returnRequest"]["return"]["id"]
    for step in ("returnApprove", "returnReceive"):
        await gql(f"mutation($input: ReturnDecisionInput!) {{ {step}(input: $input) {{ userErrors {{ code }} }} }}",
                  {"input": {"id": rid}}, as_=STAFF_ADMIN)
    assert await count(db, CreditNote, CreditNote.reason == CreditNoteReason.RETURN) == 0
    body = await gql("""mutation($input: ReturnRefundInput!) { returnRefund(input: $input) {
        refund { amount { amount } } userErrors { code } } }""", {"input": {"id": rid}}, as_=STAFF_ADMIN)
    refunded = Decimal(body["data"]["returnRefund"]["refund"]["amount"]["amount"])
    async with db.session() as s:
        note = (await s.exec(select(CreditNote).where(CreditNote.reason == CreditNoteReason.RETURN))).one()
        invoice = (await s.exec(select(Invoice).where(Invoice.id == note.invoice_id))).one()
    assert invoice.order_id == order.id and note.total == refunded and note.return_id is not None
    assert note.amount_applied + note.amount_refunded == refunded and note.amount_credited == 0
    assert invoice.amount_credited == refunded


async def test_integrations_need_invoices_write_to_reissue(gql, db, client):
    from tests.server.test_oauth import register, token_for  # noqa: PLC0415

    invoice = await _open_invoice(db)
    igid = encode("Invoice", invoice.id)
    tokens = []
    for scopes in (["invoices:read"], ["invoices:read", "invoices:write"]):
        made = (await register(gql, db, scopes))["data"]["oauthClientCreate"]
        tokens.append((await token_for(client, made["client"]["clientId"], made["clientSecret"])).json()["access_token"])
    read_only, writer = ({"authorization": f"Bearer {t}"} for t in tokens)
    body = await gql("query($id: ID!) { node(id: $id) { ... on Invoice { number creditNotes { number } } } }",
                     {"id": igid}, headers=read_only)
    assert body["data"]["node"]["number"] == invoice.number
    assert codes(await gql(REISSUE, {"input": {"id": igid}}, headers=read_only)) == ["FORBIDDEN"]
    assert (await _state(db, invoice.id))[4] == 0
    out = data(await gql(REISSUE, {"input": {"id": igid}}, headers=writer), "invoiceReissue")
    assert out["userErrors"] == [] and out["replaced"]["replacedBy"] == {"id": out["invoice"]["id"]}


async def test_credit_notes_and_credit_balance_cost_the_same_statements_for_2_invoices_as_for_20(gql, db):
    query = """query($n: Int!) { viewer { accounts { creditBalance { amount }
        creditNotes(first: $n) { nodes { number lines { quantity } invoice { number } } }
        invoices(first: $n) { nodes { number amountCredited { amount } replacedBy { number } reissuedFrom { number }
          creditNotes { number lines { amount { amount } } } } } } } }"""
    small, large = [await gql(query, {"n": n}, as_=AP) for n in (2, 20)]
    assert "errors" not in small and "errors" not in large
    assert len(large["data"]["viewer"]["accounts"][0]["invoices"]["nodes"]) == 20
    assert small["_statements"] == large["_statements"]
