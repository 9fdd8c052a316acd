"""The merchant's subscription portal (Stripe's customer portal configuration, Recharge's
customer portal settings): which actions customers may take, and how. A preset fits a kind of
business; the merchant picks one and may narrow its actions and pause length (server/settings.py),
or staff store the whole configuration (`store`: it then replaces the environment's).
The API refuses a disabled action with ACTION_DISABLED; `portalConfiguration` shows a frontend
what to offer."""
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from db.models import SubscriptionPortalSetting
from db.repositories import subscriptions as repo
from domain.errors import reject
from domain.subscriptions.codes import SubscriptionErrorCode as E


class Action(StrEnum):
    CHANGE_PLAN = "CHANGE_PLAN"
    PAUSE = "PAUSE"  # pause and resume
    SKIP = "SKIP"  # skip and unskip
    CHANGE_ITEM = "CHANGE_ITEM"  # swap a variant, change a quantity
    CHANGE_CADENCE = "CHANGE_CADENCE"
    CANCEL = "CANCEL"
    CHANGE_DATE = "CHANGE_DATE"  # move the next billing (and delivery) date
    ADD_ON = "ADD_ON"  # a one-time add-on to a recurring order's next order
    ORDER_NOW = "ORDER_NOW"  # a recurring order's next order placed and billed now


class Preset(StrEnum):
    SAAS = "SAAS"
    ECOMMERCE = "ECOMMERCE"
    MEMBERSHIP = "MEMBERSHIP"
    B2B = "B2B"


class CancelMode(StrEnum):
    NOW = "NOW"
    PERIOD_END = "PERIOD_END"


class OfferKind(StrEnum):
    DISCOUNT = "DISCOUNT"  # percent off the next N renewals
    CHEAPER_PLAN = "CHEAPER_PLAN"  # the next cheaper variant of the item's product, from the period end
    PAUSE = "PAUSE"  # a pause of the portal's longest length instead


@dataclass(frozen=True)
class RetentionOffer:
    """What a customer is offered once, before cancelling, instead of leaving."""

    kind: OfferKind
    percent: Decimal | None = None  # DISCOUNT: 1-100
    cycles: int | None = None  # DISCOUNT: the next 1-24 renewals


MAX_PAUSE_CYCLES = 24


@dataclass(frozen=True)
class PortalConfig:
    preset: Preset
    actions: frozenset[Action]
    cancel_mode: CancelMode = CancelMode.PERIOD_END
    prorate_upgrades: bool = True  # False: an upgrade applies now and is billed from the next period
    max_pause_cycles: int = 6
    cancel_by_admin_only: bool = False  # True: a BUYER may not cancel even a recurring order
    retention_offer: RetentionOffer | None = None

    def allows(self, action: Action) -> bool:
        return action in self.actions

    def require(self, action: Action) -> None:
        if action not in self.actions:
            raise reject(E.ACTION_DISABLED, f"The merchant does not offer {action.value.lower().replace('_', ' ')} "
                         "in this portal", "input", "id")

    def narrowed(self, actions: frozenset[Action] | None, max_pause_cycles: int | None) -> "PortalConfig":
        """The preset with only some of its actions, or another pause maximum."""
        return replace(self, actions=self.actions & actions if actions is not None else self.actions,
                       max_pause_cycles=max_pause_cycles or self.max_pause_cycles)


