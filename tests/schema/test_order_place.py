"""orderPlace: from a cart or from lines, idempotency keys, price re-check, credit and spending limits."""
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import select

from db.models import (Account, AuditEvent, Cart, IdempotencyKey, Invoice, Membership, Order, OutboxMessage,
                       PriceListEntry, ProductVariant, TaxRate, User)
from tests.conftest import NOW
from tests.ordering_support import (ADMIN, APPROVER, BUYER, GLOBEX_BUYER, ORDER_PLACE, SETTINGS_UPDATE, VIEWER,
                                    count, data, error_codes, invoices_of, location_gid, money, new_cart, plain,
                                    ruled)
from db.repositories.ordering import credit_exposure
from tests.support import codes, gid, row


async def _place(gql, cart_id, key="k-1", as_=BUYER, **extra):
    body = await gql(ORDER_PLACE, {"input": {"idempotencyKey": key, "cartId": cart_id, **extra}}, as_=as_)
    return data(body, "orderPlace")


async def test_placing_a_cart_makes_an_open_order_with_an_invoice_due_after_the_terms(gql, db):
    ruled_v, contract_v = await ruled(db), await plain(db)
    cart = await new_cart(gql, db, [{"sku": ruled_v.sku, "quantity": 10}, {"sku": contract_v.sku, "quantity": 2}],
                          poNumber="PO-42", note="Leave at dock 1")
    payload = await _place(gql, cart["id"])
    assert payload["userErrors"] == []
    order = payload["order"]
    assert order["status"] == "OPEN" and order["poNumber"] == "PO-42" and order["note"] == "Leave at dock 1"
    assert order["placedBy"]["email"] == BUYER
    assert [(x["sku"], x["quantity"]) for x in order["lines"]] == [(ruled_v.sku, 10), (contract_v.sku, 2)]
    subtotal = sum(money(x["total"]) for x in cart["lines"])
    assert money(order["subtotal"]) == subtotal
    # Denver ships to Colorado: its rate on each line, rounded per line, summed.
    colorado = (await row(db, TaxRate, jurisdiction="US-CO")).percent / 100
    assert money(order["tax"]) == sum((money(x["total"]) * colorado).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for x in cart["lines"])
    [invoice] = await invoices_of(gql, order["id"])
    assert invoice["status"] == "OPEN" and money(invoice["amountDue"]) == money(order["total"])
    assert date.fromisoformat(invoice["dueDate"]) == (NOW + timedelta(days=30)).date()
    assert order["shippingAddress"]["line2"] == "Dock 1"
    async with db.session() as s:
        placed = (await s.exec(select(Cart))).one()
        assert placed.status == "ORDERED"
        event = (await s.exec(select(AuditEvent).where(AuditEvent.action == "order.place"))).one()
        assert event.data["source"] == "cart"
    # The cart cannot be placed a second time, even with another key.
    again = await _place(gql, cart["id"], key="k-2")
    assert error_codes(again) == ["CART_ORDERED"] and again["order"] is None


async def test_the_same_idempotency_key_returns_the_first_order(gql, db):
    ruled_v = await ruled(db)
    denver = await location_gid(db, "Denver Plant")
    before = await count(db, Order)
    lines = [{"sku": ruled_v.sku, "quantity": 10}]
    first = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "erp-881", "locationId": denver,
                                                   "lines": lines}}, as_=BUYER), "orderPlace")
    second = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "erp-881", "locationId": denver,
                                                    "lines": lines}}, as_=BUYER), "orderPlace")
    assert first["order"]["id"] == second["order"]["id"]
    assert first["order"]["total"] == second["order"]["total"]  # the replay reads like the first answer
    assert (first["replayed"], second["replayed"]) == (False, True)
    assert await count(db, Order) == before + 1
    # The same key with another body is refused, and writes nothing.
    other = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "erp-881", "locationId": denver,
                                                   "lines": [{"sku": ruled_v.sku, "quantity": 20}]}}, as_=BUYER),
                 "orderPlace")
    assert error_codes(other) == ["IDEMPOTENCY_KEY_REUSED"] and other["order"] is None
    assert await count(db, Order) == before + 1
    # Keys are per caller: another buyer's same key is its own.
    assert await count(db, IdempotencyKey) == 1


