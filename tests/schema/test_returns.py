"""Customers return shipped lines with photos; staff approve or decline, receive and refund."""
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlmodel import select

from db.models import (AuditEvent, Fulfilment, FulfilmentLine, OutboxMessage, Refund, ReturnPhoto,
                       ReturnRequest)
from server.settings import Settings
from tests.order_factories import BUYER, STAFF_ADMIN, STAFF_SUPPORT, count, gid, shipped_order
from tests.conftest import make_token
from tests.support import codes

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REQUEST = """mutation($input: ReturnRequestInput!) { returnRequest(input: $input) {
  return { id number status reason reasonText lines { quantity orderLine { id sku returnedQuantity } }
           photos { id contentType sizeBytes url } }
  userErrors { code field message } } }"""


@pytest.fixture
def settings(db, tmp_path):
    return Settings(database_url=db.url, upload_dir=str(tmp_path / "uploads"))


def _input(order, lines, quantities, **kw):
    return {"orderId": gid("Order", order.id), "reason": kw.pop("reason", "DAMAGED"),
            "lines": [{"orderLineId": gid("OrderLine", line.id), "quantity": q} for line, q in zip(lines, quantities)],
            **kw}


async def multipart(client, db, clock, who, variables, files):
    """A GraphQL multipart request (the spec most clients speak) with `files` as input.photos."""
    token = await make_token(db, who, clock.now())
    variables = {**variables, "input": {**variables["input"], "photos": [None] * len(files)}}
    operations = json.dumps({"query": REQUEST, "variables": variables})
    mapping = json.dumps({str(i): [f"variables.input.photos.{i}"] for i in range(len(files))})
    response = await client.post("/graphql", data={"operations": operations, "map": mapping},
                                 files={str(i): (name, data, ctype) for i, (name, data, ctype) in enumerate(files)},
                                 headers={"authorization": f"Bearer {token}"})
    return response.json()


async def test_viewer_other_accounts_and_staff_cannot_request_returns(gql, db):
    order, lines = await shipped_order(db)
    for who, code in (("viewer@acme.example", "FORBIDDEN"), (STAFF_SUPPORT, "FORBIDDEN"), (STAFF_ADMIN, "FORBIDDEN"),
                      ("approver@acme.example", "FORBIDDEN")):
        body = await gql(REQUEST, {"input": _input(order, lines[:1], [1])}, as_=who)
        assert codes(body) == [code], (who, body)
    # Another account's order is NOT_FOUND, exactly like one that does not exist.
    for order_id in (gid("Order", order.id), gid("Order", 999999)):
        body = await gql(REQUEST, {"input": {**_input(order, lines[:1], [1]), "orderId": order_id}},
                         as_="buyer@globex.example")
        assert [e["code"] for e in body["data"]["returnRequest"]["userErrors"]] == ["NOT_FOUND"]
    assert await count(db, ReturnRequest) == 0