def validated(config: PortalConfig) -> PortalConfig:
    """A portal staff set, checked: a bad value is a userError naming its field."""
    if not 1 <= config.max_pause_cycles <= MAX_PAUSE_CYCLES:
        raise reject(E.INVALID_CONFIGURATION, f"The longest pause is 1 to {MAX_PAUSE_CYCLES} cycles", "input",
                     "maxPauseCycles")
    offer = config.retention_offer
    if offer is not None:
        if offer.kind is OfferKind.DISCOUNT:
            if offer.percent is None or not Decimal(0) < offer.percent <= 100:
                raise reject(E.INVALID_CONFIGURATION, "A discount is more than 0 and at most 100 percent", "input",
                             "retentionOffer", "percent")
            if offer.cycles is None or not 1 <= offer.cycles <= MAX_PAUSE_CYCLES:
                raise reject(E.INVALID_CONFIGURATION, f"A discount lasts 1 to {MAX_PAUSE_CYCLES} renewals",
                             "input", "retentionOffer", "cycles")
        elif offer.percent is not None or offer.cycles is not None:
            raise reject(E.INVALID_CONFIGURATION, "Only a discount has a percent and cycles", "input",
                         "retentionOffer", "kind")
        if offer.kind is OfferKind.PAUSE and Action.PAUSE not in config.actions:
            raise reject(E.INVALID_CONFIGURATION, "A pause offer needs the PAUSE action", "input", "retentionOffer",
                         "kind")
    return config


PRESETS = {
    # Seats and tiers: upgrades prorated, cancelled at the period end, no pauses or skips.
    Preset.SAAS: PortalConfig(Preset.SAAS, frozenset({Action.CHANGE_PLAN, Action.CANCEL})),
    # Replenishment: everything a shopper expects, cancelled now.
    Preset.ECOMMERCE: PortalConfig(Preset.ECOMMERCE, frozenset({Action.PAUSE, Action.SKIP, Action.CHANGE_ITEM,
                                                                Action.CHANGE_CADENCE, Action.CHANGE_DATE,
                                                                Action.ADD_ON, Action.ORDER_NOW, Action.CANCEL}),
                                   CancelMode.NOW, max_pause_cycles=3,
                                   retention_offer=RetentionOffer(OfferKind.PAUSE)),
    # Clubs and boxes: tiers without proration, short pauses, cancelled at the period end.
    Preset.MEMBERSHIP: PortalConfig(Preset.MEMBERSHIP, frozenset({Action.CHANGE_PLAN, Action.PAUSE, Action.CANCEL}),
                                    prorate_upgrades=False, max_pause_cycles=3),
    # Contracts: every action, cancellation only by the account's ADMIN.
    Preset.B2B: PortalConfig(Preset.B2B, frozenset(Action), cancel_by_admin_only=True),
}


def from_row(row: SubscriptionPortalSetting | None, default: PortalConfig) -> PortalConfig:
    """The portal staff stored, else the environment's (`default`)."""
    if row is None:
        return default
    offer = RetentionOffer(OfferKind(row.offer_kind), row.offer_percent, row.offer_cycles) if row.offer_kind else None
    return PortalConfig(Preset(row.preset), frozenset(Action(a) for a in row.actions), CancelMode(row.cancel_mode),
                        row.prorate_upgrades, row.max_pause_cycles, row.cancel_by_admin_only, offer)


async def current(session: Any, default: PortalConfig) -> PortalConfig:
    return from_row(await repo.portal_setting(session), default)


async def store(session: Any, config: PortalConfig, now: datetime) -> SubscriptionPortalSetting:
    """Keep the merchant's portal (validated) in place of the environment's; one row, read locked so
    two staff saving at once write one after the other."""
    validated(config)
    row = await repo.portal_setting_locked(session) or SubscriptionPortalSetting(id=1, preset="", cancel_mode="",
                                                                                 max_pause_cycles=1)
    offer = config.retention_offer
    row.preset, row.actions, row.cancel_mode = config.preset.value, sorted(config.actions), config.cancel_mode.value
    row.prorate_upgrades, row.max_pause_cycles = config.prorate_upgrades, config.max_pause_cycles
    row.cancel_by_admin_only = config.cancel_by_admin_only
    row.offer_kind = offer.kind.value if offer else None
    row.offer_percent, row.offer_cycles = (offer.percent, offer.cycles) if offer else (None, None)
    row.updated_at = now
    session.add(row)
    await session.flush()
    return row
