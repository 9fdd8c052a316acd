"""Billing details (billingDetailsUpdate) and tax on placed orders and their invoices."""
from decimal import Decimal

from sqlmodel import select

from db.models import Account, AuditEvent, Location, OrderLine, PriceList, TaxRate
from resolvers.globalid import encode
from tests.ordering_support import (ADMIN, BUYER, GLOBEX_BUYER, ORDER_PLACE, STAFF_ADMIN, STAFF_SUPPORT, VIEWER,
                                    data, money, new_cart, plain)
from tests.support import codes, row

AP = "ap@acme.example"
GLOBEX_ADMIN = "admin@globex.example"
UPDATE = """mutation($input: BillingDetailsUpdateInput!) { billingDetailsUpdate(input: $input) {
  account { billingDetails { name businessName taxId isBusiness country region postalCode taxExempt exemptionReference } }
  userErrors { code field message } } }"""
ORDER_TAX = """query($id: ID!) { node(id: $id) { ... on Order { subtotal { amount } tax { amount } total { amount }
  lines { total { amount } tax { percent amount { amount } label jurisdiction reason included } }
  invoices { taxNote tax { amount } subtotal { amount } total { amount }
    billingDetails { country taxId isBusiness taxExempt exemptionReference }
    lines { amount { amount } tax { percent amount { amount } reason } }
    taxBreakdown { percent label jurisdiction reason net { amount } amount { amount } }
    creditNotes { tax { amount } lines { tax { amount } } } } } } }"""
BILLING_COLUMNS = ("billing_country", "billing_region", "billing_postal_code", "billing_tax_id",
                   "billing_business_name", "billing_is_business", "tax_exempt")


async def _acme(db) -> tuple[str, tuple]:
    acme = await row(db, Account, name="Acme Industrial")
    return encode("Account", acme.id), tuple(getattr(acme, c) for c in BILLING_COLUMNS)


async def test_malformed_billing_details_are_refused_with_codes_and_nothing_changes(gql, db):
    account_id, before = await _acme(db)
    cases = [({"country": "XX"}, "INVALID_COUNTRY", ["input", "country"]),
             ({"country": "US", "region": None}, "REGION_REQUIRED", ["input", "region"]),
             ({"region": "ZZ"}, "INVALID_REGION", ["input", "region"]),
             ({"postalCode": "ABCDE"}, "INVALID_POSTAL_CODE", ["input", "postalCode"]),
             ({"country": "DE", "region": None, "postalCode": "1011", "taxId": None}, "INVALID_POSTAL_CODE", ["input", "postalCode"]),
             ({"country": "CA", "region": "ON", "postalCode": "K1A 0B1", "taxId": "12345"}, "INVALID_TAX_ID",
              ["input", "taxId"]),
             # A German VAT number whose check digit is wrong (DE136695976 is right).
             ({"country": "DE", "region": None, "postalCode": "10115", "taxId": "DE136695975"}, "INVALID_TAX_ID",
              ["input", "taxId"])]
    for changes, code, field in cases:
        body = await gql(UPDATE, {"input": {"accountId": account_id, **changes}}, as_=AP)
        payload = data(body, "billingDetailsUpdate")
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)], changes
        assert payload["account"] is None
    assert "check digit" in payload["userErrors"][0]["message"]
    for who in (VIEWER, BUYER, STAFF_SUPPORT):
        body = await gql(UPDATE, {"input": {"accountId": account_id, "country": "US", "region": "NY"}}, as_=who)
        assert codes(body) == ["FORBIDDEN"], who
    # Another account's: not found, as if it did not exist.
    globex = encode("Account", (await row(db, Account, name="Globex GmbH")).id)
    body = await gql(UPDATE, {"input": {"accountId": globex, "country": "FR", "postalCode": "75001"}}, as_=AP)
    assert [e["code"] for e in data(body, "billingDetailsUpdate")["userErrors"]] == ["ACCOUNT_NOT_FOUND"]
    assert (await _acme(db))[1] == before
    async with db.session() as s:
        assert (await s.exec(select(AuditEvent).where(AuditEvent.action == "account.billing_details"))).all() == []