async def test_buyer_requests_a_return_with_a_photo_and_downloads_it(client, gql, db, clock, settings):
    order, lines = await shipped_order(db)
    body = await multipart(client, db, clock, BUYER,
                           {"input": _input(order, lines[:1], [1], reasonText="Box crushed")},
                           [("../../etc/passwd.png", PNG, "image/png")])
    out = body["data"]["returnRequest"]
    assert out["userErrors"] == [], out
    ret = out["return"]
    assert ret["status"] == "REQUESTED" and ret["number"] == f"RMA-{order.number}-1"
    assert ret["lines"][0]["quantity"] == 1 and ret["lines"][0]["orderLine"]["returnedQuantity"] == 1
    photo = ret["photos"][0]
    assert photo["contentType"] == "image/png" and photo["sizeBytes"] == len(PNG)
    # The client's file name was not used: the file is under a name we made, inside the upload dir.
    async with db.session() as s:
        stored = (await s.exec(select(ReturnPhoto))).one()
    assert "passwd" not in stored.storage_key and stored.storage_key.startswith("returns/")

    buyer = await make_token(db, BUYER, clock.now())
    response = await client.get(photo["url"], headers={"authorization": f"Bearer {buyer}"})
    assert response.status_code == 200 and response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    for who in (STAFF_SUPPORT, "admin@acme.example"):
        token = await make_token(db, who, clock.now())
        assert (await client.get(photo["url"], headers={"authorization": f"Bearer {token}"})).status_code == 200
    # Another account, the Austin viewer, no token, a bad token: no photo.
    for who in ("buyer@globex.example", "viewer@acme.example"):
        token = await make_token(db, who, clock.now())
        assert (await client.get(photo["url"], headers={"authorization": f"Bearer {token}"})).status_code == 404
    assert (await client.get(photo["url"])).status_code == 401
    assert (await client.get(photo["url"], headers={"authorization": "Bearer nope"})).status_code == 401
    assert (await client.get("/downloads/return-photos/garbage",
                             headers={"authorization": f"Bearer {buyer}"})).status_code == 404

    async with db.session() as s:
        mail = (await s.exec(select(OutboxMessage))).all()
        audit = (await s.exec(select(AuditEvent).where(AuditEvent.action == "return.request"))).all()
    assert [(m.template, m.to_address, m.locale) for m in mail] == [("return_requested", BUYER, "en")]
    assert len(audit) == 1


async def test_uploads_that_are_not_images_or_too_many_write_nothing(client, db, clock, settings, tmp_path):
    order, lines = await shipped_order(db)
    cases = [
        ([("photo.png", b"<html><script>alert(1)</script>", "image/png")], "PHOTO_NOT_AN_IMAGE"),
        ([("p.png", PNG, "image/png")] * 7, "TOO_MANY_PHOTOS"),
        ([("big.png", PNG + b"\x00" * (8 * 1024 * 1024), "image/png")], "PHOTO_TOO_LARGE"),
    ]
    for files, code in cases:
        body = await multipart(client, db, clock, BUYER, {"input": _input(order, lines[:1], [1])}, files)
        assert [e["code"] for e in body["data"]["returnRequest"]["userErrors"]] == [code]
    assert await count(db, ReturnRequest) == 0 and await count(db, ReturnPhoto) == 0
    uploads = tmp_path / "uploads"
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


async def test_quantities_must_be_shipped_and_not_already_returned(gql, db):
    order, lines = await shipped_order(db)
    async with db.session() as s:
        shipped = {fl.order_line_id: fl.quantity for fl in (await s.exec(
            select(FulfilmentLine).join(Fulfilment).where(Fulfilment.order_id == order.id))).all()}
    line = lines[0]
    body = await gql(REQUEST, {"input": _input(order, [line], [shipped[line.id] + 1])}, as_=BUYER)
    assert [e["code"] for e in body["data"]["returnRequest"]["userErrors"]] == ["QUANTITY_EXCEEDS_RETURNABLE"]
    body = await gql(REQUEST, {"input": _input(order, [line], [shipped[line.id]])}, as_=BUYER)
    assert body["data"]["returnRequest"]["userErrors"] == []
    body = await gql(REQUEST, {"input": _input(order, [line], [1])}, as_=BUYER)
    assert [e["code"] for e in body["data"]["returnRequest"]["userErrors"]] == ["QUANTITY_EXCEEDS_RETURNABLE"]
    body = await gql(REQUEST, {"input": _input(order, [line], [1], reason="OTHER")}, as_=BUYER)
    assert [e["code"] for e in body["data"]["returnRequest"]["userErrors"]] == ["REASON_TEXT_REQUIRED"]
    body = await gql(REQUEST, {"input": _input(order, [line], [0])}, as_=BUYER)
    assert body["data"]["returnRequest"]["userErrors"][0]["code"] in ("INVALID_QUANTITY", "QUANTITY_EXCEEDS_RETURNABLE")
    assert await count(db, ReturnRequest) == 1


