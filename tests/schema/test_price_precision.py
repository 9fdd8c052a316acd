"""Money exactly as printed: a price computed from a percentage is rounded when it is computed (to
the cent, or to the price list's precision), the unit price shown is the one the line total is
computed from, and an EUR list's percentage is taken of the list price in euros."""
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from db.models import Location, PriceList
from domain.pricing import ListPriceRates
from resolvers.context import Settings as SessionSettings
from resolvers.globalid import encode
from tests.conftest import make_token
from tests.ordering_support import BUYER, ORDER_PLACE, STAFF_ADMIN, data, new_cart, variants
from tests.server.helpers import client_for
from tests.support import codes, row

PRICE = """query($id: ID!, $sku: String!) { node(id: $id) { ... on Location { catalog(first: 1, filter: {sku: $sku}) {
  nodes { variants { sku listPrice { amount currencyCode } price { amount currencyCode } } } } } } }"""
PRECISION = """mutation($input: PriceListUpdateInput!) { priceListUpdate(input: $input) {
  priceList { pricePrecision } userErrors { code field } } }"""
ORDER_LINES = """query($id: ID!) { node(id: $id) { ... on Order { subtotal { amount }
  lines { sku quantity unitPrice { amount } total { amount } } } } }"""


def places(amount: Decimal, n: int) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-n), rounding=ROUND_HALF_UP)


async def shown_price(gql, db, location: str, sku: str, as_: str) -> dict:
    loc = await row(db, Location, name=location)
    body = await gql(PRICE, {"id": encode("Location", loc.id), "sku": sku}, as_=as_)
    assert "errors" not in body, body
    return next(v for p in body["data"]["node"]["catalog"]["nodes"] for v in p["variants"] if v["sku"] == sku)


async def test_a_contract_percentage_is_charged_as_shown_to_the_cent_or_the_lists_precision(gql, db):
    # Acme's contract: 8 % off the list price for variants it fixes no price of (none at Denver either).
    # One whose 8 % off has more than two decimals: 4 places show it exactly, 2 do not.
    v = next(x for x in await variants(db, many=20) if (x.list_price * Decimal("0.92")) != places(x.list_price * Decimal("0.92"), 2))
    contract = await row(db, PriceList, name="Acme contract 2025-2027")
    exact = v.list_price * Decimal("0.92")
    assert contract.price_precision is None
    assert Decimal((await shown_price(gql, db, "Denver Plant", v.sku, BUYER))["price"]["amount"]) == places(exact, 2)

    # A customer cannot set it; staff only from 0 to 4 places, and nothing changes otherwise.
    pl = encode("PriceList", contract.id)
    assert codes(await gql(PRECISION, {"input": {"id": pl, "pricePrecision": 4}}, as_="admin@acme.example")) \
        == ["FORBIDDEN"]
    for bad in (5, -1):
        body = await gql(PRECISION, {"input": {"id": pl, "pricePrecision": bad}}, as_=STAFF_ADMIN)
        assert body["data"]["priceListUpdate"]["userErrors"] == [
            {"code": "INVALID_PRECISION", "field": ["input", "pricePrecision"]}]
    assert (await row(db, PriceList, id=contract.id)).price_precision is None

    body = await gql(PRECISION, {"input": {"id": pl, "pricePrecision": 4}}, as_=STAFF_ADMIN)
    assert body["data"]["priceListUpdate"] == {"priceList": {"pricePrecision": 4}, "userErrors": []}
    unit = Decimal((await shown_price(gql, db, "Denver Plant", v.sku, BUYER))["price"]["amount"])
    assert unit == places(exact, 4) and unit != places(exact, 2)

    # The cart and the order show that unit price, and their line totals are it times the quantity
    # rounded half up to the cent: checkable by hand.
    cart = await new_cart(gql, db, [{"sku": v.sku, "quantity": 3}])
    line = cart["lines"][0]
    assert Decimal(line["unitPrice"]["amount"]) == unit and Decimal(line["total"]["amount"]) == places(unit * 3, 2)
    order = data(await gql(ORDER_PLACE, {"input": {"idempotencyKey": "precision", "cartId": cart["id"]}}, as_=BUYER),
                 "orderPlace")
    assert order["userErrors"] == [], order["userErrors"]
    placed = (await gql(ORDER_LINES, {"id": order["order"]["id"]}, as_=BUYER))["data"]["node"]
    [ordered] = placed["lines"]
    assert Decimal(ordered["unitPrice"]["amount"]) == unit
    assert Decimal(ordered["total"]["amount"]) == places(unit * 3, 2) == Decimal(placed["subtotal"]["amount"])


async def catalog_at_munich(db, clock, rates: str) -> list[dict]:
    munich = await row(db, Location, name="München Werk")
    token = await make_token(db, "buyer@globex.example", clock.now())
    sessions = replace(SessionSettings(), list_price_rates=ListPriceRates.parse(rates))
    query = """query($id: ID!) { node(id: $id) { ... on Location { catalog(first: 5) { nodes { variants {
      sku listPrice { amount currencyCode } price(quantity: 1) { amount currencyCode } } } } } } }"""
    async with client_for(db, clock, sessions=sessions) as c:
        body = (await c.post("/graphql", json={"query": query, "variables": {"id": encode("Location", munich.id)}},
                             headers={"authorization": f"Bearer {token}"})).json()
    assert "errors" not in body, body
    return [v for p in body["data"]["node"]["catalog"]["nodes"] for v in p["variants"]]


async def test_an_eur_lists_percentage_is_taken_of_the_list_price_in_euros(db, clock):
    # München Werk's own list: EUR, 3 % off, to 3 decimals (the demo's).
    munich = await row(db, PriceList, name="München Werk Sonderkondition")
    assert (munich.currency, munich.adjustment_percent, munich.price_precision) == ("EUR", Decimal("-3"), 3)
    seen = await catalog_at_munich(db, clock, "USD:EUR=0.92")
    for v in seen:
        # the list price in euros as the catalog shows it (to the cent), 3 % off, to 3 places
        assert v["listPrice"]["currencyCode"] == v["price"]["currencyCode"] == "EUR"
        assert Decimal(v["price"]["amount"]) == places(Decimal(v["listPrice"]["amount"]) * Decimal("0.97"), 3)
    # With no rate to EUR there is no euro list price to take 3 % of: the USD list price stands,
    # which an order in euros refuses (CURRENCY_MISMATCH), rather than a USD amount 3 % off.
    unconverted = await catalog_at_munich(db, clock, "")
    assert all(v["price"]["currencyCode"] == "USD" and v["listPrice"] is None for v in unconverted)