async def test_accounts_payable_and_admin_update_billing_details_in_canonical_form(gql, db):
    account_id, _ = await _acme(db)
    body = await gql(UPDATE, {"input": {"accountId": account_id, "region": "us-ny", "postalCode": "10001-1234",
                                        "taxId": "361234567", "businessName": " Acme Industrial Inc. "}}, as_=AP)
    payload = data(body, "billingDetailsUpdate")
    assert payload["userErrors"] == []
    assert payload["account"]["billingDetails"] == {
        "name": "Acme Industrial", "businessName": "Acme Industrial Inc.", "taxId": "36-1234567", "isBusiness": True,
        "country": "US", "region": "NY", "postalCode": "10001-1234", "taxExempt": False, "exemptionReference": None}
    body = await gql(UPDATE, {"input": {"accountId": account_id, "country": "CA", "region": "ON",
                                        "postalCode": "k1a 0b1", "taxId": None}}, as_=ADMIN)
    details = data(body, "billingDetailsUpdate")["account"]["billingDetails"]
    assert (details["country"], details["region"], details["postalCode"], details["taxId"]) == ("CA", "ON", "K1A 0B1", None)


async def _place(gql, db, as_, location, quantity=2):
    variant = await plain(db)
    cart = await new_cart(gql, db, [{"sku": variant.sku, "quantity": quantity}], as_=as_, location=location)
    body = await gql(ORDER_PLACE, {"input": {"idempotencyKey": f"tax-{location}", "cartId": cart["id"]}}, as_=as_)
    order = data(body, "orderPlace")["order"]
    assert order is not None, body
    return order


async def _order(gql, order, as_):
    body = await gql(ORDER_TAX, {"id": order["id"]}, as_=as_)
    return data(body, "node")


def _check_sums(order):
    """The order's, each invoice's and each credit note's tax is the sum of its lines' tax; total =
    subtotal + tax; what the invoices bill less what their credit notes took back is the order's tax."""
    line_tax = sum(money(x["tax"]["amount"]) for x in order["lines"])
    assert money(order["tax"]) == line_tax
    assert money(order["total"]) == money(order["subtotal"]) + money(order["tax"])
    billed = Decimal(0)
    for invoice in order["invoices"]:
        assert money(invoice["tax"]) == sum(money(x["tax"]["amount"]) for x in invoice["lines"])
        assert sum(money(g["amount"]) for g in invoice["taxBreakdown"]) == money(invoice["tax"])
        for note in invoice["creditNotes"]:
            assert money(note["tax"]) == sum(money(x["tax"]) for x in note["lines"])
            billed -= money(note["tax"])
        billed += money(invoice["tax"])
    assert not order["invoices"] or billed == line_tax


async def test_an_exempt_location_pays_no_tax_and_its_invoice_keeps_the_reference(gql, db):
    denver = await row(db, Location, name="Denver Plant")
    body = await gql("""mutation($input: LocationUpdateInput!) { locationUpdate(input: $input) {
        userErrors { code } } }""", {"input": {"id": encode("Location", denver.id), "taxExempt": True}}, as_=STAFF_ADMIN)
    assert [e["code"] for e in data(body, "locationUpdate")["userErrors"]] == ["REQUIRED"]  # the reference too
    body = await gql("""mutation($input: LocationUpdateInput!) { locationUpdate(input: $input) {
        userErrors { code } } }""", {"input": {"id": encode("Location", denver.id), "taxExempt": True,
                                               "exemptionReference": "CO-EXEMPT-98-01234"}}, as_=STAFF_ADMIN)
    assert data(body, "locationUpdate")["userErrors"] == []
    order = await _order(gql, await _place(gql, db, BUYER, "Denver Plant"), ADMIN)
    assert {(x["tax"]["reason"], x["tax"]["amount"]["amount"]) for x in order["lines"]} == {("EXEMPT", "0.00")}
    assert money(order["total"]) == money(order["subtotal"])
    [invoice] = order["invoices"]
    assert invoice["billingDetails"]["taxExempt"] is True
    assert invoice["billingDetails"]["exemptionReference"] == "CO-EXEMPT-98-01234"
    _check_sums(order)


