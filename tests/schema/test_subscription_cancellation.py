"""Cancelling: a BUYER may cancel a recurring order of its location only where the portal lets
buyers cancel (not in B2B), never a plan; the portal's mode says now or at the period end; the
survey's reason and comment are in the history; a cancellation at the period end is reactivated
before then; refusals change nothing."""
from dataclasses import replace

from sqlmodel import select

from db.enums import SubscriptionKind, SubscriptionStatus
from db.models import Subscription
from domain.subscriptions.portal import PRESETS, Preset
from resolvers.context import Settings as SessionSettings
from resolvers.globalid import encode
from tests.conftest import make_token
from tests.schema.test_subscription_actions import _order, _state
from tests.schema.test_subscription_plans import ADMIN, AP, BUYER, VIEWER
from tests.server.helpers import client_for
from tests.support import codes

CANCEL = """mutation($input: SubscriptionCancelInput!) { subscriptionCancel(input: $input) {
  subscription { status cancelAtPeriodEnd cancelledAt nextBillingAt history { kind details } }
  schedule { effectiveAt nextBillingAt } userErrors { code field } } }"""
REACTIVATE = """mutation($input: SubscriptionIdInput!) { subscriptionReactivate(input: $input) {
  subscription { status cancelAtPeriodEnd nextBillingAt } userErrors { code } } }"""
PREVIEW = """query($id: ID!) { node(id: $id) { ... on Subscription { cancelPreview {
  schedule { effectiveAt } userErrors { code } } } } }"""


async def _ask(db, clock, preset: Preset, email: str, query: str, variables: dict) -> dict:
    token = await make_token(db, email, clock.now())
    sessions = replace(SessionSettings(), subscription_portal=PRESETS[preset])
    async with client_for(db, clock, sessions=sessions) as c:
        return (await c.post("/graphql", json={"query": query, "variables": variables},
                             headers={"authorization": f"Bearer {token}"})).json()


async def _plan_of(db) -> Subscription:
    async with db.session() as s:
        return (await s.exec(select(Subscription).where(Subscription.status == SubscriptionStatus.ACTIVE,
                                                        Subscription.kind == SubscriptionKind.PLAN)
                             .order_by(Subscription.id))).first()


async def test_who_may_cancel_and_a_buyer_cancels_a_recurring_order_now_in_an_ecommerce_portal(db, clock):
    order, plan = await _order(db, "Denver Plant"), await _plan_of(db)
    gid = encode("Subscription", order.id)
    before = [await _state(db, order.id), await _state(db, plan.id)]
    for who in (AP, VIEWER):
        assert codes(await _ask(db, clock, Preset.ECOMMERCE, who, CANCEL, {"input": {"id": gid}})) == ["FORBIDDEN"]
    # B2B: only an ADMIN cancels; a plan is always an ADMIN's
    assert codes(await _ask(db, clock, Preset.B2B, BUYER, CANCEL, {"input": {"id": gid}})) == ["FORBIDDEN"]
    body = await _ask(db, clock, Preset.SAAS, ADMIN, CANCEL,
                      {"input": {"id": gid, "reason": "OTHER", "comment": "x" * 1001}})
    assert [e["code"] for e in body["data"]["subscriptionCancel"]["userErrors"]] == ["INVALID_COMMENT"]
    body = await _ask(db, clock, Preset.B2B, ADMIN, CANCEL, {"input": {"id": gid, "reason": "TELEPORT"}})
    assert body.get("errors")
    assert [await _state(db, order.id), await _state(db, plan.id)] == before

    preview = await _ask(db, clock, Preset.ECOMMERCE, BUYER, PREVIEW, {"id": gid})
    assert preview["data"]["node"]["cancelPreview"]["schedule"]["effectiveAt"] == clock.now().isoformat()
    body = await _ask(db, clock, Preset.ECOMMERCE, BUYER, CANCEL,
                      {"input": {"id": gid, "reason": "TOO_EXPENSIVE", "comment": " Cheaper elsewhere "}})
    done = body["data"]["subscriptionCancel"]
    assert done["userErrors"] == []
    sub = done["subscription"]
    assert (sub["status"], sub["cancelledAt"], sub["nextBillingAt"]) == ("CANCELLED", clock.now().isoformat(), None)
    assert [(e["kind"], e["details"]["reason"], e["details"]["comment"]) for e in sub["history"]] == \
        [("CANCELLED", "TOO_EXPENSIVE", "Cheaper elsewhere")]
    again = await _ask(db, clock, Preset.ECOMMERCE, BUYER, CANCEL, {"input": {"id": gid}})
    assert [e["code"] for e in again["data"]["subscriptionCancel"]["userErrors"]] == ["NOT_CHANGEABLE"]


async def test_an_admin_cancels_a_plan_at_the_period_end_and_reactivates_it(db, clock):
    plan = await _plan_of(db)
    gid = encode("Subscription", plan.id)
    body = await _ask(db, clock, Preset.SAAS, BUYER, CANCEL, {"input": {"id": gid}})  # not the buyer's location
    assert [e["code"] for e in body["data"]["subscriptionCancel"]["userErrors"]] == ["NOT_FOUND"]
    body = await _ask(db, clock, Preset.MEMBERSHIP, ADMIN, REACTIVATE, {"input": {"id": gid}})
    assert [e["code"] for e in body["data"]["subscriptionReactivate"]["userErrors"]] == ["NOT_CHANGEABLE"]
    body = await _ask(db, clock, Preset.SAAS, ADMIN, CANCEL, {"input": {"id": gid, "reason": "UNUSED"}})
    done = body["data"]["subscriptionCancel"]
    assert done["schedule"]["effectiveAt"] == plan.current_period_end.isoformat()
    assert (done["subscription"]["status"], done["subscription"]["cancelAtPeriodEnd"]) == ("ACTIVE", True)
    body = await _ask(db, clock, Preset.SAAS, ADMIN, REACTIVATE, {"input": {"id": gid}})
    assert body["data"]["subscriptionReactivate"]["subscription"] == \
        {"status": "ACTIVE", "cancelAtPeriodEnd": False, "nextBillingAt": plan.next_billing_at.isoformat()}
