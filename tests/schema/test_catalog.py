"""The catalog as a location sees it: contracted prices, breaks, validity windows, rules."""
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import select

from db.models import Location, PriceList, PriceListEntry, Product, ProductVariant
from resolvers.globalid import encode
from tests.support import codes, row

CATALOG = """query($id: ID!, $q: Int!, $search: String) { node(id: $id) { ... on Location {
  catalog(first: 100, filter: {search: $search}) { totalCount nodes { title variants {
    id sku listPrice { amount currencyCode } price(quantity: $q) { amount currencyCode }
    priceBreaks { minQuantity unitPrice { amount currencyCode } } quantityRule { minimum maximum increment } } } } } } }"""


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


async def prices(gql, db, location: str, user: str, quantity: int = 1) -> dict[str, dict]:
    loc = await row(db, Location, name=location)
    body = await gql(CATALOG, {"id": encode("Location", loc.id), "q": quantity}, as_=user)
    assert "errors" not in body, body["errors"]
    return {v["sku"]: v for p in body["data"]["node"]["catalog"]["nodes"] for v in p["variants"]}


async def test_precedence_location_then_account_then_list_price(gql, db):
    denver = await prices(gql, db, "Denver Plant", "buyer@acme.example")
    chicago = await prices(gql, db, "Chicago HQ", "admin@acme.example")
    async with db.session() as s:
        variants = (await s.exec(select(ProductVariant).order_by(ProductVariant.id))).all()
    first = variants[0]  # fixed at Denver (0.80), fixed for Acme (0.85), and in the account's -8 %
    assert Decimal(denver[first.sku]["price"]["amount"]) == cents(first.list_price * Decimal("0.80"))
    assert Decimal(chicago[first.sku]["price"]["amount"]) == cents(first.list_price * Decimal("0.85"))
    plain = variants[1]  # no fixed price for Acme: the account list's -8 % (the expired -30 % is ignored),
    # rounded to the cent when computed (the list has no precision of its own)
    assert Decimal(chicago[plain.sku]["price"]["amount"]) == cents(plain.list_price * Decimal("0.92"))


async def test_quantity_breaks_and_rules(gql, db):
    async with db.session() as s:
        variant = (await s.exec(select(ProductVariant).order_by(ProductVariant.id))).all()[2]
    at_one = await prices(gql, db, "Chicago HQ", "admin@acme.example", 1)
    at_fifty = await prices(gql, db, "Chicago HQ", "admin@acme.example", 50)
    breaks = at_one[variant.sku]["priceBreaks"]
    assert [b["minQuantity"] for b in breaks] == [1, 50, 200]
    assert at_fifty[variant.sku]["price"] == breaks[1]["unitPrice"]
    assert at_one[variant.sku]["quantityRule"] == {"minimum": 10, "maximum": 500, "increment": 10}


async def test_a_price_list_outside_its_validity_window_does_not_apply(gql, db, clock):
    # Acme's "next year" list (-12 %) becomes valid 60 days after the demo's day.
    before = await prices(gql, db, "Chicago HQ", "admin@acme.example")
    future = await row(db, PriceList, name="Acme next year (not yet valid)")
    clock.advance(days=(future.valid_from - clock.now()).days + 1)
    # (admin's session expired with the move; the approver signs in afresh)
    after = await prices(gql, db, "Chicago HQ", "approver@acme.example")
    async with db.session() as s:
        plain = (await s.exec(select(ProductVariant).order_by(ProductVariant.id))).all()[1]
    assert Decimal(before[plain.sku]["price"]["amount"]) == cents(plain.list_price * Decimal("0.92"))
    assert Decimal(after[plain.sku]["price"]["amount"]) == cents(plain.list_price * Decimal("0.88"))


async def test_globex_sees_euro_contract_prices(gql, db):
    berlin = await prices(gql, db, "Berlin Zentrale", "buyer@globex.example")
    some = next(iter(berlin.values()))
    # no list price in USD beside it: with no rate configured, none (tests/schema/test_list_prices.py)
    assert some["price"]["currencyCode"] == "EUR" and some["listPrice"] is None