async def test_a_us_order_is_taxed_at_its_destination_state_rate_set_by_staff(gql, db):
    body = await gql("""mutation($input: TaxRateSetInput!) { taxRateSet(input: $input) { taxRate { id } userErrors { code field } } }""",
                     {"input": {"country": "US", "region": "XX", "percent": "4", "label": "?"}}, as_=STAFF_ADMIN)
    assert [e["code"] for e in data(body, "taxRateSet")["userErrors"]] == ["INVALID_REGION"]
    body = await gql("""mutation($input: TaxRateSetInput!) { taxRateSet(input: $input) { taxRate { country region percent label } userErrors { code } } }""",
                     {"input": {"country": "us", "region": "CO", "percent": "4.81", "label": "CO state + RTD"}}, as_=STAFF_ADMIN)
    assert data(body, "taxRateSet")["taxRate"] == {"country": "US", "region": "CO", "percent": "4.81",
                                                   "label": "CO state + RTD"}
    order = await _order(gql, await _place(gql, db, BUYER, "Denver Plant", quantity=3), ADMIN)
    for line in order["lines"]:
        expected = (money(line["total"]) * Decimal("0.0481")).quantize(Decimal("0.01"))
        assert (line["tax"]["jurisdiction"], money(line["tax"]["amount"])) == ("US-CO", expected)
    [group] = order["invoices"][0]["taxBreakdown"]
    assert (group["percent"], group["jurisdiction"], group["label"]) == ("4.81", "US-CO", "CO state + RTD")
    _check_sums(order)


async def test_intra_eu_reverse_charge_for_a_french_business_buying_from_a_german_merchant(gql, db, app):
    app.state.settings.sessions.merchant_country = "DE"
    globex = encode("Account", (await row(db, Account, name="Globex GmbH")).id)
    body = await gql(UPDATE, {"input": {"accountId": globex, "country": "FR", "region": None, "postalCode": "75008",
                                        "taxId": "40 303 265 045", "isBusiness": True}}, as_=GLOBEX_ADMIN)
    assert data(body, "billingDetailsUpdate")["account"]["billingDetails"]["taxId"] == "FR40303265045"
    order = await _order(gql, await _place(gql, db, GLOBEX_BUYER, "Berlin Zentrale"), GLOBEX_ADMIN)
    assert {(x["tax"]["reason"], x["tax"]["percent"]) for x in order["lines"]} == {("REVERSE_CHARGE", "0")}
    [invoice] = order["invoices"]
    assert invoice["taxNote"].startswith("Reverse charge")
    assert invoice["billingDetails"] == {"country": "FR", "taxId": "FR40303265045", "isBusiness": True,
                                         "taxExempt": False, "exemptionReference": None}
    assert money(invoice["total"]) == money(invoice["subtotal"])
    _check_sums(order)


async def test_a_domestic_german_sale_on_a_tax_inclusive_price_list_extracts_the_vat(gql, db, app):
    app.state.settings.sessions.merchant_country = "DE"
    async with db.transaction() as s:
        for pl in (await s.exec(select(PriceList).where(PriceList.currency == "EUR"))).all():
            pl.prices_include_tax = True
            s.add(pl)
    order = await _order(gql, await _place(gql, db, GLOBEX_BUYER, "Berlin Zentrale", quantity=3), GLOBEX_ADMIN)
    for line in order["lines"]:
        gross = money(line["total"])
        # The price is gross: tax = gross × 19 / 119, rounded to the cent.
        assert money(line["tax"]["amount"]) == (gross * 19 / 119).quantize(Decimal("0.01"))
        assert (line["tax"]["included"], line["tax"]["jurisdiction"], line["tax"]["label"]) == (True, "DE", "MwSt.")
    assert money(order["total"]) == sum(money(x["total"]) for x in order["lines"])
    [group] = order["invoices"][0]["taxBreakdown"]
    assert money(group["net"]) + money(group["amount"]) == money(order["total"])
    _check_sums(order)
    async with db.session() as s:
        stored = (await s.exec(select(OrderLine).order_by(OrderLine.id.desc()).limit(1))).one()
        assert stored.tax_percent == Decimal("19") and stored.tax_included


