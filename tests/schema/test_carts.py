"""Carts: who may keep them, quantity rules, contracted prices at add time, quick order and CSV."""

from sqlmodel import select

from db.models.carts import CartStatus
from db.models import Cart, CartLine, Location, ProductVariant
from resolvers.globalid import encode
from tests.ordering_support import (ACME_CONTRACT, APPROVER, BUYER, CART_CREATE, CART_UPDATE, DENVER_LIST,
                                    GLOBEX_BUYER, LINES_ADD, LINES_REMOVE, LINES_UPDATE, QUICK_ORDER, VIEWER, count,
                                    data, error_codes, list_price, location_gid, money, new_cart, plain, ruled,
                                    variants)
from tests.support import codes


async def test_a_viewer_or_approver_cannot_start_a_cart_and_nothing_is_written(gql, db):
    austin = await location_gid(db, "Austin Warehouse")
    ruled_v = await ruled(db)
    for who in (VIEWER, APPROVER):
        body = await gql(CART_CREATE, {"input": {"locationId": austin, "lines": [{"sku": ruled_v.sku, "quantity": 10}]}},
                         as_=who)
        assert codes(body) == ["FORBIDDEN"], body
    assert await count(db, Cart) == 0


async def test_a_buyer_cannot_start_a_cart_at_another_location_or_account(gql, db):
    for who, location in ((BUYER, "Chicago HQ"), (GLOBEX_BUYER, "Denver Plant")):
        body = await gql(CART_CREATE, {"input": {"locationId": await location_gid(db, location)}}, as_=who)
        assert error_codes(data(body, "cartCreate")) == ["LOCATION_NOT_FOUND"]
        assert data(body, "cartCreate")["cart"] is None
    assert await count(db, Cart) == 0


async def test_anonymous_callers_are_unauthenticated(gql, db):
    body = await gql(CART_CREATE, {"input": {"locationId": await location_gid(db, "Denver Plant")}})
    assert codes(body) == ["UNAUTHENTICATED"]


async def test_a_buyer_adds_lines_at_the_locations_contracted_prices(gql, db):
    ruled_v, contract_v = await ruled(db), await plain(db)
    cart = await new_cart(gql, db, [{"sku": ruled_v.sku, "quantity": 20},
                                    {"variantId": encode("ProductVariant", contract_v.id), "quantity": 3}],
                          poNumber="PO-7", note="dock 2 please")
    lines = {line["sku"]: line for line in cart["lines"]}
    # Denver's own price list beats the account contract; the contract's base price below 50.
    assert money(lines[ruled_v.sku]["unitPrice"]) == await list_price(db, ruled_v, DENVER_LIST)
    assert money(lines[contract_v.sku]["unitPrice"]) == await list_price(db, contract_v, ACME_CONTRACT)
    assert cart["poNumber"] == "PO-7" and cart["currencyCode"] == "USD"
    assert cart["shippingAddress"]["line2"] == "Dock 1"  # the location's default
    assert money(cart["subtotal"]) == sum(money(x["total"]) for x in cart["lines"])


async def test_quantity_rules_unknown_and_unsold_skus_are_coded_and_add_nothing(gql, db):
    ruled_v, denver_v = await ruled(db), (await variants(db, denver=True))[0]
    cart = await new_cart(gql, db, [{"sku": denver_v.sku, "quantity": 1}])
    async with db.transaction() as s:
        row = (await s.exec(select(ProductVariant).where(ProductVariant.id == denver_v.id))).one()
        row.is_active = False
        s.add(row)
    bad = [({"sku": ruled_v.sku, "quantity": 5}, "QUANTITY_RULE"),      # minimum 10
           ({"sku": ruled_v.sku, "quantity": 15}, "QUANTITY_RULE"),     # steps of 10
           ({"sku": ruled_v.sku, "quantity": 510}, "QUANTITY_RULE"),    # maximum 500
           ({"sku": ruled_v.sku, "quantity": 0}, "INVALID_QUANTITY"),
           ({"sku": ruled_v.sku, "quantity": -10}, "INVALID_QUANTITY"),
           ({"sku": "NOPE-1", "quantity": 1}, "UNKNOWN_SKU"),
           ({"sku": denver_v.sku, "quantity": 1}, "NOT_SOLD")]
    for line, code in bad:
        body = await gql(LINES_ADD, {"input": {"cartId": cart["id"], "lines": [line]}}, as_=BUYER)
        assert error_codes(data(body, "cartLinesAdd")) == [code], (line, body)
    # A good line next to a bad one is not added either.
    body = await gql(LINES_ADD, {"input": {"cartId": cart["id"], "lines": [{"sku": ruled_v.sku, "quantity": 10},
                                                                            {"sku": "NOPE", "quantity": 1}]}}, as_=BUYER)
    payload = data(body, "cartLinesAdd")
    assert error_codes(payload) == ["UNKNOWN_SKU"] and payload["userErrors"][0]["field"] == ["input", "lines", "1"]
    assert await count(db, CartLine) == 1


