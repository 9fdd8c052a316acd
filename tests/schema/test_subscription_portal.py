"""The merchant's subscription portal: `portalConfiguration` shows what a preset offers; an action
it leaves out is ACTION_DISABLED (preview and mutation) and changes nothing; its pause maximum
bounds pauses and skips; without proration an upgrade applies now and charges nothing. Settings
are read from the environment (server/settings.py)."""
from dataclasses import replace

import pytest

from domain.subscriptions.portal import PRESETS, Action, Preset
from resolvers.context import Settings as SessionSettings
from resolvers.globalid import encode
from server.settings import Settings
from tests.conftest import make_token
from tests.schema.test_subscription_actions import SKIP, _order, _state
from tests.schema.test_subscription_plans import ADMIN, BUYER, CHANGE, PREVIEW, _plan, _vars
from tests.schema.test_subscription_plans import _state as _plan_state
from tests.server.helpers import client_for

CONFIG = """{ portalConfiguration { preset actions cancelMode prorateUpgrades maxPauseCycles cancelByAdminOnly } }"""


async def _ask(db, clock, portal, email: str, query: str, variables: dict | None = None) -> dict:
    token = await make_token(db, email, clock.now())
    async with client_for(db, clock, sessions=replace(SessionSettings(), subscription_portal=portal)) as c:
        return (await c.post("/graphql", json={"query": query, "variables": variables or {}},
                             headers={"authorization": f"Bearer {token}"})).json()


async def test_an_ecommerce_portal_refuses_plan_changes_and_bounds_skips(db, clock):
    portal = PRESETS[Preset.ECOMMERCE]
    shown = (await _ask(db, clock, portal, BUYER, CONFIG))["data"]["portalConfiguration"]
    assert shown == {"preset": "ECOMMERCE", "actions": ["ADD_ON", "CANCEL", "CHANGE_CADENCE", "CHANGE_DATE", "CHANGE_ITEM",
                                                     "ORDER_NOW", "PAUSE", "SKIP"],
                     "cancelMode": "NOW", "prorateUpgrades": True, "maxPauseCycles": 3, "cancelByAdminOnly": False}
    sub, _item, sizes = await _plan(db)
    before = await _plan_state(db, sub.id)
    body = await _ask(db, clock, portal, ADMIN, CHANGE, _vars(sub, sizes[-1]))
    assert [e["code"] for e in body["data"]["subscriptionChangePlan"]["userErrors"]] == ["ACTION_DISABLED"]
    preview = await _ask(db, clock, portal, ADMIN, PREVIEW, {"id": encode("Subscription", sub.id),
                                                            "variant": encode("ProductVariant", sizes[-1].id)})
    assert [e["code"] for e in preview["data"]["node"]["changePlanPreview"]["userErrors"]] == ["ACTION_DISABLED"]
    assert await _plan_state(db, sub.id) == before

    order = await _order(db, "Denver Plant")
    before = await _state(db, order.id)
    body = await _ask(db, clock, portal, BUYER, SKIP, {"input": {"id": encode("Subscription", order.id), "cycles": 4}})
    assert [e["code"] for e in body["data"]["subscriptionSkip"]["userErrors"]] == ["INVALID_SKIP"]
    assert await _state(db, order.id) == before
    body = await _ask(db, clock, portal, BUYER, SKIP, {"input": {"id": encode("Subscription", order.id), "cycles": 3}})
    assert body["data"]["subscriptionSkip"]["userErrors"] == []


async def test_a_saas_portal_refuses_skips_and_a_membership_upgrade_charges_nothing_now(db, clock):
    order = await _order(db, "Denver Plant")
    before = await _state(db, order.id)
    body = await _ask(db, clock, PRESETS[Preset.SAAS], BUYER, SKIP,
                      {"input": {"id": encode("Subscription", order.id), "cycles": 1}})
    assert [e["code"] for e in body["data"]["subscriptionSkip"]["userErrors"]] == ["ACTION_DISABLED"]
    assert await _state(db, order.id) == before

    sub, item, sizes = await _plan(db)
    body = await _ask(db, clock, PRESETS[Preset.MEMBERSHIP], ADMIN, CHANGE, _vars(sub, sizes[-1]))
    done = body["data"]["subscriptionChangePlan"]
    assert done["userErrors"] == [] and done["invoice"] is None
    assert (done["change"]["timing"], done["change"]["noCharge"], done["change"]["lines"]) == ("NOW", True, [])
    assert done["subscription"]["items"][0]["variant"]["id"] == encode("ProductVariant", sizes[-1].id)


def test_the_portal_is_a_preset_narrowed_by_the_environment(monkeypatch):
    assert Settings.from_env().sessions.subscription_portal == PRESETS[Preset.B2B]
    monkeypatch.setenv("PORTALQL_SUBSCRIPTION_PORTAL", "ECOMMERCE")
    monkeypatch.setenv("PORTALQL_SUBSCRIPTION_ACTIONS", "skip, pause, change_plan")
    monkeypatch.setenv("PORTALQL_SUBSCRIPTION_MAX_PAUSE_CYCLES", "2")
    portal = Settings.from_env().sessions.subscription_portal
    # the preset's actions only: ECOMMERCE offers no plan change
    assert (portal.preset, portal.actions, portal.max_pause_cycles) == \
        (Preset.ECOMMERCE, frozenset({Action.SKIP, Action.PAUSE}), 2)
    monkeypatch.setenv("PORTALQL_SUBSCRIPTION_ACTIONS", "teleport")
    with pytest.raises(SystemExit):
        Settings.from_env()
