"""The staff back office: STAFF_ADMIN writes, STAFF_SUPPORT and customers never do."""
from decimal import Decimal

import pytest
from sqlmodel import func, select

from db.models import (Account, Address, AuditEvent, Location, PriceList, PriceListEntry, Product, ProfileField,
                       ProductVariant, QuantityRule, TaxRate)
from permissions.policy import POLICY, STAFF_ADMIN as STAFF_ADMIN_ROLES
from tests.order_factories import STAFF_ADMIN, STAFF_SUPPORT, gid
from tests.support import codes, finders

TABLES = [Account, Address, AuditEvent, Location, PriceList, PriceListEntry, Product, ProductVariant, QuantityRule,
          TaxRate, ProfileField]

# A valid input for every staff mutation (ids filled in per test): STAFF_SUPPORT must be refused all of them.
STAFF_CALLS = {
    "productCreate": ("ProductCreateInput", lambda ids: {"title": "New thing"}),
    "productUpdate": ("ProductUpdateInput", lambda ids: {"id": ids["product"], "isActive": False}),
    "variantCreate": ("VariantCreateInput", lambda ids: {"productId": ids["product"], "sku": "NEW-1", "title": "One",
                                                         "listPrice": "9.99", "currencyCode": "USD"}),
    "variantUpdate": ("VariantUpdateInput", lambda ids: {"id": ids["variant"], "listPrice": "1.00"}),
    "priceListCreate": ("PriceListCreateInput", lambda ids: {"accountId": ids["account"], "name": "P"}),
    "priceListUpdate": ("PriceListUpdateInput", lambda ids: {"id": ids["price_list"], "name": "Q"}),
    "priceListDelete": ("PriceListDeleteInput", lambda ids: {"id": ids["price_list"]}),
    "accountCreate": ("AccountCreateInput", lambda ids: {"name": "N", "kind": "BUSINESS", "currencyCode": "USD"}),
    "accountUpdate": ("AccountUpdateInput", lambda ids: {"id": ids["account"], "name": "Renamed"}),
    "locationCreate": ("LocationCreateInput", lambda ids: {"accountId": ids["account"], "name": "L"}),
    "locationUpdate": ("LocationUpdateInput", lambda ids: {"id": ids["location"], "name": "L2"}),
    "taxRateSet": ("TaxRateSetInput", lambda ids: {"country": "US", "region": "OH", "percent": "5.75",
                                                   "label": "OH sales tax"}),
    "taxRateDelete": ("TaxRateDeleteInput", lambda ids: {"id": gid("TaxRate", 1)}),
    "fulfilmentCreate": ("FulfilmentCreateInput", lambda ids: {"orderId": ids["order"], "carrier": "UPS", "lines": []}),
    "fulfilmentEventAdd": ("FulfilmentEventAddInput", lambda ids: {"fulfilmentId": ids["fulfilment"],
                                                                   "status": "DELIVERED"}),
    "returnApprove": ("ReturnDecisionInput", lambda ids: {"id": gid("Return", 1)}),
    "returnDecline": ("ReturnDecisionInput", lambda ids: {"id": gid("Return", 1), "note": "n"}),
    "returnReceive": ("ReturnDecisionInput", lambda ids: {"id": gid("Return", 1)}),
    "returnRefund": ("ReturnRefundInput", lambda ids: {"id": gid("Return", 1)}),
    "quoteRespond": ("QuoteRespondInput", lambda ids: {"quoteId": gid("Quote", 1), "lines": [],
                                                       "expiresAt": "2026-07-01T00:00:00Z"}),
    "staffInvoiceFinalize": ("InvoiceIdInput", lambda ids: {"id": gid("Invoice", 1)}),
    "staffInvoiceVoid": ("InvoiceIdInput", lambda ids: {"id": gid("Invoice", 1)}),
    "staffInvoiceMarkUncollectible": ("InvoiceIdInput", lambda ids: {"id": gid("Invoice", 1)}),
    "staffCreditNoteCreate": ("CreditNoteCreateInput", lambda ids: {"invoiceId": gid("Invoice", 1),
                                                                    "reason": "GOODWILL", "amount": "1.00"}),
    "profileFieldSave": ("ProfileFieldSaveInput", lambda ids: {"key": "badge", "label": "Badge"}),
    "profileFieldDelete": ("ProfileFieldDeleteInput", lambda ids: {"id": gid("ProfileField", 1)}),
    # The file is refused before it is read: a placeholder stands for the multipart upload.
    "documentShare": ("DocumentShareInput", lambda ids: {"accountId": ids["account"], "title": "T", "file": "x"}),
    "documentUnshare": ("DocumentUnshareInput", lambda ids: {"id": gid("SharedDocument", 1)}),
    "digitalProductSetUp": ("DigitalProductSetUpInput", lambda ids: {"variantId": ids["variant"], "downloadLimit": 1}),
    "digitalFileAdd": ("DigitalFileAddInput", lambda ids: {"variantId": ids["variant"], "file": "x"}),
    "licenseKeyDisable": ("LicenseKeyInput", lambda ids: {"id": gid("LicenseKey", 1)}),
    "licenseKeyEnable": ("LicenseKeyInput", lambda ids: {"id": gid("LicenseKey", 1)}),
    "subscriptionPortalConfigure": ("SubscriptionPortalConfigureInput", lambda ids: {
        "preset": "B2B", "actions": ["PAUSE"], "cancelMode": "PERIOD_END"}),
}


