"""Requisition lists: shared within an account, edited by its BUYERs and ADMINs."""
from sqlmodel import select

from db.models import Account, Product, ProductVariant, RequisitionList, RequisitionListItem
from tests.order_factories import BUYER, STAFF_ADMIN, STAFF_SUPPORT, count, gid
from tests.support import DEMO_PEOPLE, codes, finders

CREATE = """mutation($input: RequisitionListCreateInput!) { requisitionListCreate(input: $input) {
  requisitionList { id name description items { quantity available variant { sku } } cartLines { variantId sku quantity }
                    createdBy { name } }
  userErrors { code field message } } }"""
UPDATE = """mutation($input: RequisitionListUpdateInput!) { requisitionListUpdate(input: $input) {
  requisitionList { name items { quantity variant { sku } } } userErrors { code field } } }"""
DELETE = """mutation($input: RequisitionListDeleteInput!) { requisitionListDelete(input: $input) {
  deletedId userErrors { code } } }"""


async def _variants(db, n=3):
    async with db.session() as s:
        return list((await s.exec(select(ProductVariant).join(Product).where(
            ProductVariant.is_active == True, Product.is_active == True).order_by(ProductVariant.id).limit(n))).all())  # noqa: E712


async def _acme(db):
    async with db.session() as s:
        return (await s.exec(select(Account).where(Account.name == "Acme Industrial"))).one()


async def _clear(db):
    """Start without the demo's lists, so counts below are of this test's lists."""
    from sqlmodel import delete
    async with db.transaction() as s:
        await s.exec(delete(RequisitionListItem))
        await s.exec(delete(RequisitionList))


def _input(account, variants, quantities, name="Monthly consumables"):
    return {"accountId": gid("Account", account.id), "name": name, "description": "Denver restock",
            "items": [{"variantId": gid("ProductVariant", v.id), "quantity": q} for v, q in zip(variants, quantities)]}


async def test_viewers_approvers_staff_and_other_accounts_cannot_create_lists(gql, db):
    acme, variants = await _acme(db), await _variants(db)
    before = await count(db, RequisitionList)
    for who in ("viewer@acme.example", "approver@acme.example", "ap@acme.example", STAFF_ADMIN, STAFF_SUPPORT):
        body = await gql(CREATE, {"input": _input(acme, variants, [1, 2, 3])}, as_=who)
        assert codes(body) == ["FORBIDDEN"], (who, body)
    body = await gql(CREATE, {"input": _input(acme, variants, [1, 2, 3])}, as_="buyer@globex.example")
    assert [e["code"] for e in body["data"]["requisitionListCreate"]["userErrors"]] == ["NOT_FOUND"]
    assert await count(db, RequisitionList) == before


async def test_a_buyer_at_one_location_saves_a_list_the_whole_account_sees(gql, db):
    acme, variants = await _acme(db), await _variants(db)
    await _clear(db)
    body = await gql(CREATE, {"input": _input(acme, variants, [10, 20, 5])}, as_=BUYER)
    out = body["data"]["requisitionListCreate"]
    assert out["userErrors"] == []
    lst = out["requisitionList"]
    assert [i["quantity"] for i in lst["items"]] == [10, 20, 5]
    assert lst["cartLines"] == [{"variantId": gid("ProductVariant", v.id), "sku": v.sku, "quantity": q}
                                for v, q in zip(variants, [10, 20, 5])]
    assert lst["createdBy"] == {"name": "Bob Buyer"}
    query = "{ requisitionLists { totalCount nodes { name items { quantity } } } }"
    for who in ("viewer@acme.example", "admin@acme.example", "approver@acme.example", STAFF_SUPPORT):
        assert (await gql(query, as_=who))["data"]["requisitionLists"]["totalCount"] == 1, who
    assert (await gql(query, as_="buyer@globex.example"))["data"]["requisitionLists"]["totalCount"] == 0
    assert codes(await gql("query($id: ID!) { node(id: $id) { id } }", {"id": lst["id"]},
                           as_="buyer@globex.example")) == ["NOT_FOUND"]
    # Viewers see but do not edit; the admin edits; other accounts cannot even find it.
    body = await gql(UPDATE, {"input": {"id": lst["id"], "name": "Viewer's"}}, as_="viewer@acme.example")
    assert codes(body) == ["FORBIDDEN"]
    body = await gql(UPDATE, {"input": {"id": lst["id"], "name": "x"}}, as_="admin@globex.example")
    assert [e["code"] for e in body["data"]["requisitionListUpdate"]["userErrors"]] == ["NOT_FOUND"]
    body = await gql(UPDATE, {"input": {"id": lst["id"], "name": "Weekly",
                                        "items": [{"variantId": gid("ProductVariant", variants[2].id), "quantity": 7}]}},
                     as_="admin@acme.example")
    assert body["data"]["requisitionListUpdate"] == {
        "requisitionList": {"name": "Weekly", "items": [{"quantity": 7, "variant": {"sku": variants[2].sku}}]},
        "userErrors": []}
    assert await count(db, RequisitionListItem) == 1
    # A variant taken off sale stays on the list but leaves the cart lines.
    async with db.transaction() as s:
        v = await s.get(ProductVariant, variants[2].id)
        v.is_active = False
        s.add(v)
    body = await gql("query($id: ID!) { node(id: $id) { ... on RequisitionList { items { available } cartLines { sku } } } }",
                     {"id": lst["id"]}, as_=BUYER)
    assert body["data"]["node"] == {"items": [{"available": False}], "cartLines": []}
    assert codes(await gql(DELETE, {"input": {"id": lst["id"]}}, as_="viewer@acme.example")) == ["FORBIDDEN"]
    body = await gql(DELETE, {"input": {"id": lst["id"]}}, as_=BUYER)
    assert body["data"]["requisitionListDelete"] == {"deletedId": lst["id"], "userErrors": []}
    assert await count(db, RequisitionList) == 0 and await count(db, RequisitionListItem) == 0