async def test_a_failed_placement_does_not_use_up_its_key(gql, db):
    denver = await location_gid(db, "Denver Plant")
    bad = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "retry-me", "locationId": denver,
                                                 "lines": [{"sku": "FST-1000-1", "quantity": 3}]}}, as_=BUYER),
               "orderPlace")
    assert error_codes(bad) == ["QUANTITY_RULE"]
    assert await count(db, IdempotencyKey) == 0
    good = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "retry-me", "locationId": denver,
                                                  "lines": [{"sku": "FST-1000-1", "quantity": 30}]}}, as_=BUYER),
                "orderPlace")
    assert good["userErrors"] == [] and good["order"]["status"] == "OPEN"


async def test_an_integration_expecting_another_price_gets_price_changed(gql, db):
    ruled_v = await ruled(db)
    denver = await location_gid(db, "Denver Plant")
    before = await count(db, Order)
    payload = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "x", "locationId": denver, "lines": [
        {"variantId": await gid(db, ProductVariant, id=ruled_v.id), "quantity": 10, "expectedUnitPrice": "1.00"}]}},
        as_=BUYER), "orderPlace")
    assert error_codes(payload) == ["PRICE_CHANGED"]
    assert payload["userErrors"][0]["field"] == ["input", "lines", "0", "expectedUnitPrice"]
    assert await count(db, Order) == before


async def test_a_changed_price_is_reported_not_charged(gql, db):
    ruled_v = await ruled(db)
    cart = await new_cart(gql, db, [{"sku": ruled_v.sku, "quantity": 10}])
    added_at = money(cart["lines"][0]["unitPrice"])
    async with db.transaction() as s:  # the merchant raises Denver's contracted price
        entry = (await s.exec(select(PriceListEntry).where(PriceListEntry.price_list_id == 2,
                                                           PriceListEntry.variant_id == ruled_v.id))).one()
        entry.price = Decimal("25.00")
        s.add(entry)
    before = await count(db, Order)
    payload = await _place(gql, cart["id"])
    assert error_codes(payload) == ["PRICE_CHANGED"] and payload["order"] is None
    [change] = payload["priceChanges"]
    assert (money(change["previousUnitPrice"]), money(change["unitPrice"])) == (added_at, Decimal("25.00"))
    assert await count(db, Order) == before
    body = await gql("""mutation($id: ID!) { cartPricesRefresh(input: {cartId: $id}) {
        priceChanges { sku unitPrice { amount } } userErrors { code } } }""", {"id": cart["id"]}, as_=BUYER)
    assert [money(c["unitPrice"]) for c in data(body, "cartPricesRefresh")["priceChanges"]] == [Decimal("25.00")]
    payload = await _place(gql, cart["id"], key="k-after-review")
    assert payload["userErrors"] == [] and money(payload["order"]["lines"][0]["unitPrice"]) == Decimal("25.00")


async def test_an_order_over_the_credit_limit_is_blocked_with_a_clear_error(gql, db):
    ruled_v = await ruled(db)
    async with db.transaction() as s:
        acme = (await s.exec(select(Account).where(Account.name == "Acme Industrial"))).one()
        owed = await credit_exposure(s, acme.id)
        acme.credit_limit = owed + Decimal("53.73")  # what open invoices owe, and a little more
        s.add(acme)
    assert Decimal(0) < Decimal("3500") - owed < Decimal("100")
    cart = await new_cart(gql, db, [{"sku": ruled_v.sku, "quantity": 10}])
    before = (await count(db, Order), await count(db, Invoice))
    payload = await _place(gql, cart["id"])
    assert error_codes(payload) == ["CREDIT_LIMIT_EXCEEDED"]
    assert f"available credit ($53.73 of ${owed + Decimal('53.73'):,.2f})" in payload["userErrors"][0]["message"]
    assert (await count(db, Order), await count(db, Invoice)) == before
    async with db.session() as s:
        assert (await s.exec(select(Cart.status))).one() == "OPEN"