async def test_adding_a_variant_again_adds_quantities_and_reprices_breaks(gql, db):
    contract_v = await plain(db)
    cart = await new_cart(gql, db, [{"sku": contract_v.sku, "quantity": 30}])
    body = await gql(LINES_ADD, {"input": {"cartId": cart["id"], "lines": [{"sku": contract_v.sku, "quantity": 20}]}},
                     as_=BUYER)
    line = data(body, "cartLinesAdd")["cart"]["lines"][0]
    assert line["quantity"] == 50
    assert money(line["unitPrice"]) == await list_price(db, contract_v, ACME_CONTRACT, 50)  # break at 50
    body = await gql(LINES_UPDATE, {"input": {"cartId": cart["id"], "lines": [{"lineId": line["id"], "quantity": 200}]}},
                     as_=BUYER)
    line = data(body, "cartLinesUpdate")["cart"]["lines"][0]
    assert line["quantity"] == 200
    assert money(line["unitPrice"]) == await list_price(db, contract_v, ACME_CONTRACT, 200)
    body = await gql(LINES_REMOVE, {"input": {"cartId": cart["id"], "lineIds": [line["id"]]}}, as_=BUYER)
    assert data(body, "cartLinesRemove")["cart"]["lines"] == []


async def test_a_po_number_over_140_characters_is_refused(gql, db):
    cart = await new_cart(gql, db, [])
    body = await gql(CART_UPDATE, {"input": {"cartId": cart["id"], "poNumber": "P" * 141, "note": "n"}}, as_=BUYER)
    payload = data(body, "cartUpdate")
    assert error_codes(payload) == ["PO_NUMBER_TOO_LONG"] and payload["userErrors"][0]["field"] == ["input", "poNumber"]
    body = await gql(CART_UPDATE, {"input": {"cartId": cart["id"], "poNumber": "P" * 140}}, as_=BUYER)
    assert data(body, "cartUpdate")["cart"]["poNumber"] == "P" * 140
    async with db.session() as s:
        assert (await s.exec(select(Cart.note))).one() is None  # the refused update wrote nothing


async def test_a_foreign_cart_is_not_found_exactly_like_a_missing_one(gql, db):
    cart = await new_cart(gql, db, [])
    for cart_id in (cart["id"], encode("Cart", 999999)):
        body = await gql(LINES_ADD, {"input": {"cartId": cart_id, "lines": [{"sku": "FST-1000-1", "quantity": 10}]}},
                         as_=GLOBEX_BUYER)
        assert error_codes(data(body, "cartLinesAdd")) == ["CART_NOT_FOUND"]
        body = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": cart_id}, as_=GLOBEX_BUYER)
        assert codes(body) == ["NOT_FOUND"]
    # A malformed ID is bad input.
    body = await gql(LINES_ADD, {"input": {"cartId": "nonsense!", "lines": []}}, as_=BUYER)
    assert codes(body) == ["BAD_USER_INPUT"]
    assert await count(db, CartLine) == 0


async def test_shipping_address_must_be_one_of_the_locations(gql, db):
    body = await gql("{ viewer { locations { name shippingAddresses { id line2 } } } }", as_="admin@acme.example")
    addresses = {loc["name"]: loc["shippingAddresses"] for loc in data(body, "viewer")["locations"]}
    cart = await new_cart(gql, db, [], shippingAddressId=addresses["Denver Plant"][1]["id"])
    assert cart["shippingAddress"]["line2"] == "Dock 2"
    body = await gql(CART_UPDATE, {"input": {"cartId": cart["id"],
                                             "shippingAddressId": addresses["Chicago HQ"][0]["id"]}}, as_=BUYER)
    assert error_codes(data(body, "cartUpdate")) == ["ADDRESS_NOT_FOUND"]


async def test_quick_order_reports_each_row_and_adds_the_good_ones(gql, db):
    ruled_v, contract_v = await ruled(db), await plain(db)
    denver = await location_gid(db, "Denver Plant")
    body = await gql(QUICK_ORDER, {"input": {"locationId": denver, "lines": [
        {"sku": ruled_v.sku, "quantity": 20}, {"sku": "NOPE-9", "quantity": 1}, {"sku": contract_v.sku.lower(), "quantity": 0}],
        "csv": f"sku,quantity\n{contract_v.sku},4\nBAD,x\n{ruled_v.sku},\n"}}, as_=BUYER)
    payload = data(body, "cartQuickOrder")
    results = [(r["row"], r["sku"], r["added"], r["code"]) for r in payload["results"]]
    assert results == [(1, ruled_v.sku, True, None), (2, "NOPE-9", False, "UNKNOWN_SKU"),
                       (3, contract_v.sku.lower(), False, "INVALID_QUANTITY"), (2, contract_v.sku, True, None),
                       (3, "BAD", False, "INVALID_QUANTITY"), (4, ruled_v.sku, False, "INVALID_QUANTITY")]
    assert {(x["sku"], x["quantity"]) for x in payload["cart"]["lines"]} == {(ruled_v.sku, 20), (contract_v.sku, 4)}
    assert payload["userErrors"] == []