def test_every_staff_mutation_of_the_policy_is_exercised_here():
    staff_only = {k.removeprefix("Mutation.") for k, r in POLICY.items()
                  if r.kind == "mutation" and r.staff == STAFF_ADMIN_ROLES and not r.roles}
    assert staff_only == set(STAFF_CALLS)


async def _ids(db):
    async with db.session() as s:
        first = lambda model: s.exec(select(model).order_by(model.id).limit(1))  # noqa: E731
        product = (await first(Product)).one()
        variant = (await first(ProductVariant)).one()
        pl = (await first(PriceList)).one()
        account = (await first(Account)).one()
        location = (await first(Location)).one()
        from db.models import Fulfilment, Order
        order = (await first(Order)).one()
        fulfilment = (await first(Fulfilment)).one()
    return {"product": gid("Product", product.id), "variant": gid("ProductVariant", variant.id),
            "price_list": gid("PriceList", pl.id), "account": gid("Account", account.id),
            "location": gid("Location", location.id), "order": gid("Order", order.id),
            "fulfilment": gid("Fulfilment", fulfilment.id)}


async def _counts(db):
    async with db.session() as s:
        return {m.__name__: (await s.exec(select(func.count()).select_from(m))).one() for m in TABLES}


@pytest.mark.parametrize("who", [STAFF_SUPPORT, "admin@acme.example", "buyer@acme.example", None])
async def test_staff_mutations_refuse_support_staff_and_customers(gql, db, who):
    ids, before = await _ids(db), await _counts(db)
    for name, (input_type, make) in STAFF_CALLS.items():
        body = await gql(f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ __typename }} }}",
                         {"input": make(ids)}, as_=who)
        assert codes(body) == ["FORBIDDEN" if who else "UNAUTHENTICATED"], (name, body)
        assert body["data"] is None
    assert await _counts(db) == before


PRODUCT = """mutation($input: ProductCreateInput!) { productCreate(input: $input) {
  product { id title isActive } userErrors { code field } } }"""
VARIANT = """mutation($input: VariantCreateInput!) { variantCreate(input: $input) {
  variant { id sku listPrice { amount currencyCode } isActive } userErrors { code field } } }"""
VARIANT_UPDATE = """mutation($input: VariantUpdateInput!) { variantUpdate(input: $input) {
  variant { sku isActive listPrice { amount } } userErrors { code field } } }"""


async def test_staff_admin_manages_products_and_variants(gql, db):
    body = await gql(PRODUCT, {"input": {"title": "Northwind Gasket", "vendor": "Northwind"}}, as_=STAFF_ADMIN)
    product = body["data"]["productCreate"]["product"]
    assert product["isActive"] is True
    body = await gql(VARIANT, {"input": {"productId": product["id"], "sku": "GSK-1", "title": "DN50",
                                         "listPrice": "3.2500", "currencyCode": "usd"}}, as_=STAFF_ADMIN)
    variant = body["data"]["variantCreate"]["variant"]
    assert variant["listPrice"] == {"amount": "3.25", "currencyCode": "USD"}
    for bad, code in (({"sku": "GSK-1"}, "SKU_TAKEN"), ({"sku": "bad sku!"}, "INVALID_SKU"),
                      ({"listPrice": "-1"}, "INVALID_AMOUNT"), ({"currencyCode": "XYZ"}, "INVALID_CURRENCY")):
        body = await gql(VARIANT, {"input": {"productId": product["id"], "sku": "GSK-2", "title": "DN80",
                                             "listPrice": "4", "currencyCode": "USD", **bad}}, as_=STAFF_ADMIN)
        assert [e["code"] for e in body["data"]["variantCreate"]["userErrors"]] == [code], bad
    body = await gql(VARIANT_UPDATE, {"input": {"id": variant["id"], "isActive": False, "listPrice": "3.5"}},
                     as_=STAFF_ADMIN)
    assert body["data"]["variantUpdate"]["variant"] == {"sku": "GSK-1", "isActive": False,
                                                        "listPrice": {"amount": "3.50"}}
    body = await gql("""mutation($input: ProductUpdateInput!) { productUpdate(input: $input) {
        product { isActive title description } userErrors { code } } }""",
                     {"input": {"id": product["id"], "isActive": False, "description": None}}, as_=STAFF_ADMIN)
    assert body["data"]["productUpdate"]["product"] == {"isActive": False, "title": "Northwind Gasket",
                                                        "description": None}
    # Customers no longer find it.
    body = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": product["id"]}, as_="buyer@acme.example")
    assert codes(body) == ["NOT_FOUND"]
    async with db.session() as s:
        actions = [a.action for a in (await s.exec(select(AuditEvent).order_by(AuditEvent.id))).all()]
    assert actions == ["product.create", "variant.create", "variant.deactivate", "product.deactivate"]


