"""Pause and resume: an ADMIN, or a BUYER of the subscription's location; until a date or for N
cycles within the maximum; the preview's dates are the pause's; bad input changes nothing."""
from datetime import timedelta

from sqlmodel import select

from db.enums import SubscriptionStatus
from db.models import Location, Subscription
from domain.subscriptions.portal import PRESETS, Preset
from domain.subscriptions.periods import boundary
from resolvers.globalid import encode
from tests.schema.test_subscription_plans import ADMIN, AP, BUYER, VIEWER, _state
from tests.support import codes

MAX_PAUSE_CYCLES = PRESETS[Preset.B2B].max_pause_cycles  # the default portal's

PAUSE = """mutation($input: SubscriptionPauseInput!) { subscriptionPause(input: $input) {
  subscription { status pausedUntil nextBillingAt history { kind } } schedule { effectiveAt nextBillingAt noCharge }
  userErrors { code field message } } }"""
RESUME = """mutation($input: SubscriptionIdInput!) { subscriptionResume(input: $input) {
  subscription { status pausedUntil nextBillingAt } userErrors { code field } } }"""
PREVIEW = """query($id: ID!, $cycles: Int, $until: DateTime) { node(id: $id) { ... on Subscription {
  pausePreview(cycles: $cycles, until: $until) { schedule { effectiveAt nextBillingAt noCharge } userErrors { code } } } } }"""


async def _at(db, location: str, status: SubscriptionStatus) -> Subscription:
    async with db.session() as s:
        loc = (await s.exec(select(Location).where(Location.name == location))).one()
        return (await s.exec(select(Subscription).where(Subscription.location_id == loc.id,
                                                        Subscription.status == status)
                             .order_by(Subscription.id))).first()


async def test_a_buyer_pauses_a_subscription_of_its_location_for_two_cycles_and_resumes_it(gql, db, clock):
    denver = await _at(db, "Denver Plant", SubscriptionStatus.ACTIVE)
    chicago = await _at(db, "Chicago HQ", SubscriptionStatus.ACTIVE)
    before = await _state(db, chicago.id)
    body = await gql(PAUSE, {"input": {"id": encode("Subscription", chicago.id), "cycles": 1}}, as_=BUYER)
    # not the buyer's location: no such subscription for the buyer
    assert [e["code"] for e in body["data"]["subscriptionPause"]["userErrors"]] == ["NOT_FOUND"]
    for who in (AP, VIEWER):
        body = await gql(PAUSE, {"input": {"id": encode("Subscription", denver.id), "cycles": 1}}, as_=who)
        assert codes(body) == ["FORBIDDEN"], who
    assert await _state(db, chicago.id) == before

    gid = encode("Subscription", denver.id)
    preview = (await gql(PREVIEW, {"id": gid, "cycles": 2}, as_=BUYER))["data"]["node"]["pausePreview"]
    resumes = boundary(denver.current_period_start, denver.interval, denver.interval_count, 3)
    assert preview["schedule"]["nextBillingAt"] == resumes.isoformat() and preview["schedule"]["noCharge"]
    body = await gql(PAUSE, {"input": {"id": gid, "cycles": 2}}, as_=BUYER)
    done = body["data"]["subscriptionPause"]
    assert done["userErrors"] == [] and done["schedule"] == preview["schedule"]
    assert (done["subscription"]["status"], done["subscription"]["pausedUntil"],
            done["subscription"]["nextBillingAt"]) == ("PAUSED", resumes.isoformat(), None)
    assert [e["kind"] for e in done["subscription"]["history"]] == ["PAUSED"]

    again = await gql(PAUSE, {"input": {"id": gid, "cycles": 1}}, as_=BUYER)
    assert [e["code"] for e in again["data"]["subscriptionPause"]["userErrors"]] == ["NOT_CHANGEABLE"]
    body = await gql(RESUME, {"input": {"id": gid}}, as_=BUYER)
    resumed = body["data"]["subscriptionResume"]["subscription"]
    assert (resumed["status"], resumed["pausedUntil"], resumed["nextBillingAt"]) == \
        ("ACTIVE", None, denver.current_period_end.isoformat())


async def test_bad_pauses_are_coded_errors_and_change_nothing(gql, db, clock):
    active = await _at(db, "Denver Plant", SubscriptionStatus.ACTIVE)
    async with db.session() as s:
        cancelled = (await s.exec(select(Subscription).where(Subscription.status == SubscriptionStatus.CANCELLED)
                                  .order_by(Subscription.id))).first()
    horizon = boundary(active.current_period_start, active.interval, active.interval_count, MAX_PAUSE_CYCLES + 1)
    gid = encode("Subscription", active.id)
    cases = [({"id": encode("Subscription", cancelled.id), "cycles": 1}, "NOT_CHANGEABLE"),
             ({"id": gid}, "INVALID_PAUSE"),
             ({"id": gid, "cycles": 1, "until": (clock.now() + timedelta(days=3)).isoformat()}, "INVALID_PAUSE"),
             ({"id": gid, "cycles": 0}, "INVALID_PAUSE"),
             ({"id": gid, "cycles": MAX_PAUSE_CYCLES + 1}, "INVALID_PAUSE"),
             ({"id": gid, "until": (clock.now() - timedelta(seconds=1)).isoformat()}, "INVALID_PAUSE"),
             ({"id": gid, "until": (horizon + timedelta(seconds=1)).isoformat()}, "BEYOND_HORIZON")]
    before = [await _state(db, active.id), await _state(db, cancelled.id)]
    for given, code in cases:
        body = await gql(PAUSE, {"input": given}, as_=ADMIN)
        assert [e["code"] for e in body["data"]["subscriptionPause"]["userErrors"]] == [code], (given, body)
    body = await gql(RESUME, {"input": {"id": gid}}, as_=ADMIN)
    assert [e["code"] for e in body["data"]["subscriptionResume"]["userErrors"]] == ["NOT_CHANGEABLE"]
    assert [await _state(db, active.id), await _state(db, cancelled.id)] == before
    body = await gql(PAUSE, {"input": {"id": gid, "until": horizon.isoformat()}}, as_=ADMIN)
    assert body["data"]["subscriptionPause"]["subscription"]["pausedUntil"] == horizon.isoformat()
