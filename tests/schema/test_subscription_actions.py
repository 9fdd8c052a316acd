"""A recurring order's own changes through the API: skip and unskip, change the cadence, swap an
item or change its quantity; a BUYER of the location may, AP and VIEWER may not, and a plan is
not changed this way; each preview is what the change does; bad input changes nothing."""
from sqlmodel import func, select

from db.enums import BillingInterval, SubscriptionKind, SubscriptionStatus
from db.models import Location, ProductVariant, Subscription, SubscriptionEvent, SubscriptionItem
from domain.subscriptions.portal import PRESETS, Preset
from domain.subscriptions.periods import boundary, next_boundary
from resolvers.globalid import encode
from tests.schema.test_subscription_plans import ADMIN, AP, BUYER, VIEWER
from tests.support import codes

MAX_PAUSE_CYCLES = PRESETS[Preset.B2B].max_pause_cycles  # the default portal's

SCHEDULE = "schedule { effectiveAt nextBillingAt noCharge } userErrors { code field message }"
SKIP = f"""mutation($input: SubscriptionSkipInput!) {{ subscriptionSkip(input: $input) {{
  subscription {{ status nextBillingAt history {{ kind }} }} {SCHEDULE} }} }}"""
UNSKIP = f"""mutation($input: SubscriptionIdInput!) {{ subscriptionUnskip(input: $input) {{
  subscription {{ nextBillingAt }} {SCHEDULE} }} }}"""
SKIP_PREVIEW = f"""query($id: ID!, $cycles: Int) {{ node(id: $id) {{ ... on Subscription {{
  skipPreview(cycles: $cycles) {{ {SCHEDULE} }} }} }} }}"""
CADENCE = f"""mutation($input: SubscriptionChangeCadenceInput!) {{ subscriptionChangeCadence(input: $input) {{
  subscription {{ interval intervalCount nextBillingAt currentPeriodEnd }} {SCHEDULE} }} }}"""
CADENCE_PREVIEW = f"""query($id: ID!, $interval: BillingInterval!, $count: Int!) {{ node(id: $id) {{
  ... on Subscription {{ changeCadencePreview(interval: $interval, intervalCount: $count) {{ {SCHEDULE} }} }} }} }}"""
CHANGE = "change { timing noCharge periodAmountBefore { amount } periodAmountAfter { amount } } " \
         "userErrors { code field message }"
ITEM = f"""mutation($input: SubscriptionChangeItemInput!) {{ subscriptionChangeItem(input: $input) {{
  subscription {{ items {{ quantity variant {{ id }} unitPrice {{ amount }} }} }} {CHANGE} }} }}"""
ITEM_PREVIEW = f"""query($id: ID!, $variant: ID, $quantity: Int, $from: ID) {{ node(id: $id) {{
  ... on Subscription {{ changeItemPreview(variantId: $variant, quantity: $quantity, fromVariantId: $from) {{
    {CHANGE} }} }} }} }}"""


async def _order(db, location: str) -> Subscription:
    async with db.session() as s:
        loc = (await s.exec(select(Location).where(Location.name == location))).one()
        return (await s.exec(select(Subscription).where(Subscription.location_id == loc.id,
                                                        Subscription.status == SubscriptionStatus.ACTIVE,
                                                        Subscription.kind == SubscriptionKind.RECURRING_ORDER)
                             .order_by(Subscription.id))).first()


async def _state(db, sub_id: int) -> tuple:
    async with db.session() as s:
        sub = await s.get(Subscription, sub_id)
        items = (await s.exec(select(SubscriptionItem).where(SubscriptionItem.subscription_id == sub_id)
                              .order_by(SubscriptionItem.id))).all()
        events = (await s.exec(select(func.count()).select_from(SubscriptionEvent))).one()
    return ((sub.status, sub.version, sub.interval, sub.interval_count, sub.current_period_end,
             sub.next_billing_at), [(i.variant_id, i.quantity, i.unit_price) for i in items], events)


def _errors(body: dict, field: str) -> list[str]:
    return [e["code"] for e in body["data"][field]["userErrors"]]


