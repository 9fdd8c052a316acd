"""The merchant's subscription portal (Stripe's customer portal configuration, Recharge's
customer portal settings): which actions customers may take, and how. A preset fits a kind of
business; the merchant picks one and may narrow its actions and pause length (server/settings.py).
The API refuses a disabled action with ACTION_DISABLED; `portalConfiguration` shows a frontend
what to offer."""
from dataclasses import dataclass, replace
from enum import StrEnum

from domain.errors import reject
from domain.subscriptions.codes import SubscriptionErrorCode as E


class Action(StrEnum):
    CHANGE_PLAN = "CHANGE_PLAN"
    PAUSE = "PAUSE"  # pause and resume
    SKIP = "SKIP"  # skip and unskip
    CHANGE_ITEM = "CHANGE_ITEM"  # swap a variant, change a quantity
    CHANGE_CADENCE = "CHANGE_CADENCE"
    CANCEL = "CANCEL"


class Preset(StrEnum):
    SAAS = "SAAS"
    ECOMMERCE = "ECOMMERCE"
    MEMBERSHIP = "MEMBERSHIP"
    B2B = "B2B"


class CancelMode(StrEnum):
    NOW = "NOW"
    PERIOD_END = "PERIOD_END"


@dataclass(frozen=True)
class PortalConfig:
    preset: Preset
    actions: frozenset[Action]
    cancel_mode: CancelMode = CancelMode.PERIOD_END
    prorate_upgrades: bool = True  # False: an upgrade applies now and is billed from the next period
    max_pause_cycles: int = 6
    cancel_by_admin_only: bool = False  # True: a BUYER may not cancel even a recurring order

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


PRESETS = {
    # Seats and tiers: upgrades prorated, cancelled at the period end, no pauses or skips.
    Preset.SAAS: PortalConfig(Preset.SAAS, frozenset({Action.CHANGE_PLAN, Action.CANCEL})),
    # Replenishment: everything a shopper expects, cancelled now.
    Preset.ECOMMERCE: PortalConfig(Preset.ECOMMERCE, frozenset({Action.PAUSE, Action.SKIP, Action.CHANGE_ITEM,
                                                                Action.CHANGE_CADENCE, Action.CANCEL}),
                                   CancelMode.NOW, max_pause_cycles=3),
    # Clubs and boxes: tiers without proration, short pauses, cancelled at the period end.
    Preset.MEMBERSHIP: PortalConfig(Preset.MEMBERSHIP, frozenset({Action.CHANGE_PLAN, Action.PAUSE, Action.CANCEL}),
                                    prorate_upgrades=False, max_pause_cycles=3),
    # Contracts: every action, cancellation only by the account's ADMIN.
    Preset.B2B: PortalConfig(Preset.B2B, frozenset(Action), cancel_by_admin_only=True),
}