async def test_staff_support_reads_the_rates_and_customers_cannot(gql, db):
    body = await gql("{ taxRates { country region percent label } }", as_=STAFF_SUPPORT)
    async with db.session() as s:
        count = len((await s.exec(select(TaxRate))).all())
    rates = data(body, "taxRates")
    assert len(rates) == count > 10
    assert {"country": "DE", "region": None, "percent": "19", "label": "MwSt."} in rates
    assert {"country": "US", "region": "CA", "percent": "7.25", "label": "CA sales tax"} in rates
    assert codes(await gql("{ taxRates { country } }", as_=AP)) == ["FORBIDDEN"]


async def test_an_integration_needs_invoices_write_to_change_billing_details(gql, db, client):
    from tests.server.test_oauth import register, token_for  # noqa: PLC0415
    account_id, before = await _acme(db)
    for scopes, allowed in ((["invoices:read"], False), (["invoices:read", "invoices:write"], True)):
        made = (await register(gql, db, scopes))["data"]["oauthClientCreate"]
        token = (await token_for(client, made["client"]["clientId"], made["clientSecret"])).json()["access_token"]
        body = await gql(UPDATE, {"input": {"accountId": account_id, "region": "NY", "postalCode": "10001"}},
                         headers={"authorization": f"Bearer {token}"})
        if allowed:
            assert data(body, "billingDetailsUpdate")["account"]["billingDetails"]["region"] == "NY"
        else:
            assert codes(body) == ["FORBIDDEN"] and (await _acme(db))[1] == before


async def test_a_changed_quantity_is_taxed_again_at_the_rate_it_was_sold_at_and_credited_on_the_invoice(gql, db, app):
    # A tax-inclusive list, so the extraction is redone too: Globex (DE, 19 %) at Berlin.
    async with db.transaction() as s:
        for pl in (await s.exec(select(PriceList).where(PriceList.currency == "EUR"))).all():
            pl.prices_include_tax = True
            s.add(pl)
    placed = await _place(gql, db, GLOBEX_BUYER, "Berlin Zentrale", quantity=3)
    # The merchant's rate changes after placement: the order keeps the rate it was sold at.
    body = await gql("""mutation($input: TaxRateSetInput!) { taxRateSet(input: $input) { userErrors { code } } }""",
                     {"input": {"country": "DE", "percent": "25", "label": "MwSt."}}, as_=STAFF_ADMIN)
    assert data(body, "taxRateSet")["userErrors"] == []
    body = await gql("""mutation($input: OrderUpdateInput!) { orderUpdate(input: $input) { userErrors { code } } }""",
                     {"input": {"orderId": placed["id"], "lines": [{"lineId": placed["lines"][0]["id"], "quantity": 1}]}},
                     as_=GLOBEX_BUYER)
    assert data(body, "orderUpdate")["userErrors"] == []
    order = await _order(gql, placed, GLOBEX_ADMIN)
    [line] = order["lines"]
    gross = money(line["total"])
    assert gross == money(placed["lines"][0]["unitPrice"])
    assert (line["tax"]["percent"], money(line["tax"]["amount"])) == ("19", (gross * 19 / 119).quantize(Decimal("0.01")))
    assert money(order["total"]) == gross
    _check_sums(order)