async def test_a_buyer_skips_the_next_renewals_of_its_recurring_order_and_takes_them_back(gql, db, clock):
    denver, chicago = await _order(db, "Denver Plant"), await _order(db, "Chicago HQ")
    before = [await _state(db, denver.id), await _state(db, chicago.id)]
    body = await gql(SKIP, {"input": {"id": encode("Subscription", chicago.id), "cycles": 1}}, as_=BUYER)
    assert _errors(body, "subscriptionSkip") == ["NOT_FOUND"]  # not the buyer's location
    for who in (AP, VIEWER):
        body = await gql(SKIP, {"input": {"id": encode("Subscription", denver.id), "cycles": 1}}, as_=who)
        assert codes(body) == ["FORBIDDEN"], who
    gid = encode("Subscription", denver.id)
    for cycles in (0, MAX_PAUSE_CYCLES + 1):
        body = await gql(SKIP, {"input": {"id": gid, "cycles": cycles}}, as_=BUYER)
        assert _errors(body, "subscriptionSkip") == ["INVALID_SKIP"]
    assert _errors(await gql(UNSKIP, {"input": {"id": gid}}, as_=BUYER), "subscriptionUnskip") == ["NOT_SKIPPED"]
    assert [await _state(db, denver.id), await _state(db, chicago.id)] == before

    after = boundary(denver.current_period_start, denver.interval, denver.interval_count, 3)
    preview = (await gql(SKIP_PREVIEW, {"id": gid, "cycles": 2}, as_=BUYER))["data"]["node"]["skipPreview"]
    assert preview["schedule"]["nextBillingAt"] == after.isoformat() and preview["schedule"]["noCharge"]
    done = (await gql(SKIP, {"input": {"id": gid, "cycles": 2}}, as_=BUYER))["data"]["subscriptionSkip"]
    assert done["userErrors"] == [] and done["schedule"] == preview["schedule"]
    assert (done["subscription"]["status"], done["subscription"]["nextBillingAt"]) == ("ACTIVE", after.isoformat())
    assert [e["kind"] for e in done["subscription"]["history"]] == ["SKIPPED"]

    preview = (await gql(SKIP_PREVIEW, {"id": gid}, as_=BUYER))["data"]["node"]["skipPreview"]
    done = (await gql(UNSKIP, {"input": {"id": gid}}, as_=BUYER))["data"]["subscriptionUnskip"]
    assert done["schedule"] == preview["schedule"]
    assert done["subscription"]["nextBillingAt"] == denver.current_period_end.isoformat()


async def test_a_buyer_changes_the_cadence_of_a_recurring_order_but_not_of_a_plan(gql, db, clock):
    denver = await _order(db, "Denver Plant")
    async with db.session() as s:
        plan = (await s.exec(select(Subscription).where(Subscription.status == SubscriptionStatus.ACTIVE,
                                                        Subscription.kind == SubscriptionKind.PLAN)
                             .order_by(Subscription.id))).first()
    gid = encode("Subscription", denver.id)
    before = [await _state(db, denver.id), await _state(db, plan.id)]
    for who in (AP, VIEWER):
        body = await gql(CADENCE, {"input": {"id": gid, "interval": "WEEK", "intervalCount": 2}}, as_=who)
        assert codes(body) == ["FORBIDDEN"], who
    cases = [({"id": gid, "interval": "WEEK", "intervalCount": 0}, "INVALID_CADENCE"),
             ({"id": gid, "interval": denver.interval.value, "intervalCount": denver.interval_count},
              "INVALID_CADENCE"),
             ({"id": encode("Subscription", plan.id), "interval": "WEEK", "intervalCount": 2}, "NOT_RECURRING_ORDER")]
    for given, code in cases:
        body = await gql(CADENCE, {"input": given}, as_=ADMIN)
        assert _errors(body, "subscriptionChangeCadence") == [code], given
    assert [await _state(db, denver.id), await _state(db, plan.id)] == before

    expected = next_boundary(denver.current_period_start, BillingInterval.WEEK, 2, clock.now())
    preview = (await gql(CADENCE_PREVIEW, {"id": gid, "interval": "WEEK", "count": 2},
                         as_=BUYER))["data"]["node"]["changeCadencePreview"]
    assert preview["schedule"]["nextBillingAt"] == expected.isoformat()
    body = await gql(CADENCE, {"input": {"id": gid, "interval": "WEEK", "intervalCount": 2}}, as_=BUYER)
    done = body["data"]["subscriptionChangeCadence"]
    assert done["userErrors"] == [] and done["schedule"] == preview["schedule"]
    assert done["subscription"] == {"interval": "WEEK", "intervalCount": 2, "nextBillingAt": expected.isoformat(),
                                    "currentPeriodEnd": expected.isoformat()}


async def _swappable(db) -> tuple[Subscription, SubscriptionItem, ProductVariant, ProductVariant]:
    """An active recurring order of the buyer's location with an item whose product has another
    variant; that variant, and a variant of another product."""
    denver = await _order(db, "Denver Plant")
    async with db.session() as s:
        items = (await s.exec(select(SubscriptionItem).where(SubscriptionItem.subscription_id == denver.id)
                              .order_by(SubscriptionItem.id))).all()
        for item in items:
            variant = await s.get(ProductVariant, item.variant_id)
            other = (await s.exec(select(ProductVariant).where(ProductVariant.product_id == variant.product_id,
                                                               ProductVariant.id != variant.id)
                                  .order_by(ProductVariant.id))).first()
            foreign = (await s.exec(select(ProductVariant).where(ProductVariant.product_id != variant.product_id)
                                    .order_by(ProductVariant.id))).first()
            if other is not None:
                return denver, item, other, foreign
    raise AssertionError("the demo's Denver recurring order has an item sold in several variants")