PRICE_LIST = """mutation($input: PriceListCreateInput!) { priceListCreate(input: $input) {
  priceList { id name currencyCode adjustmentPercent location { name }
              entries { minQuantity price { amount currencyCode } variant { sku } }
              quantityRules { minimum maximum increment } }
  userErrors { code field } } }"""
PRICE = """query($id: ID!, $q: Int!) { node(id: $id) { ... on Location { catalog(first: 1, filter: {sku: "%s"}) {
  nodes { variants { sku price(quantity: $q) { amount } quantityRule { minimum increment } } } } } } }"""


async def test_staff_admin_contracts_prices_that_customers_then_pay(gql, db):
    async with db.session() as s:
        austin = (await s.exec(select(Location).where(Location.name == "Austin Warehouse"))).one()
        variant = (await s.exec(select(ProductVariant).order_by(ProductVariant.id.desc()).limit(1))).one()
        berlin = (await s.exec(select(Location).where(Location.name == "Berlin Zentrale"))).one()
    v = gid("ProductVariant", variant.id)
    base = {"accountId": gid("Account", austin.account_id), "locationId": gid("Location", austin.id),
            "name": "Austin special"}
    for bad, code in (({"locationId": gid("Location", berlin.id)}, "LOCATION_NOT_IN_ACCOUNT"),
                      ({"currencyCode": "EUR"}, "CURRENCY_MISMATCH"),
                      ({"adjustmentPercent": "-150"}, "INVALID_PERCENT"),
                      ({"validFrom": "2026-07-01T00:00:00Z", "validUntil": "2026-06-01T00:00:00Z"}, "INVALID_DATES"),
                      ({"entries": [{"variantId": v, "price": "5"}, {"variantId": v, "price": "4"}]}, "DUPLICATE_ENTRY"),
                      ({"quantityRules": [{"variantId": v, "minimum": 5, "maximum": 2}]}, "INVALID_RULE")):
        body = await gql(PRICE_LIST, {"input": {**base, **bad}}, as_=STAFF_ADMIN)
        assert [e["code"] for e in body["data"]["priceListCreate"]["userErrors"]] == [code], bad
    assert (await gql(PRICE_LIST, {"input": base}, as_=STAFF_SUPPORT))["data"] is None

    body = await gql(PRICE_LIST, {"input": {**base, "entries": [{"variantId": v, "price": "5.00"},
                                                                {"variantId": v, "price": "4.00", "minQuantity": 100}],
                                            "quantityRules": [{"variantId": v, "minimum": 10, "increment": 5}]}},
                     as_=STAFF_ADMIN)
    out = body["data"]["priceListCreate"]
    assert out["userErrors"] == [] and out["priceList"]["location"] == {"name": "Austin Warehouse"}
    assert [(e["minQuantity"], e["price"]["amount"]) for e in out["priceList"]["entries"]] == [(1, "5.00"),
                                                                                             (100, "4.00")]
    query = PRICE % variant.sku
    body = await gql(query, {"id": gid("Location", austin.id), "q": 100}, as_="admin@acme.example")
    found = next(x for x in body["data"]["node"]["catalog"]["nodes"][0]["variants"] if x["sku"] == variant.sku)
    assert found["price"] == {"amount": "4.00"} and found["quantityRule"] == {"minimum": 10, "increment": 5}

    pl = out["priceList"]["id"]
    body = await gql("""mutation($input: PriceListUpdateInput!) { priceListUpdate(input: $input) {
        priceList { name adjustmentPercent validUntil entries { minQuantity } } userErrors { code } } }""",
                     {"input": {"id": pl, "name": "Austin 2026", "adjustmentPercent": "-5",
                                "validUntil": "2027-01-01T00:00:00Z", "entries": []}}, as_=STAFF_ADMIN)
    assert body["data"]["priceListUpdate"]["priceList"] == {"name": "Austin 2026", "adjustmentPercent": "-5.0000",
                                                            "validUntil": "2027-01-01T00:00:00+00:00", "entries": []}
    body = await gql("""mutation($input: PriceListDeleteInput!) { priceListDelete(input: $input) {
        deletedId userErrors { code } } }""", {"input": {"id": pl}}, as_=STAFF_ADMIN)
    assert body["data"]["priceListDelete"]["deletedId"] == pl
    async with db.session() as s:
        assert (await s.exec(select(func.count()).select_from(QuantityRule)
                             .where(QuantityRule.variant_id == variant.id))).one() == 0
    # Customers never see price lists as objects; staff list them.
    assert (await gql("{ priceLists { totalCount } }", as_="admin@acme.example"))["data"]["priceLists"]["totalCount"] == 0
    assert (await gql("{ priceLists { totalCount } }", as_=STAFF_SUPPORT))["data"]["priceLists"]["totalCount"] > 0


