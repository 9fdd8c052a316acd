"""The merchant's portal stored by staff (STAFF_ADMIN only, validated, audited, in place of the
environment's preset), the retention offer before a cancellation (recorded as shown once,
accepted or declined once, accepting applies it: a discount lowers the next N renewal invoices, a
cheaper plan is scheduled for the period end, a pause pauses), and the cancellation report."""
from dataclasses import replace
from decimal import Decimal

from sqlmodel import func, select

from db.models import (AuditEvent, InvoiceLine, Subscription, SubscriptionCycle, SubscriptionItem,
                       SubscriptionPortalSetting, SubscriptionRetentionOffer)
from domain.invoicing import MerchantSettings
from domain.subscriptions import renewals
from domain.subscriptions.portal import PRESETS, Preset
from integrations.test_gateway import TestGateway
from resolvers.context import Settings as SessionSettings
from resolvers.globalid import encode
from tests.conftest import make_token
from tests.schema.test_subscription_actions import _order
from tests.schema.test_subscription_plans import ADMIN, AP, BUYER, OPS, _plan
from tests.server.helpers import client_for
from tests.support import codes

SUPPORT = "support@merchant.example"
CONFIGURE = """mutation($input: SubscriptionPortalConfigureInput!) { subscriptionPortalConfigure(input: $input) {
  portalConfiguration { preset actions cancelMode maxPauseCycles cancelByAdminOnly
    retentionOffer { kind percent cycles } } userErrors { code field } } }"""
CONFIG = """{ portalConfiguration { preset actions retentionOffer { kind percent cycles } } }"""
OFFER_FIELDS = "kind percent cycles variant { id } periodAmount { amount } shownAt accepted"
OFFER = f"""query($id: ID!) {{ node(id: $id) {{ ... on Subscription {{ retentionOffer {{
  offer {{ {OFFER_FIELDS} }} userErrors {{ code }} }} }} }} }}"""
RESPOND = f"""mutation($input: SubscriptionRespondToOfferInput!) {{ subscriptionRespondToOffer(input: $input) {{
  subscription {{ status pausedUntil items {{ pendingVariant {{ id }} }} history {{ kind }} }}
  offer {{ {OFFER_FIELDS} }} userErrors {{ code }} }} }}"""
CANCEL = """mutation($input: SubscriptionCancelInput!) { subscriptionCancel(input: $input) {
  subscription { status } userErrors { code } } }"""
REPORT = """query($since: DateTime) { subscriptionCancellationReport(since: $since) {
  reasons { month reason count } offers { month kind shown accepted declined } } }"""
DISCOUNT = {"preset": "B2B", "actions": ["CANCEL", "CHANGE_PLAN", "PAUSE", "SKIP"], "cancelMode": "PERIOD_END",
            "maxPauseCycles": 4, "cancelByAdminOnly": True,
            "retentionOffer": {"kind": "DISCOUNT", "percent": "20", "cycles": 2}}


async def _stored(db) -> tuple:
    async with db.session() as s:
        return tuple([(await s.exec(select(func.count()).select_from(m))).one()
                      for m in (SubscriptionPortalSetting, SubscriptionRetentionOffer)])


