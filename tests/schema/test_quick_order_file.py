"""Quick order from an uploaded CSV file (a GraphQL multipart request), as procurement exports it."""
import json

from sqlmodel import func, select

from db.models import CartLine
from tests.conftest import make_token
from tests.ordering_support import (BUYER, location_gid, plain, variants)
QUICK = """mutation($input: CartQuickOrderInput!) { cartQuickOrder(input: $input) {
  cart { lines { sku quantity } } results { row sku added code } userErrors { code field } } }"""


async def upload(client, token, input_: dict, content: bytes):
    operations = {"query": QUICK, "variables": {"input": {**input_, "csvFile": None}}}
    response = await client.post("/graphql", headers={"authorization": f"Bearer {token}"},
                                 data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.csvFile"]})},
                                 files={"0": ("order.csv", content, "text/csv")})
    return response.json()["data"]["cartQuickOrder"]


async def _lines(db) -> int:
    async with db.session() as s:
        return (await s.exec(select(func.count()).select_from(CartLine))).one()


async def test_a_csv_file_that_is_not_text_is_refused_and_adds_nothing(client, db, clock):
    token = await make_token(db, BUYER, clock.now())
    before = await _lines(db)
    payload = await upload(client, token, {"locationId": await location_gid(db, "Denver Plant")}, b"\xff\xfe\x00bad")
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("CSV_NOT_TEXT", ["input", "csvFile"])]
    assert await _lines(db) == before


async def test_an_uploaded_csv_with_a_bom_fills_a_new_cart(client, db, clock):
    token = await make_token(db, BUYER, clock.now())
    a, b = await plain(db), (await variants(db, many=2))[1]
    csv = f"sku;quantity\n{a.sku};4\n{b.sku};2\nNOPE-1;1\n".encode("utf-8-sig")
    payload = await upload(client, token, {"locationId": await location_gid(db, "Denver Plant")}, csv)
    assert {(r["sku"], r["added"], r["code"]) for r in payload["results"]} == {
        (a.sku, True, None), (b.sku, True, None), ("NOPE-1", False, "UNKNOWN_SKU")}
    assert {(line["sku"], line["quantity"]) for line in payload["cart"]["lines"]} == {(a.sku, 4), (b.sku, 2)}