DECIDE = """mutation($input: ReturnDecisionInput!) { %s(input: $input) {
  return { status decisionNote } userErrors { code field message } } }"""
REFUND = """mutation($input: ReturnRefundInput!) { returnRefund(input: $input) {
  return { status refundedAt } refund { amount { amount currencyCode } note }
  order { refunded { amount currencyCode } refunds { amount { amount } note } returns { status } }
  userErrors { code field message } } }"""


async def test_staff_take_a_return_from_request_to_refund(gql, db):
    order, lines = await shipped_order(db)
    body = await gql(REQUEST, {"input": _input(order, lines[:1], [1])}, as_=BUYER)
    rid = body["data"]["returnRequest"]["return"]["id"]
    # STAFF_SUPPORT reads but never decides; customers cannot decide either.
    for mutation in ("returnApprove", "returnDecline", "returnReceive"):
        for who in (STAFF_SUPPORT, "admin@acme.example"):
            assert codes(await gql(DECIDE % mutation, {"input": {"id": rid, "note": "x"}}, as_=who)) == ["FORBIDDEN"]
    assert codes(await gql(REFUND, {"input": {"id": rid}}, as_=STAFF_SUPPORT)) == ["FORBIDDEN"]
    # Out of order: nothing to receive or refund before approval.
    body = await gql(DECIDE % "returnReceive", {"input": {"id": rid}}, as_=STAFF_ADMIN)
    assert [e["code"] for e in body["data"]["returnReceive"]["userErrors"]] == ["INVALID_STATUS"]
    body = await gql(DECIDE % "returnApprove", {"input": {"id": rid, "note": "Send it to dock 3"}}, as_=STAFF_ADMIN)
    assert body["data"]["returnApprove"]["return"] == {"status": "APPROVED", "decisionNote": "Send it to dock 3"}
    body = await gql(DECIDE % "returnDecline", {"input": {"id": rid, "note": "no"}}, as_=STAFF_ADMIN)
    assert [e["code"] for e in body["data"]["returnDecline"]["userErrors"]] == ["INVALID_STATUS"]
    body = await gql(DECIDE % "returnReceive", {"input": {"id": rid}}, as_=STAFF_ADMIN)
    assert body["data"]["returnReceive"]["return"]["status"] == "RECEIVED"
    body = await gql(REFUND, {"input": {"id": rid, "amount": "999999"}}, as_=STAFF_ADMIN)
    assert [e["code"] for e in body["data"]["returnRefund"]["userErrors"]] == ["AMOUNT_EXCEEDS_REFUNDABLE"]
    assert await count(db, Refund) == 0
    body = await gql(REFUND, {"input": {"id": rid, "note": "Credited"}}, as_=STAFF_ADMIN)
    out = body["data"]["returnRefund"]
    assert out["userErrors"] == [] and out["return"]["status"] == "REFUNDED"
    line = lines[0]
    # One unit back: its price and its share of its line's tax.
    expected = (line.unit_price + line.tax_amount / line.quantity).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert Decimal(out["refund"]["amount"]["amount"]) == expected
    assert Decimal(out["order"]["refunded"]["amount"]) == expected
    # The buyer sees the refund on its order; the VIEWER role would not see amounts.
    body = await gql("""query($id: ID!) { node(id: $id) { ... on Order { refunded { amount }
        refunds { amount { amount } note } returns { status number } } } }""", {"id": gid("Order", order.id)}, as_=BUYER)
    assert Decimal(body["data"]["node"]["refunded"]["amount"]) == expected
    assert body["data"]["node"]["returns"][0]["status"] == "REFUNDED"
    async with db.session() as s:
        mail = [m.template for m in (await s.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()
                if m.template != "credit_note_issued"]
        # The refund's credit note against the order's invoice is mailed to accounts payable.
        notes = (await s.exec(select(OutboxMessage.to_address).where(OutboxMessage.template == "credit_note_issued"))).all()
        actions = [a.action for a in (await s.exec(select(AuditEvent).order_by(AuditEvent.id))).all()]
    assert mail == ["return_requested", "return_approved", "return_received", "return_refunded"]
    assert notes == ["ap@acme.example"]
    assert [a for a in actions if a.startswith("return.")] == ["return.request", "return.approve", "return.receive",
                                                               "return.refund"]


async def test_a_declined_return_frees_its_quantities_and_german_customers_get_german_mail(gql, db):
    order, lines = await shipped_order(db, "Berlin Zentrale")  # Globex GmbH, a German customer
    body = await gql(REQUEST, {"input": _input(order, lines[:1], [1])}, as_="buyer@globex.example")
    rid = body["data"]["returnRequest"]["return"]["id"]
    body = await gql(DECIDE % "returnDecline", {"input": {"id": rid}}, as_=STAFF_ADMIN)
    assert [e["code"] for e in body["data"]["returnDecline"]["userErrors"]] == ["NOTE_REQUIRED"]
    body = await gql(DECIDE % "returnDecline", {"input": {"id": rid, "note": "Opened and used"}}, as_=STAFF_ADMIN)
    assert body["data"]["returnDecline"]["return"]["status"] == "DECLINED"
    body = await gql(REQUEST, {"input": _input(order, lines[:1], [1])}, as_="buyer@globex.example")
    assert body["data"]["returnRequest"]["userErrors"] == []
    assert body["data"]["returnRequest"]["return"]["number"].endswith("-2")
    async with db.session() as s:
        mail = (await s.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert {m.locale for m in mail} == {"de"}
    declined = next(m for m in mail if m.template == "return_declined")
    assert declined.params["note"] == "Opened and used"
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "i18n" / "mail"
    text = (root / declined.template / f"{declined.locale}.txt").read_text()
    assert "abgelehnt" in text.format_map(declined.params)


async def test_returns_queue_is_scoped(gql, db):
    order, lines = await shipped_order(db)
    await gql(REQUEST, {"input": _input(order, lines[:1], [1])}, as_=BUYER)
    query = "{ returns(filter: {status: [REQUESTED]}) { totalCount nodes { number order { number } } } }"
    assert (await gql(query, as_=STAFF_SUPPORT))["data"]["returns"]["totalCount"] == 1
    assert (await gql(query, as_="admin@acme.example"))["data"]["returns"]["totalCount"] == 1
    assert (await gql(query, as_="buyer@globex.example"))["data"]["returns"]["totalCount"] == 0
    assert (await gql(query, as_="viewer@acme.example"))["data"]["returns"]["totalCount"] == 0


async def test_a_viewer_follows_returns_of_its_location_without_amounts(gql, db):
    order, lines = await shipped_order(db, "Austin Warehouse")  # where the demo VIEWER works
    body = await gql(REQUEST, {"input": _input(order, lines[:1], [1])}, as_="admin@acme.example")
    rid = body["data"]["returnRequest"]["return"]["id"]
    for mutation in ("returnApprove", "returnReceive"):
        await gql(DECIDE % mutation, {"input": {"id": rid}}, as_=STAFF_ADMIN)
    await gql(REFUND, {"input": {"id": rid}}, as_=STAFF_ADMIN)
    body = await gql("""query($id: ID!) { node(id: $id) { ... on Order { returns { status }
        refunds { note amount { amount } } refunded { amount } } } }""", {"id": gid("Order", order.id)},
                     as_="viewer@acme.example")
    node = body["data"]["node"]
    assert node["returns"] == [{"status": "REFUNDED"}]
    assert node["refunded"] is None and node["refunds"][0]["amount"] is None
    assert sorted(e["path"][-1] for e in body["errors"]) == ["amount", "refunded"]
    assert set(codes(body)) == {"FORBIDDEN"}
    # ...and cannot ask for a return itself.
    body = await gql(REQUEST, {"input": _input(order, lines[:1], [1])}, as_="viewer@acme.example")
    assert codes(body) == ["FORBIDDEN"]