async def test_only_a_staff_admin_stores_the_portal_and_bad_settings_store_nothing(gql, db, clock):
    before = await _stored(db)
    assert before[0] == 0  # the demo's portal is the environment's
    for who in (ADMIN, SUPPORT):
        assert codes(await gql(CONFIGURE, {"input": DISCOUNT}, as_=who)) == ["FORBIDDEN"], who
    bad = [({"maxPauseCycles": 25}, ["input", "maxPauseCycles"]),
           ({"retentionOffer": {"kind": "DISCOUNT", "percent": "0", "cycles": 2}}, ["input", "retentionOffer", "percent"]),
           ({"retentionOffer": {"kind": "DISCOUNT", "percent": "20", "cycles": 0}}, ["input", "retentionOffer", "cycles"]),
           ({"retentionOffer": {"kind": "PAUSE"}, "actions": ["CANCEL"]}, ["input", "retentionOffer", "kind"])]
    for change, where in bad:
        body = await gql(CONFIGURE, {"input": {**DISCOUNT, **change}}, as_=OPS)
        assert body["data"]["subscriptionPortalConfigure"]["userErrors"] == \
            [{"code": "INVALID_CONFIGURATION", "field": where}], change
    assert await _stored(db) == before
    assert (await gql(CONFIG, as_=BUYER))["data"]["portalConfiguration"]["preset"] == "B2B"

    body = await gql(CONFIGURE, {"input": DISCOUNT}, as_=OPS)
    done = body["data"]["subscriptionPortalConfigure"]
    assert done["userErrors"] == []
    shown = (await gql(CONFIG, as_=BUYER))["data"]["portalConfiguration"]
    assert shown == {"preset": "B2B", "actions": ["CANCEL", "CHANGE_PLAN", "PAUSE", "SKIP"],
                     "retentionOffer": {"kind": "DISCOUNT", "percent": "20.0000", "cycles": 2}}
    async with db.session() as s:
        assert (await s.exec(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "subscription_portal.configure"))).one() == 1
    # stored, the portal replaces the environment's: an action left out is refused
    order = await _order(db, "Denver Plant")
    body = await gql("""mutation($input: SubscriptionIdInput!) { subscriptionOrderNow(input: $input) {
      userErrors { code } } }""", {"input": {"id": encode("Subscription", order.id)}}, as_=BUYER)
    assert [e["code"] for e in body["data"]["subscriptionOrderNow"]["userErrors"]] == ["ACTION_DISABLED"]


async def _discount_lines(db, sub_id: int) -> list[list[Decimal]]:
    """Each renewal invoice's discount line amounts, oldest cycle first."""
    async with db.session() as s:
        invoices = (await s.exec(select(SubscriptionCycle.invoice_id).where(SubscriptionCycle.subscription_id == sub_id)
                                 .order_by(SubscriptionCycle.period_start))).all()
        return [[ln.amount for ln in (await s.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == i))).all()
                 if ln.description.startswith("Discount 20%")] for i in invoices]