async def test_over_the_monthly_spending_limit_the_order_waits_for_approval(gql, db):
    # Bob's limit is 5,000 a month; he placed 592.00 this month already (waiting for approval).
    contract_v = await plain(db)
    cart = await new_cart(gql, db, [{"sku": contract_v.sku, "quantity": 150}])  # 3,941.49 with tax
    payload = await _place(gql, cart["id"])
    order = payload["order"]
    assert order["status"] == "OPEN"
    cart = await new_cart(gql, db, [{"sku": contract_v.sku, "quantity": 50}])
    order = (await _place(gql, cart["id"], key="k-2"))["order"]
    assert order["status"] == "PENDING_APPROVAL" and order["approvalReasons"] == ["SPENDING_LIMIT"]
    assert await invoices_of(gql, order["id"]) == [] and order["approvalsRequired"] == 1
    # The account-wide approver is told; the buyer is not (it placed the order), it only has the
    # confirmation of each order. The first order's invoice went to accounts payable.
    async with db.session() as s:
        mail = (await s.exec(select(OutboxMessage).where(
            OutboxMessage.template.not_in(["invoice_issued", "order_placed"])))).one()  # type: ignore[attr-defined]
        placed = (await s.exec(select(OutboxMessage).where(OutboxMessage.template == "order_placed"))).all()
        assert [m.to_address for m in placed] == [BUYER, BUYER]
        assert (await s.exec(select(OutboxMessage.to_address).where(OutboxMessage.template == "invoice_issued"))).all() \
            == ["ap@acme.example"]
    assert (mail.to_address, mail.template) == (APPROVER, "order_awaiting_approval")
    assert mail.params["reasons"] == "over the buyer's spending limit" and mail.params["location"] == "Denver Plant"


async def test_a_per_order_limit_counts_each_order_alone(gql, db):
    body = await gql(SETTINGS_UPDATE, {"input": {"accountId": await gid(db, Account, name="Acme Industrial"),
                                                 "spendingLimitPeriod": "ORDER"}}, as_=ADMIN)
    assert data(body, "accountOrderingSettingsUpdate")["settings"]["spendingLimitPeriod"] == "ORDER"
    async with db.transaction() as s:
        m = (await s.exec(select(Membership).join(User, User.id == Membership.user_id).where(User.email == BUYER))).one()
        m.spending_limit = Decimal("700")
        s.add(m)
    contract_v = await plain(db)
    small = (await _place(gql, (await new_cart(gql, db, [{"sku": contract_v.sku, "quantity": 10}]))["id"], key="a"))["order"]
    again = (await _place(gql, (await new_cart(gql, db, [{"sku": contract_v.sku, "quantity": 10}]))["id"], key="b"))["order"]
    large = (await _place(gql, (await new_cart(gql, db, [{"sku": contract_v.sku, "quantity": 50}]))["id"], key="c"))["order"]
    assert money(small["total"]) < 700 and money(large["total"]) > 700
    assert (small["status"], again["status"], large["status"]) == ("OPEN", "OPEN", "PENDING_APPROVAL")


async def test_an_account_that_requires_approval_holds_every_order(gql, db):
    # Only ADMIN may change the settings; a buyer is refused and nothing changes.
    acme = await gid(db, Account, name="Acme Industrial")
    body = await gql(SETTINGS_UPDATE, {"input": {"accountId": acme, "requiresApproval": True}}, as_=BUYER)
    assert codes(body) == ["FORBIDDEN"]
    body = await gql(SETTINGS_UPDATE, {"input": {"accountId": acme, "requiresApproval": True}}, as_=ADMIN)
    assert data(body, "accountOrderingSettingsUpdate")["settings"]["requiresApproval"] is True
    contract_v = await plain(db)
    order = (await _place(gql, (await new_cart(gql, db, [{"sku": contract_v.sku, "quantity": 1}]))["id"]))["order"]
    assert order["status"] == "PENDING_APPROVAL" and order["approvalReasons"] == ["ACCOUNT_REQUIRES_APPROVAL"]