async def test_bad_lists_are_user_errors_and_write_nothing(gql, db):
    acme, variants = await _acme(db), await _variants(db, 2)
    await _clear(db)
    dead = next(v for v in await _variants(db, 20) if v.product_id not in {x.product_id for x in variants})
    async with db.transaction() as s:  # a product taken off sale: its variants cannot be listed
        product = await s.get(Product, dead.product_id)
        product.is_active = False
        s.add(product)
    await gql(CREATE, {"input": _input(acme, variants, [1, 1], name="Taken")}, as_=BUYER)
    cases = [
        (_input(acme, variants, [0, 1]), "INVALID_QUANTITY"),
        (_input(acme, [variants[0], variants[0]], [1, 1]), "DUPLICATE_VARIANT"),
        (_input(acme, [dead], [1]), "UNKNOWN_VARIANT"),
        ({**_input(acme, variants, [1, 1]), "name": "  "}, "NAME_REQUIRED"),
        ({**_input(acme, variants, [1, 1]), "name": "x" * 201}, "TOO_LONG"),
        (_input(acme, variants, [1, 1], name="taken"), "NAME_TAKEN"),
        ({**_input(acme, variants, [1, 1]), "items": [{"variantId": "bogus", "quantity": 1}]}, "UNKNOWN_VARIANT"),
    ]
    for variables, code in cases:
        body = await gql(CREATE, {"input": variables}, as_=BUYER)
        assert [e["code"] for e in body["data"]["requisitionListCreate"]["userErrors"]][:1] == [code], (code, body)
    assert await count(db, RequisitionList) == 1 and await count(db, RequisitionListItem) == 2


async def test_listing_lists_costs_the_same_statements_for_any_page_size(gql, db):
    acme, variants = await _acme(db), await _variants(db)
    await _clear(db)
    for i in range(6):
        await gql(CREATE, {"input": _input(acme, variants, [1, 2, 3], name=f"List {i}")}, as_=BUYER)
    query = """query($n: Int!) { requisitionLists(first: $n) { nodes { name createdBy { name } account { name }
      items { quantity available variant { sku product { title } } } cartLines { sku } } } }"""
    small = await gql(query, {"n": 2}, as_=BUYER)
    large = await gql(query, {"n": 6}, as_=BUYER)
    assert len(large["data"]["requisitionLists"]["nodes"]) == 6
    assert small["_statements"] == large["_statements"]


async def test_two_members_saving_lists_of_one_name_at_once_get_one_list(gql, db):
    import asyncio
    acme, variants = await _acme(db), await _variants(db, 1)
    await _clear(db)
    await gql("{ viewer { name } }", as_=BUYER)
    await gql("{ viewer { name } }", as_="admin@acme.example")
    bodies = await asyncio.gather(*[gql(CREATE, {"input": _input(acme, variants, [1], name="Same")}, as_=who)
                                    for who in (BUYER, "admin@acme.example", BUYER, "admin@acme.example")])
    results = [b["data"]["requisitionListCreate"] for b in bodies]
    assert sum(1 for r in results if r["requisitionList"]) == 1, bodies
    assert all([e["code"] for e in r["userErrors"]] == ["NAME_TAKEN"] for r in results if not r["requisitionList"])
    assert await count(db, RequisitionList) == 1


async def test_a_list_is_found_by_every_member_of_its_account_and_staff(gql, db):
    async with db.session() as s:
        lst = (await s.exec(select(RequisitionList).where(RequisitionList.name == "Denver weekly restock"))).one()
    assert await finders(gql, gid("RequisitionList", lst.id)) == {p for p in DEMO_PEOPLE if p.endswith(
        ("@acme.example", "@merchant.example"))}