async def test_a_discount_offer_is_shown_once_and_accepted_lowers_the_next_two_renewals(gql, db, clock):
    assert (await gql(CONFIGURE, {"input": DISCOUNT}, as_=OPS))["data"]["subscriptionPortalConfigure"]["userErrors"] == []
    sub, item, _sizes = await _plan(db)
    gid = encode("Subscription", sub.id)
    _, shown_before = await _stored(db)
    assert codes(await gql(OFFER, {"id": gid}, as_=AP)) == ["FORBIDDEN"]
    body = await gql(RESPOND, {"input": {"id": gid, "accept": True}}, as_=ADMIN)
    assert [e["code"] for e in body["data"]["subscriptionRespondToOffer"]["userErrors"]] == ["NO_OFFER"]  # not shown
    assert await _stored(db) == (1, shown_before)

    body = await gql(RESPOND, {"input": {"id": gid, "accept": True}}, as_=AP)
    assert codes(body) == ["FORBIDDEN"]
    body = await gql(RESPOND, {"input": {"id": gid, "accept": True}}, as_=BUYER)  # not the buyer's location
    assert [e["code"] for e in body["data"]["subscriptionRespondToOffer"]["userErrors"]] == ["NOT_FOUND"]
    first = (await gql(OFFER, {"id": gid}, as_=ADMIN))["data"]["node"]["retentionOffer"]
    assert first["offer"] == {"kind": "DISCOUNT", "percent": "20.0000", "cycles": 2, "variant": None,
                              "periodAmount": None, "shownAt": clock.now().isoformat(), "accepted": None}
    clock.advance(minutes=5)
    again = (await gql(OFFER, {"id": gid}, as_=ADMIN))["data"]["node"]["retentionOffer"]
    assert again == first and await _stored(db) == (1, shown_before + 1)  # recorded once

    body = await gql(RESPOND, {"input": {"id": gid, "accept": True}}, as_=ADMIN)
    done = body["data"]["subscriptionRespondToOffer"]
    assert done["userErrors"] == [] and done["offer"]["accepted"] is True
    assert done["subscription"]["history"][-1] == {"kind": "OFFER_ACCEPTED"}
    body = await gql(RESPOND, {"input": {"id": gid, "accept": False}}, as_=ADMIN)
    assert [e["code"] for e in body["data"]["subscriptionRespondToOffer"]["userErrors"]] == ["OFFER_DECIDED"]
    assert [e["code"] for e in (await gql(OFFER, {"id": gid}, as_=ADMIN))["data"]["node"]["retentionOffer"]
            ["userErrors"]] == ["OFFER_DECIDED"]

    assert codes(await gql(REPORT, {}, as_=ADMIN)) == ["FORBIDDEN"]
    report = (await gql(REPORT, {"since": first["offer"]["shownAt"]},
                        as_=SUPPORT))["data"]["subscriptionCancellationReport"]
    assert report["offers"] == [{"month": f"{clock.now():%Y-%m}", "kind": "DISCOUNT", "shown": 1, "accepted": 1,
                                 "declined": 0}]

    period = (item.unit_price * item.quantity).quantize(Decimal("0.01"))
    for _ in range(3):
        async with db.session() as s:
            clock.at = (await s.get(Subscription, sub.id)).next_billing_at
        await renewals.run(db, TestGateway(), clock, MerchantSettings())
    off = -(period * Decimal("0.2")).quantize(Decimal("0.01"))
    assert await _discount_lines(db, sub.id) == [[off], [off], []]
    async with db.session() as s:
        after = await s.get(Subscription, sub.id)
    assert (after.discount_percent, after.discount_cycles_left) == (None, 0)



async def _ask(db, clock, preset: Preset, email: str, query: str, variables: dict) -> dict:
    token = await make_token(db, email, clock.now())
    async with client_for(db, clock, sessions=replace(SessionSettings(), subscription_portal=PRESETS[preset])) as c:
        return (await c.post("/graphql", json={"query": query, "variables": variables},
                             headers={"authorization": f"Bearer {token}"})).json()


async def test_a_declined_pause_offer_is_counted_with_the_reason_and_an_accepted_one_pauses(db, clock):
    order = await _order(db, "Denver Plant")
    gid = encode("Subscription", order.id)
    offer = (await _ask(db, clock, Preset.ECOMMERCE, BUYER, OFFER, {"id": gid}))["data"]["node"]["retentionOffer"]
    assert (offer["offer"]["kind"], offer["offer"]["cycles"]) == ("PAUSE", PRESETS[Preset.ECOMMERCE].max_pause_cycles)
    body = await _ask(db, clock, Preset.ECOMMERCE, BUYER, RESPOND, {"input": {"id": gid, "accept": False}})
    done = body["data"]["subscriptionRespondToOffer"]
    assert (done["offer"]["accepted"], done["subscription"]["status"]) == (False, "ACTIVE")
    body = await _ask(db, clock, Preset.ECOMMERCE, BUYER, CANCEL, {"input": {"id": gid, "reason": "UNUSED"}})
    assert body["data"]["subscriptionCancel"]["subscription"]["status"] == "CANCELLED"
    report = (await _ask(db, clock, Preset.ECOMMERCE, OPS, REPORT,
                         {"since": clock.now().isoformat()}))["data"]["subscriptionCancellationReport"]
    month = f"{clock.now():%Y-%m}"
    assert report == {"reasons": [{"month": month, "reason": "UNUSED", "count": 1}],
                      "offers": [{"month": month, "kind": "PAUSE", "shown": 1, "accepted": 0, "declined": 1}]}

    other = await _order(db, "Denver Plant")  # the next active order there, if any: else the Chicago one
    other = other or await _order(db, "Chicago HQ")
    gid = encode("Subscription", other.id)
    await _ask(db, clock, Preset.ECOMMERCE, ADMIN, OFFER, {"id": gid})
    body = await _ask(db, clock, Preset.ECOMMERCE, ADMIN, RESPOND, {"input": {"id": gid, "accept": True}})
    done = body["data"]["subscriptionRespondToOffer"]
    assert done["userErrors"] == [] and done["subscription"]["status"] == "PAUSED"
    assert [e["kind"] for e in done["subscription"]["history"]][-2:] == ["PAUSED", "OFFER_ACCEPTED"]