async def test_who_may_place(gql, db):
    contract_v = await plain(db)
    lines = [{"sku": contract_v.sku, "quantity": 1}]
    before = await count(db, Order)
    # A viewer, an approver: refused at a location they can see.
    for who, location in ((VIEWER, "Austin Warehouse"), (APPROVER, "Denver Plant")):
        body = await gql(ORDER_PLACE, {"input": {"idempotencyKey": "k", "locationId": await location_gid(db, location),
                                                 "lines": lines}}, as_=who)
        assert codes(body) == ["FORBIDDEN"], who
    # A buyer at another location, a buyer of another account: that location does not exist for them.
    for who, location in ((BUYER, "Chicago HQ"), (GLOBEX_BUYER, "Denver Plant")):
        body = await gql(ORDER_PLACE, {"input": {"idempotencyKey": "k", "locationId": await location_gid(db, location),
                                                 "lines": lines}}, as_=who)
        assert error_codes(data(body, "orderPlace")) == ["LOCATION_NOT_FOUND"], who
    # An approver cannot place a buyer's cart either (its role never places: refused before anything
    # is read); another account's buyer cannot find it.
    cart = await new_cart(gql, db, lines)
    body = await gql(ORDER_PLACE, {"input": {"idempotencyKey": "k", "cartId": cart["id"]}}, as_=APPROVER)
    assert codes(body) == ["FORBIDDEN"]
    assert error_codes(await _place(gql, cart["id"], as_=GLOBEX_BUYER)) == ["CART_NOT_FOUND"]
    assert await count(db, Order) == before
    # An ADMIN may order for any location of the account.
    body = await gql(ORDER_PLACE, {"input": {"idempotencyKey": "k", "locationId": await location_gid(db, "Chicago HQ"),
                                             "lines": lines, "poNumber": "ADM-1"}}, as_=ADMIN)
    assert data(body, "orderPlace")["order"]["status"] == "OPEN"


async def test_bad_order_input_is_coded(gql, db):
    denver = await location_gid(db, "Denver Plant")
    contract_v = await plain(db)
    cases = [({"idempotencyKey": "", "locationId": denver, "lines": [{"sku": contract_v.sku, "quantity": 1}]},
              "INVALID_IDEMPOTENCY_KEY"),
             ({"idempotencyKey": "k" * 256, "locationId": denver, "lines": [{"sku": contract_v.sku, "quantity": 1}]},
              "INVALID_IDEMPOTENCY_KEY"),
             ({"idempotencyKey": "k", "locationId": denver, "lines": [{"sku": contract_v.sku, "quantity": 1}],
               "poNumber": "P" * 141}, "PO_NUMBER_TOO_LONG"),
             ({"idempotencyKey": "k", "locationId": denver, "lines": []}, "INVALID_INPUT"),
             ({"idempotencyKey": "k", "locationId": denver, "lines": [{"sku": contract_v.sku, "quantity": 0}]},
              "INVALID_QUANTITY")]
    before = await count(db, Order)
    for given, code in cases:
        payload = data(await gql(ORDER_PLACE, {"input": given}, as_=BUYER), "orderPlace")
        assert error_codes(payload) == [code], (given, payload)
    assert await count(db, Order) == before
    assert await count(db, IdempotencyKey) == 0


async def test_invoicing_at_fulfilment_places_without_an_invoice(gql, db, app):
    app.state.settings.sessions.invoice_on = "FULFILMENT"
    contract_v = await plain(db)
    order = (await _place(gql, (await new_cart(gql, db, [{"sku": contract_v.sku, "quantity": 1}]))["id"]))["order"]
    assert order["status"] == "OPEN" and await invoices_of(gql, order["id"]) == []