async def test_a_buyer_swaps_an_item_and_changes_its_quantity_at_the_contracted_price(gql, db, clock):
    sub, item, other, foreign = await _swappable(db)
    gid, of = encode("Subscription", sub.id), encode("ProductVariant", item.variant_id)
    before = await _state(db, sub.id)
    for who in (AP, VIEWER):
        body = await gql(ITEM, {"input": {"id": gid, "fromVariantId": of, "quantity": 3}}, as_=who)
        assert codes(body) == ["FORBIDDEN"], who
    cases = [({"fromVariantId": of, "quantity": 0}, "INVALID_QUANTITY"),
             ({"fromVariantId": of, "quantity": item.quantity}, "SAME_PLAN"),
             ({"fromVariantId": of, "variantId": encode("ProductVariant", foreign.id)}, "VARIANT_UNAVAILABLE"),
             ({"quantity": 3}, "NOT_FOUND")]  # several items: name the one
    for given, code in cases:
        body = await gql(ITEM, {"input": {"id": gid, **given}}, as_=BUYER)
        assert _errors(body, "subscriptionChangeItem") == [code], given
    async with db.session() as s:
        await s.exec(ProductVariant.__table__.update().where(ProductVariant.id == other.id).values(is_active=False))
        await s.commit()
    body = await gql(ITEM, {"input": {"id": gid, "fromVariantId": of, "variantId": encode("ProductVariant", other.id)}},
                     as_=BUYER)
    assert _errors(body, "subscriptionChangeItem") == ["VARIANT_UNAVAILABLE"]
    async with db.session() as s:
        await s.exec(ProductVariant.__table__.update().where(ProductVariant.id == other.id).values(is_active=True))
        await s.commit()
    assert await _state(db, sub.id) == before

    swap = {"fromVariantId": of, "variantId": encode("ProductVariant", other.id), "quantity": item.quantity * 2}
    preview = (await gql(ITEM_PREVIEW, {"id": gid, "variant": swap["variantId"], "quantity": swap["quantity"],
                                        "from": of}, as_=BUYER))["data"]["node"]["changeItemPreview"]
    assert preview["userErrors"] == [] and preview["change"]["noCharge"]
    done = (await gql(ITEM, {"input": {"id": gid, **swap}}, as_=BUYER))["data"]["subscriptionChangeItem"]
    assert done["userErrors"] == [] and done["change"] == preview["change"]
    changed = next(i for i in done["subscription"]["items"] if i["variant"]["id"] == swap["variantId"])
    assert changed["quantity"] == item.quantity * 2
    # the location's contracted price: what its catalog shows for this variant at this quantity
    catalog = await gql("""query($loc: ID!, $sku: String!, $q: Int!) { node(id: $loc) { ... on Location {
      catalog(filter: {sku: $sku}) { nodes { variants { id price(quantity: $q) { amount } } } } } } }""",
                        {"loc": encode("Location", sub.location_id), "sku": other.sku, "q": swap["quantity"]},
                        as_=BUYER)
    prices = {v["id"]: v["price"]["amount"] for p in catalog["data"]["node"]["catalog"]["nodes"] for v in p["variants"]}
    assert changed["unitPrice"]["amount"] == prices[swap["variantId"]]


async def test_a_plan_change_names_the_item_by_its_variant(gql, db, clock):
    sub, item, other, _foreign = await _swappable(db)
    query = """query($id: ID!, $variant: ID!, $from: ID) { node(id: $id) { ... on Subscription {
      changePlanPreview(variantId: $variant, fromVariantId: $from) { change { periodAmountBefore { amount } }
      userErrors { code field } } } } }"""
    args = {"id": encode("Subscription", sub.id), "variant": encode("ProductVariant", other.id)}
    unnamed = (await gql(query, args, as_=ADMIN))["data"]["node"]["changePlanPreview"]
    assert [(e["code"], e["field"]) for e in unnamed["userErrors"]] == [("NOT_FOUND", ["input", "fromVariantId"])]
    named = (await gql(query, {**args, "from": encode("ProductVariant", item.variant_id)},
                       as_=ADMIN))["data"]["node"]["changePlanPreview"]
    assert "NOT_FOUND" not in [e["code"] for e in named["userErrors"]]
