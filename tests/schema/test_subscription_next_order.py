"""A recurring order's next order through the API: moving its date, a one-time add-on billed once
by the next renewal, ordering now (the next cycle invoiced at once, the next date a cycle on).
Each preview's lines are the invoice's lines; AP and VIEWER may not, another location's buyer
does not see it, bad input and a disabled action change nothing."""
from datetime import timedelta
from decimal import Decimal

from sqlmodel import func, select

from db.models import (Invoice, InvoiceLine, ProductVariant, Subscription, SubscriptionAddon, SubscriptionCycle,
                       SubscriptionItem)
from domain.invoicing import MerchantSettings
from domain.subscriptions import renewals
from domain.subscriptions.periods import boundary, next_boundary
from integrations.test_gateway import TestGateway
from resolvers.globalid import encode
from tests.schema.test_subscription_actions import MAX_PAUSE_CYCLES, SCHEDULE, _errors, _order, _state
from tests.schema.test_subscription_plans import ADMIN, AP, BUYER, OPS, VIEWER
from tests.support import codes

LINES = "startsAt endsAt lines { description amount { amount } taxAmount { amount } } total { amount } noCharge"
DATE = f"""mutation($input: SubscriptionChangeNextDateInput!) {{ subscriptionChangeNextDate(input: $input) {{
  subscription {{ nextBillingAt history {{ kind }} }} {SCHEDULE} }} }}"""
DATE_PREVIEW = f"""query($id: ID!, $date: DateTime!) {{ node(id: $id) {{ ... on Subscription {{
  changeNextDatePreview(date: $date) {{ {SCHEDULE} }} }} }} }}"""
ADD = f"""mutation($input: SubscriptionAddOnInput!) {{ subscriptionAddOn(input: $input) {{
  subscription {{ history {{ kind }} }} nextOrder {{ {LINES} }} userErrors {{ code field }} }} }}"""
ADD_PREVIEW = f"""query($id: ID!, $variant: ID!, $quantity: Int!) {{ node(id: $id) {{ ... on Subscription {{
  addOnPreview(variantId: $variant, quantity: $quantity) {{ nextOrder {{ {LINES} }} userErrors {{ code }} }} }} }} }}"""
ORDER_NOW = f"""mutation($input: SubscriptionIdInput!) {{ subscriptionOrderNow(input: $input) {{
  subscription {{ status nextBillingAt currentPeriodStart }} nextOrder {{ {LINES} }} userErrors {{ code }} }} }}"""
ORDER_NOW_PREVIEW = f"""query($id: ID!) {{ node(id: $id) {{ ... on Subscription {{
  orderNowPreview {{ nextOrder {{ {LINES} }} userErrors {{ code }} }} }} }} }}"""
PENDING = """query($id: ID!) { node(id: $id) { ... on Subscription {
  pendingAddOns { quantity variant { id } cycleStart } } } }"""
CONFIGURE = """mutation($input: SubscriptionPortalConfigureInput!) { subscriptionPortalConfigure(input: $input) {
  portalConfiguration { preset actions } userErrors { code field } } }"""


async def _counts(db) -> tuple:
    async with db.session() as s:
        return tuple([(await s.exec(select(func.count()).select_from(m))).one()
                      for m in (SubscriptionAddon, SubscriptionCycle, Invoice)])


async def _invoice_lines(db, invoice_id: int) -> list[tuple[str, Decimal, Decimal]]:
    async with db.session() as s:
        lines = (await s.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id)
                              .order_by(InvoiceLine.position, InvoiceLine.id))).all()
    return [(ln.description, ln.amount, ln.tax_amount) for ln in lines]


def _shown(lines: list[dict]) -> list[tuple[str, Decimal, Decimal]]:
    return [(ln["description"], Decimal(ln["amount"]["amount"]), Decimal(ln["taxAmount"]["amount"])) for ln in lines]