async def test_a_location_of_another_account_has_no_catalog_for_you(gql, db):
    berlin = await row(db, Location, name="Berlin Zentrale")
    body = await gql(CATALOG, {"id": encode("Location", berlin.id), "q": 1}, as_="buyer@acme.example")
    assert body["data"]["node"] is None and codes(body) == ["NOT_FOUND"]


async def test_price_without_a_location_is_a_clear_error(gql, db):
    variant = await row(db, ProductVariant, sku=(await _any_sku(db)))
    body = await gql("query($id: ID!) { node(id: $id) { ... on ProductVariant { sku price { amount } "
                     "priceBreaks { minQuantity } } } }",
                     {"id": encode("ProductVariant", variant.id)}, as_="admin@acme.example")
    assert body["data"]["node"] == {"sku": variant.sku, "price": None, "priceBreaks": None}
    assert codes(body) == ["BAD_USER_INPUT"] * 2 and all("location" in e["message"] for e in body["errors"])
    # quantityRule is never null: the variant goes null with it
    body = await gql("query($id: ID!) { node(id: $id) { ... on ProductVariant { sku quantityRule { minimum } } } }",
                     {"id": encode("ProductVariant", variant.id)}, as_="admin@acme.example")
    assert body["data"]["node"] is None and codes(body) == ["BAD_USER_INPUT"]


async def test_bad_quantity_is_bad_user_input(gql, db):
    loc = await row(db, Location, name="Denver Plant")
    body = await gql(CATALOG, {"id": encode("Location", loc.id), "q": 0}, as_="buyer@acme.example")
    assert "BAD_USER_INPUT" in codes(body)


async def test_search_and_inactive_products(gql, db):
    loc = await row(db, Location, name="Chicago HQ")
    body = await gql(CATALOG, {"id": encode("Location", loc.id), "q": 1, "search": "hex bolt"}, as_="admin@acme.example")
    titles = [p["title"] for p in body["data"]["node"]["catalog"]["nodes"]]
    assert titles and all("Hex Bolt" in t for t in titles)
    async with db.transaction() as s:
        product = (await s.exec(select(Product).order_by(Product.id))).first()
        product.is_active = False
        s.add(product)
    customer = await gql(CATALOG, {"id": encode("Location", loc.id), "q": 1}, as_="admin@acme.example")
    staff = await gql(CATALOG, {"id": encode("Location", loc.id), "q": 1}, as_="ops@merchant.example")
    assert customer["data"]["node"]["catalog"]["totalCount"] == 39  # one of 40 products is inactive
    assert product.title not in [p["title"] for p in customer["data"]["node"]["catalog"]["nodes"]]
    assert staff["data"]["node"]["catalog"]["totalCount"] == 40


async def test_catalog_statements_do_not_grow_with_page_size(gql, db):
    loc = await row(db, Location, name="Denver Plant")
    query = """query($id: ID!, $n: Int) { node(id: $id) { ... on Location { catalog(first: $n) { nodes {
      variants { sku listPrice { amount } price(quantity: 10) { amount } priceBreaks { minQuantity } quantityRule { minimum } } } } } } }"""
    small = await gql(query, {"id": encode("Location", loc.id), "n": 3}, as_="buyer@acme.example")
    large = await gql(query, {"id": encode("Location", loc.id), "n": 30}, as_="buyer@acme.example")
    assert "errors" not in large
    # The session with the caller (and the currencies of its accounts, which list prices are shown
    # in); the location; the page of products; their variants; the locations' valid price lists,
    # the variants' entries and quantity rules in them.
    assert small["_statements"] == large["_statements"] == 7
    # Staff are members of no account: the account's currency is one more statement.
    staff = await gql(query, {"id": encode("Location", loc.id), "n": 30}, as_="ops@merchant.example")
    assert "errors" not in staff and staff["_statements"] == 8


async def _any_sku(db):
    async with db.session() as s:
        return (await s.exec(select(PriceListEntry.variant_id, ProductVariant.sku)
                             .join(ProductVariant, ProductVariant.id == PriceListEntry.variant_id))).first()[1]
