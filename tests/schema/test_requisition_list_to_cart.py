"""A saved requisition list goes into a cart at today's contracted prices."""
from sqlmodel import select

from db.models import CartLine, ProductVariant, RequisitionList, RequisitionListItem
from resolvers.globalid import encode
from tests.ordering_support import (BUYER, GLOBEX_BUYER, data, new_cart, plain)
from tests.support import row

ADD = """mutation($i: RequisitionListAddToCartInput!) { requisitionListAddToCart(input: $i) {
  cart { id lines { sku quantity unitPrice { amount } } } userErrors { code field message } } }"""


async def _list(db):
    lst = await row(db, RequisitionList, name="Denver weekly restock")
    async with db.session() as s:
        items = (await s.exec(select(RequisitionListItem).where(RequisitionListItem.list_id == lst.id)
                              .order_by(RequisitionListItem.position))).all()
    return lst, items


async def _lines(db) -> int:
    async with db.session() as s:
        return len((await s.exec(select(CartLine))).all())


async def test_another_accounts_list_or_cart_is_not_found_and_nothing_is_added(gql, db):
    lst, _ = await _list(db)
    v = await plain(db)
    globex_cart = await new_cart(gql, db, [{"sku": v.sku, "quantity": 1}], as_=GLOBEX_BUYER, location="Berlin Zentrale")
    before = await _lines(db)
    body = await gql(ADD, {"i": {"requisitionListId": encode("RequisitionList", lst.id), "cartId": globex_cart["id"]}},
                     as_=GLOBEX_BUYER)
    assert [e["code"] for e in data(body, "requisitionListAddToCart")["userErrors"]] == ["LIST_NOT_FOUND"]
    body = await gql(ADD, {"i": {"requisitionListId": encode("RequisitionList", lst.id), "cartId": globex_cart["id"]}},
                     as_=BUYER)
    assert [e["code"] for e in data(body, "requisitionListAddToCart")["userErrors"]] == ["CART_NOT_FOUND"]
    assert await _lines(db) == before


async def test_items_are_added_and_a_variant_no_longer_sold_is_reported(gql, db):
    lst, items = await _list(db)
    assert len(items) >= 2
    gone = await row(db, ProductVariant, id=items[0].variant_id)
    async with db.transaction() as s:
        gone.is_active = False
        s.add(gone)
    v = await plain(db)
    cart = await new_cart(gql, db, [{"sku": v.sku, "quantity": 1}])
    body = await gql(ADD, {"i": {"requisitionListId": encode("RequisitionList", lst.id), "cartId": cart["id"]}}, as_=BUYER)
    payload = data(body, "requisitionListAddToCart")
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("NOT_SOLD", ["input", "items", "0"])]
    skus = {line["sku"]: line["quantity"] for line in payload["cart"]["lines"]}
    assert gone.sku not in skus
    for item in items[1:]:
        sku = (await row(db, ProductVariant, id=item.variant_id)).sku
        assert skus[sku] >= item.quantity