async def test_a_buyer_moves_the_next_date_within_the_horizon(gql, db, clock):
    denver, chicago = await _order(db, "Denver Plant"), await _order(db, "Chicago HQ")
    gid = encode("Subscription", denver.id)
    later = denver.current_period_end + timedelta(days=3)
    before = [await _state(db, denver.id), await _state(db, chicago.id)]
    body = await gql(DATE, {"input": {"id": encode("Subscription", chicago.id), "date": later.isoformat()}}, as_=BUYER)
    assert _errors(body, "subscriptionChangeNextDate") == ["NOT_FOUND"]
    for who in (AP, VIEWER):
        assert codes(await gql(DATE, {"input": {"id": gid, "date": later.isoformat()}}, as_=who)) == ["FORBIDDEN"]
    limit = boundary(denver.current_period_start, denver.interval, denver.interval_count, MAX_PAUSE_CYCLES + 1)
    cases = [(clock.now() - timedelta(hours=1), "INVALID_DATE"), (denver.next_billing_at, "INVALID_DATE"),
             (limit + timedelta(seconds=1), "BEYOND_HORIZON")]
    for at, code in cases:
        body = await gql(DATE, {"input": {"id": gid, "date": at.isoformat()}}, as_=BUYER)
        assert _errors(body, "subscriptionChangeNextDate") == [code], at
    async with db.session() as s:  # a paused one resumes on its date: resume it first
        paused = (await s.exec(select(Subscription).where(Subscription.status == "PAUSED",
                                                          Subscription.kind == "RECURRING_ORDER"))).first()
    body = await gql(DATE, {"input": {"id": encode("Subscription", paused.id), "date": later.isoformat()}},
                     as_=ADMIN)
    assert _errors(body, "subscriptionChangeNextDate") == ["NOT_CHANGEABLE"]
    assert [await _state(db, denver.id), await _state(db, chicago.id)] == before

    preview = (await gql(DATE_PREVIEW, {"id": gid, "date": later.isoformat()},
                         as_=BUYER))["data"]["node"]["changeNextDatePreview"]
    assert preview["schedule"] == {"effectiveAt": clock.now().isoformat(), "nextBillingAt": later.isoformat(),
                                   "noCharge": True}
    done = (await gql(DATE, {"input": {"id": gid, "date": later.isoformat()}}, as_=BUYER))["data"]
    done = done["subscriptionChangeNextDate"]
    assert done["userErrors"] == [] and done["schedule"] == preview["schedule"]
    assert done["subscription"] == {"nextBillingAt": later.isoformat(), "history": [{"kind": "NEXT_DATE_CHANGED"}]}


async def _other_variant(db, sub_id: int) -> tuple[ProductVariant, int]:
    """A variant sold at the order's location in a quantity its rules allow (more of an item, once)."""
    async with db.session() as s:
        item = (await s.exec(select(SubscriptionItem).where(SubscriptionItem.subscription_id == sub_id)
                             .order_by(SubscriptionItem.id))).first()
        return await s.get(ProductVariant, item.variant_id), item.quantity


async def test_a_one_time_add_on_is_billed_once_by_the_next_renewal_as_previewed(gql, db, clock):
    denver = await _order(db, "Denver Plant")
    gid = encode("Subscription", denver.id)
    extra, quantity = await _other_variant(db, denver.id)
    variant = encode("ProductVariant", extra.id)
    before = (await _state(db, denver.id), await _counts(db))
    for who in (AP, VIEWER):
        body = await gql(ADD, {"input": {"id": gid, "variantId": variant, "quantity": quantity}}, as_=who)
        assert codes(body) == ["FORBIDDEN"], who
    cases = [({"variantId": variant, "quantity": 0}, "INVALID_QUANTITY"),
             ({"variantId": encode("ProductVariant", 999999), "quantity": 1}, "VARIANT_UNAVAILABLE"),
             ({"variantId": "junk", "quantity": 1}, "VARIANT_UNAVAILABLE")]
    for given, code in cases:
        body = await gql(ADD, {"input": {"id": gid, **given}}, as_=BUYER)
        assert _errors(body, "subscriptionAddOn") == [code], given
    assert (await _state(db, denver.id), await _counts(db)) == before

    preview = (await gql(ADD_PREVIEW, {"id": gid, "variant": variant, "quantity": quantity},
                         as_=BUYER))["data"]["node"]["addOnPreview"]
    assert preview["userErrors"] == [] and preview["nextOrder"]["lines"]
    assert preview["nextOrder"]["startsAt"] == denver.next_billing_at.isoformat()
    done = (await gql(ADD, {"input": {"id": gid, "variantId": variant, "quantity": quantity}},
                      as_=BUYER))["data"]["subscriptionAddOn"]
    assert done["userErrors"] == [] and done["nextOrder"] == preview["nextOrder"]
    assert done["subscription"]["history"] == [{"kind": "ADD_ON_ADDED"}]
    waiting = (await gql(PENDING, {"id": gid}, as_=AP))["data"]["node"]["pendingAddOns"]
    assert waiting == [{"quantity": quantity, "variant": {"id": variant}, "cycleStart": preview["nextOrder"]["startsAt"]}]

    clock.at = denver.next_billing_at
    await renewals.run(db, TestGateway(), clock, MerchantSettings())
    async with db.session() as s:
        [(cycle_invoice, cycle_order)] = (await s.exec(select(SubscriptionCycle.invoice_id, SubscriptionCycle.order_id)
                                                         .where(SubscriptionCycle.subscription_id == denver.id))).all()
        addon = (await s.exec(select(SubscriptionAddon).where(SubscriptionAddon.subscription_id == denver.id))).one()
    assert (addon.order_id, addon.invoice_id) == (cycle_order, cycle_invoice)
    lines = await _invoice_lines(db, cycle_invoice)
    assert _shown(preview["nextOrder"]["lines"]) == lines  # the cycle's order with the add-on, cent for cent
    assert (await gql(PENDING, {"id": gid}, as_=ADMIN))["data"]["node"]["pendingAddOns"] == []
    clock.at = (await _reload(db, denver.id)).next_billing_at
    await renewals.run(db, TestGateway(), clock, MerchantSettings())
    async with db.session() as s:
        invoices = (await s.exec(select(SubscriptionCycle.invoice_id).where(SubscriptionCycle.subscription_id ==
                                                                            denver.id))).all()
    assert len(invoices) == 2
    assert await _invoice_lines(db, invoices[-1]) != lines  # the add-on was had once