async def test_staff_admin_opens_an_account_with_a_location(gql, db):
    body = await gql("""mutation($input: AccountCreateInput!) { accountCreate(input: $input) {
        account { id name currencyCode locale creditLimit { amount } billingDetails { country taxId } }
        userErrors { code field } } }""",
                     {"input": {"name": "Umbrella AG", "kind": "BUSINESS", "currencyCode": "EUR", "locale": "de",
                                "paymentTermsDays": 30, "creditLimit": "50000",
                                "billing": {"country": "de", "taxId": "DE136695976"}}}, as_=STAFF_ADMIN)
    out = body["data"]["accountCreate"]
    assert out["userErrors"] == [], out
    account = out["account"]
    assert account["billingDetails"] == {"country": "DE", "taxId": "DE136695976"}
    assert account["creditLimit"] == {"amount": "50000.00"}
    for bad, code in (({"paymentTermsDays": 400}, "INVALID_TERMS"), ({"locale": "xx-!!"}, "INVALID_LOCALE"),
                      ({"creditLimit": "-5"}, "INVALID_AMOUNT"), ({"name": ""}, "REQUIRED")):
        body = await gql("""mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) {
            userErrors { code } } }""", {"input": {"id": account["id"], **bad}}, as_=STAFF_ADMIN)
        assert [e["code"] for e in body["data"]["accountUpdate"]["userErrors"]] == [code], bad
    body = await gql("""mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) {
        account { creditLimit { amount } requiresApproval } userErrors { code } } }""",
                     {"input": {"id": account["id"], "creditLimit": None, "requiresApproval": True}}, as_=STAFF_ADMIN)
    assert body["data"]["accountUpdate"]["account"] == {"creditLimit": None, "requiresApproval": True}

    location_mutation = """mutation($input: LocationCreateInput!) { locationCreate(input: $input) {
        location { id name billingAddress { city isDefault } shippingAddresses { line1 isDefault } }
        userErrors { code field } } }"""
    address = {"kind": "SHIPPING", "line1": "Hauptstr. 1", "city": "Köln", "country": "DE"}
    body = await gql(location_mutation, {"input": {"accountId": account["id"], "name": "Köln",
                                                   "addresses": [{**address, "country": "XX"}]}}, as_=STAFF_ADMIN)
    assert [e["code"] for e in body["data"]["locationCreate"]["userErrors"]] == ["INVALID_COUNTRY"]
    body = await gql(location_mutation, {"input": {"accountId": account["id"], "name": "Köln", "addresses": [
        address, {**address, "line1": "Tor 2"}, {**address, "kind": "BILLING", "city": "Bonn"}]}}, as_=STAFF_ADMIN)
    loc = body["data"]["locationCreate"]["location"]
    assert loc["billingAddress"] == {"city": "Bonn", "isDefault": True}
    assert loc["shippingAddresses"] == [{"line1": "Hauptstr. 1", "isDefault": True},
                                        {"line1": "Tor 2", "isDefault": False}]
    body = await gql("""mutation($input: LocationUpdateInput!) { locationUpdate(input: $input) {
        location { name shippingAddresses { line1 } } userErrors { code } } }""",
                     {"input": {"id": loc["id"], "name": "Köln Süd", "addresses": [address]}}, as_=STAFF_ADMIN)
    assert body["data"]["locationUpdate"]["location"] == {"name": "Köln Süd",
                                                          "shippingAddresses": [{"line1": "Hauptstr. 1"}]}
    async with db.session() as s:
        actions = [a.action for a in (await s.exec(select(AuditEvent).order_by(AuditEvent.id))).all()]
    assert actions == ["account.create", "account.update", "location.create", "location.update"]
    assert Decimal("1")  # amounts above are decimal strings, never floats


async def test_price_lists_are_found_by_staff_only(gql, db):
    async with db.session() as s:
        acme = (await s.exec(select(Account).where(Account.name == "Acme Industrial"))).one()
        price_list = (await s.exec(select(PriceList).where(PriceList.account_id == acme.id))).first()
    assert await finders(gql, gid("PriceList", price_list.id)) == {STAFF_SUPPORT, STAFF_ADMIN}