async def test_an_atomic_quick_order_adds_nothing_when_a_row_fails(gql, db):
    cart = await new_cart(gql, db, [])
    contract_v = await plain(db)
    body = await gql(QUICK_ORDER, {"input": {"cartId": cart["id"], "atomic": True, "lines": [
        {"sku": contract_v.sku, "quantity": 2}, {"sku": "NOPE", "quantity": 1}]}}, as_=BUYER)
    payload = data(body, "cartQuickOrder")
    assert error_codes(payload) == ["INVALID_INPUT"]
    assert [(r["added"], r["code"]) for r in payload["results"]] == [(False, None), (False, "UNKNOWN_SKU")]
    assert await count(db, CartLine) == 0


async def test_a_viewer_cannot_quick_order(gql, db):
    body = await gql(QUICK_ORDER, {"input": {"locationId": await location_gid(db, "Austin Warehouse"),
                                             "lines": [{"sku": "FST-1000-1", "quantity": 10}]}}, as_=VIEWER)
    assert codes(body) == ["FORBIDDEN"]
    assert await count(db, Cart) == 0


async def test_location_carts_cost_the_same_statements_for_one_or_many(gql, db):
    query = """{ viewer { locations { name carts(first: 10) { nodes { id
        lines { sku unitPrice { amount } currentUnitPrice { amount } } } } } } }"""
    ruled_v, contract_v = await ruled(db), await plain(db)
    made = [(await new_cart(gql, db, [{"sku": ruled_v.sku, "quantity": 10}]))["id"]]
    one = await gql(query, as_=BUYER)
    for _ in range(3):
        made.append((await new_cart(gql, db, [{"sku": ruled_v.sku, "quantity": 10},
                                               {"sku": contract_v.sku, "quantity": 2}]))["id"])
    many = await gql(query, as_=BUYER)
    location = data(many, "viewer")["locations"][0]
    carts = [c["id"] for c in location["carts"]["nodes"]]
    async with db.session() as s:
        stored = (await s.exec(select(Cart.id).join(Location, Location.id == Cart.location_id)
                               .where(Location.name == location["name"], Cart.status == CartStatus.OPEN))).all()
    # Every open cart of the location, the ones just made among them.
    assert sorted(carts) == sorted(encode("Cart", i) for i in stored) and set(made) <= set(carts)
    assert many["_statements"] == one["_statements"]
    # Carts are for buyers: a viewer sees none at its location.
    body = await gql(query, as_=VIEWER)
    assert data(body, "viewer")["locations"][0]["carts"]["nodes"] == []


async def test_quick_order_rows_of_one_sku_are_added_together_and_fail_together(gql, db):
    ruled_v = await ruled(db)
    body = await gql(QUICK_ORDER, {"input": {"locationId": await location_gid(db, "Denver Plant"),
                                             "csv": f"{ruled_v.sku},20\n{ruled_v.sku},5\n"}}, as_=BUYER)
    payload = data(body, "cartQuickOrder")
    assert [(r["row"], r["added"], r["code"]) for r in payload["results"]] == [(1, False, "QUANTITY_RULE"),
                                                                              (2, False, "QUANTITY_RULE")]
    assert "together 25" in payload["results"][1]["message"]
    assert payload["cart"] is None and error_codes(payload) == ["EMPTY"]  # no empty new cart is left behind
    assert await count(db, Cart) == 0
    body = await gql(QUICK_ORDER, {"input": {"locationId": await location_gid(db, "Denver Plant"),
                                             "csv": f"{ruled_v.sku},20\n{ruled_v.sku},10\n"}}, as_=BUYER)
    assert [(x["sku"], x["quantity"]) for x in data(body, "cartQuickOrder")["cart"]["lines"]] == [(ruled_v.sku, 30)]


async def test_an_open_cart_can_be_deleted_an_ordered_one_cannot(gql, db):
    delete = "mutation($id: ID!) { cartDelete(input: {cartId: $id}) { deletedCartId userErrors { code } } }"
    cart = await new_cart(gql, db, [{"sku": "FST-1000-1", "quantity": 10}])
    body = await gql(delete, {"id": cart["id"]}, as_=GLOBEX_BUYER)
    assert error_codes(data(body, "cartDelete")) == ["CART_NOT_FOUND"]
    body = await gql(delete, {"id": cart["id"]}, as_=VIEWER)  # its role never deletes carts
    assert codes(body) == ["FORBIDDEN"]
    assert await count(db, CartLine) == 1
    body = await gql(delete, {"id": cart["id"]}, as_=BUYER)
    assert data(body, "cartDelete")["deletedCartId"] == cart["id"]
    assert (await count(db, Cart), await count(db, CartLine)) == (0, 0)
    ordered = await new_cart(gql, db, [{"sku": "FST-1000-1", "quantity": 10}])
    await gql("mutation($id: ID!) { orderPlace(input: {idempotencyKey: \"d\", cartId: $id}) { userErrors { code } } }",
              {"id": ordered["id"]}, as_=BUYER)
    body = await gql(delete, {"id": ordered["id"]}, as_=BUYER)
    assert error_codes(data(body, "cartDelete")) == ["CART_ORDERED"]