async def _reload(db, sub_id: int) -> Subscription:
    async with db.session() as s:
        return await s.get(Subscription, sub_id)


async def test_ordering_now_invoices_the_next_cycle_at_once_and_moves_the_next_date_a_cycle_on(gql, db, clock):
    denver = await _order(db, "Denver Plant")
    gid = encode("Subscription", denver.id)
    before = (await _state(db, denver.id), await _counts(db))
    for who in (AP, VIEWER):
        assert codes(await gql(ORDER_NOW, {"input": {"id": gid}}, as_=who)) == ["FORBIDDEN"], who
    assert (await _state(db, denver.id), await _counts(db)) == before

    preview = (await gql(ORDER_NOW_PREVIEW, {"id": gid}, as_=BUYER))["data"]["node"]["orderNowPreview"]
    assert preview["userErrors"] == [] and not preview["nextOrder"]["noCharge"]
    start = denver.next_billing_at
    after = next_boundary(denver.created_at, denver.interval, denver.interval_count, start)
    assert preview["nextOrder"]["startsAt"] == start.isoformat()
    done = (await gql(ORDER_NOW, {"input": {"id": gid}}, as_=BUYER))["data"]["subscriptionOrderNow"]
    assert done["userErrors"] == [] and done["nextOrder"] == preview["nextOrder"]
    assert done["subscription"]["currentPeriodStart"] == start.isoformat()
    assert done["subscription"]["nextBillingAt"] == after.isoformat()
    async with db.session() as s:
        [invoice_id] = (await s.exec(select(SubscriptionCycle.invoice_id)
                                       .where(SubscriptionCycle.subscription_id == denver.id))).all()
    assert await _invoice_lines(db, invoice_id) == _shown(preview["nextOrder"]["lines"])
    placed = (await _state(db, denver.id), await _counts(db))
    again = (await gql(ORDER_NOW, {"input": {"id": gid}}, as_=BUYER))["data"]["subscriptionOrderNow"]
    assert [e["code"] for e in again["userErrors"]] == ["NOT_CHANGEABLE"]  # one order ahead at most
    assert (await _state(db, denver.id), await _counts(db)) == placed
    clock.at = start  # the worker at the old date: this order is not due, nothing billed twice
    await renewals.run(db, TestGateway(), clock, MerchantSettings())
    async with db.session() as s:
        assert len((await s.exec(select(SubscriptionCycle).where(SubscriptionCycle.subscription_id ==
                                                                 denver.id))).all()) == 1


async def test_actions_the_stored_portal_leaves_out_are_refused(gql, db, clock):
    denver = await _order(db, "Denver Plant")
    gid = encode("Subscription", denver.id)
    body = await gql(CONFIGURE, {"input": {"preset": "SAAS", "actions": ["CHANGE_PLAN", "CANCEL"],
                                           "cancelMode": "PERIOD_END"}}, as_=OPS)
    assert body["data"]["subscriptionPortalConfigure"]["userErrors"] == []
    extra, quantity = await _other_variant(db, denver.id)
    before = (await _state(db, denver.id), await _counts(db))
    later = (denver.next_billing_at + timedelta(days=1)).isoformat()
    asks = [(DATE, {"id": gid, "date": later}, "subscriptionChangeNextDate"),
            (ADD, {"id": gid, "variantId": encode("ProductVariant", extra.id), "quantity": quantity}, "subscriptionAddOn"),
            (ORDER_NOW, {"id": gid}, "subscriptionOrderNow")]
    for query, given, field in asks:
        assert _errors(await gql(query, {"input": given}, as_=BUYER), field) == ["ACTION_DISABLED"], field
    preview = (await gql(ORDER_NOW_PREVIEW, {"id": gid}, as_=BUYER))["data"]["node"]["orderNowPreview"]
    assert [e["code"] for e in preview["userErrors"]] == ["ACTION_DISABLED"]
    assert (await _state(db, denver.id), await _counts(db)) == before


async def test_the_add_ons_of_a_page_of_subscriptions_cost_the_same_statements_however_many(gql, db, clock):
    denver = await _order(db, "Denver Plant")
    extra, quantity = await _other_variant(db, denver.id)
    await gql(ADD, {"input": {"id": encode("Subscription", denver.id), "variantId": encode("ProductVariant", extra.id),
                              "quantity": quantity}}, as_=ADMIN)
    page = """query($n: Int!) { viewer { subscriptions(first: $n) { nodes { number
      pendingAddOns { quantity cycleStart } } } } }"""
    one, many = (await gql(page, {"n": 1}, as_=ADMIN)), (await gql(page, {"n": 20}, as_=ADMIN))
    shown = [n for n in many["data"]["viewer"]["subscriptions"]["nodes"] if n["pendingAddOns"]]
    assert len(many["data"]["viewer"]["subscriptions"]["nodes"]) > 2 and len(shown) == 1
    # one batch of add-ons for the whole page, whatever its size
    assert many["_statements"] == one["_statements"] == 3