async def test_a_cheaper_plan_offer_accepted_is_scheduled_for_the_period_end(gql, db, clock):
    offer = dict(DISCOUNT, retentionOffer={"kind": "CHEAPER_PLAN"})
    assert (await gql(CONFIGURE, {"input": offer}, as_=OPS))["data"]["subscriptionPortalConfigure"]["userErrors"] == []
    sub, item, sizes = await _plan(db)
    async with db.transaction() as s:  # on the largest size, at a price above every other size's
        row = await s.get(SubscriptionItem, item.id)
        row.variant_id, row.unit_price = sizes[-1].id, Decimal("100000")
        s.add(row)
    gid = encode("Subscription", sub.id)
    shown = (await gql(OFFER, {"id": gid}, as_=ADMIN))["data"]["node"]["retentionOffer"]
    assert shown["userErrors"] == [] and shown["offer"]["kind"] == "CHEAPER_PLAN"
    offered = shown["offer"]["variant"]["id"]
    assert offered != encode("ProductVariant", sizes[-1].id)
    body = await gql(RESPOND, {"input": {"id": gid, "accept": True}}, as_=ADMIN)
    done = body["data"]["subscriptionRespondToOffer"]
    assert done["userErrors"] == []
    assert done["subscription"]["items"] == [{"pendingVariant": {"id": offered}}]


REACTIVATE = """mutation($input: SubscriptionIdInput!) { subscriptionReactivate(input: $input) {
  subscription { id number status currentPeriodStart history { kind } } userErrors { code } } }"""


async def test_reactivating_after_the_end_begins_a_new_subscription_billed_from_now(db, clock):
    order = await _order(db, "Denver Plant")
    gid = encode("Subscription", order.id)
    body = await _ask(db, clock, Preset.ECOMMERCE, BUYER, CANCEL, {"input": {"id": gid, "reason": "TOO_EXPENSIVE"}})
    assert body["data"]["subscriptionCancel"]["subscription"]["status"] == "CANCELLED"
    clock.advance(days=3)
    body = await _ask(db, clock, Preset.ECOMMERCE, BUYER, REACTIVATE, {"input": {"id": gid}})
    new = body["data"]["subscriptionReactivate"]["subscription"]
    assert (new["number"], new["status"], new["currentPeriodStart"]) == \
        (f"{order.number}-R", "ACTIVE", clock.now().isoformat())
    assert [e["kind"] for e in new["history"]] == ["REACTIVATED", "RENEWED"]
    async with db.session() as s:
        made = (await s.exec(select(Subscription).where(Subscription.number == new["number"]))).one()
        cycles = (await s.exec(select(func.count()).select_from(SubscriptionCycle)
                               .where(SubscriptionCycle.subscription_id == made.id))).one()
        items = [(await s.exec(select(SubscriptionItem.variant_id, SubscriptionItem.quantity)
                               .where(SubscriptionItem.subscription_id == i).order_by(SubscriptionItem.id))).all()
                 for i in (order.id, made.id)]
    assert cycles == 1 and items[0] == items[1] and items[0]
    again = await _ask(db, clock, Preset.ECOMMERCE, BUYER, REACTIVATE, {"input": {"id": gid}})
    assert [e["code"] for e in again["data"]["subscriptionReactivate"]["userErrors"]] == ["NOT_CHANGEABLE"]
