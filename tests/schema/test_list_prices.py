"""List prices beside contracted prices are in the same currency: an EUR account's catalog shows
the merchant's USD list prices converted at the rate the merchant configures, or none."""
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from db.models import Location
from domain.pricing import ListPriceRates
from resolvers.context import Settings as SessionSettings
from server.settings import Settings
from tests.conftest import make_token
from tests.server.helpers import client_for
from resolvers.globalid import encode
from tests.support import row

CATALOG = """query($id: ID!) { node(id: $id) { ... on Location { catalog(first: 50, filter: {search: "bolt"}) {
  nodes { variants { sku listPrice { amount currencyCode } price { amount currencyCode } } } } } } }"""


async def variants_seen(db, clock, email: str, location: str, rates: str) -> list[dict]:
    loc = await row(db, Location, name=location)
    token = await make_token(db, email, clock.now())
    sessions = replace(SessionSettings(), list_price_rates=ListPriceRates.parse(rates))
    async with client_for(db, clock, sessions=sessions) as c:
        body = (await c.post("/graphql", json={"query": CATALOG, "variables": {"id": encode("Location", loc.id)}},
                             headers={"authorization": f"Bearer {token}"})).json()
    assert "errors" not in body, body
    variants = [v for p in body["data"]["node"]["catalog"]["nodes"] for v in p["variants"]]
    assert variants
    return variants


async def test_an_eur_account_sees_list_prices_in_euros_at_the_merchants_rate(db, clock):
    unconverted = await variants_seen(db, clock, "buyer@globex.example", "Berlin Zentrale", "")
    assert all(v["listPrice"] is None for v in unconverted)  # no rate: no USD amount beside EUR prices
    converted = await variants_seen(db, clock, "buyer@globex.example", "Berlin Zentrale", "USD:EUR=0.92")
    usd = {v["sku"]: v["listPrice"] for v in await variants_seen(db, clock, "buyer@acme.example", "Denver Plant",
                                                                 "USD:EUR=0.92")}
    for v in converted:
        assert v["price"]["currencyCode"] == v["listPrice"]["currencyCode"] == "EUR"
        assert usd[v["sku"]]["currencyCode"] == "USD"  # a USD account's stay as they are
        expected = (Decimal(usd[v["sku"]]["amount"]) * Decimal("0.92")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert Decimal(v["listPrice"]["amount"]) == expected


def test_rates_are_read_as_from_to_equals_rate():
    rates = ListPriceRates.parse("usd:eur=0.92, USD:GBP=0.79")
    assert rates.list_price(Decimal("27.02"), "USD", "EUR") == (Decimal("24.86"), "EUR")
    assert rates.list_price(Decimal("27.02"), "USD", "USD") == (Decimal("27.02"), "USD")
    assert rates.list_price(Decimal("27.02"), "USD", "JPY") is None
    for bad in ("EUR=0.9", "USD:EUR=x", "USD:EUR=-1", "USD:EURO=1"):
        try:
            ListPriceRates.parse(bad)
        except ValueError as e:
            assert bad in str(e)
        else:
            raise AssertionError(f"{bad!r} was accepted")
    assert Settings().sessions.list_price_rates == ListPriceRates()
