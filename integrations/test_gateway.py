"""The built-in test gateway: cards saved and charged with documented test tokens, no network.

For development, the demo and tests (PORTALQL_PAYMENT_GATEWAY=test, the default outside
production). The tokens mirror Stripe's test tokens (docs/payments.md lists them): `tok_visa`
saves a card that charges; `tok_chargeDeclined`, `tok_chargeDeclinedInsufficientFunds` and
`tok_chargeDeclinedExpiredCard` are declined when saved; `tok_threeDSecureRequired` needs the
customer's confirmation; `tok_visa_chargeDeclined...` save but their charges fail.

A saved card's ID names its test token (`pm_test_visa_chargeDeclined_<n>`), so what a charge does is
known from the ID alone, in any process. Setups, charges and idempotency keys live in this
process's memory: a setup started on one server process is finished on the same one."""
import itertools
import secrets
from dataclasses import dataclass, replace
from decimal import Decimal

from domain.payments import MISSING, Card, ChargeResult, Outcome, RefundResult, SetupResult


@dataclass(frozen=True)
class TestCard:
    __test__ = False  # not a pytest test class

    brand: str
    last4: str
    at_save: Outcome = Outcome.SUCCEEDED
    at_charge: Outcome = Outcome.SUCCEEDED
    decline_code: str | None = None


_GENERIC, _FUNDS, _EXPIRED = "generic_decline", "insufficient_funds", "expired_card"
# Test token (without "tok_") -> the card it stands for and what saving and charging it do.
TOKENS: dict[str, TestCard] = {
    "visa": TestCard("visa", "4242"),
    "visa_debit": TestCard("visa", "5556"),
    "mastercard": TestCard("mastercard", "4444"),
    "amex": TestCard("amex", "8431"),
    "chargeDeclined": TestCard("visa", "0002", Outcome.DECLINED, Outcome.DECLINED, _GENERIC),
    "chargeDeclinedInsufficientFunds": TestCard("visa", "9995", Outcome.INSUFFICIENT_FUNDS,
                                                Outcome.INSUFFICIENT_FUNDS, _FUNDS),
    "chargeDeclinedExpiredCard": TestCard("visa", "0069", Outcome.EXPIRED_CARD, Outcome.EXPIRED_CARD, _EXPIRED),
    "chargeDeclinedProcessingError": TestCard("visa", "0119", Outcome.ERROR, Outcome.ERROR, "processing_error"),
    # 3-D Secure on saving; once the customer confirmed, off-session charges go through.
    "threeDSecureRequired": TestCard("visa", "3155", Outcome.REQUIRES_ACTION),
    # Saved without trouble, but every off-session charge needs the customer (Stripe's 4000002760003184).
    "authenticationRequired": TestCard("visa", "3184", at_charge=Outcome.REQUIRES_ACTION),
    # Saved without trouble; charges fail (Stripe's tok_visa_chargeDeclined: 4000000000000341).
    "visa_chargeDeclined": TestCard("visa", "0341", at_charge=Outcome.DECLINED, decline_code=_GENERIC),
    "visa_chargeDeclinedInsufficientFunds": TestCard("visa", "1111", at_charge=Outcome.INSUFFICIENT_FUNDS,
                                                     decline_code=_FUNDS),
    "visa_chargeDeclinedExpiredCard": TestCard("visa", "2222", at_charge=Outcome.EXPIRED_CARD,
                                               decline_code=_EXPIRED),
}
# Test cards expire at the end of this month (any future date will do, as at Stripe).
EXP_MONTH, EXP_YEAR = 12, 2034
_MESSAGES = {Outcome.DECLINED: "Your card was declined.",
             Outcome.INSUFFICIENT_FUNDS: "Your card has insufficient funds.",
             Outcome.EXPIRED_CARD: "Your card has expired.",
             Outcome.ERROR: "An error occurred while processing your card. Try again in a little bit.",
             Outcome.REQUIRES_ACTION: "This card requires authentication."}


def card_kind(method_id: str) -> str | None:
    """The test token a saved card's ID names (pm_test_<kind>_<n>)."""
    if not method_id.startswith("pm_test_"):
        return None
    kind = method_id.removeprefix("pm_test_").rsplit("_", 1)[0]
    return kind if kind in TOKENS else None


@dataclass
class _Setup:
    result: SetupResult
    kind: str | None = None  # the token the customer confirmed it with


class TestGateway:
    __test__ = False  # not a pytest test class
    name = "test"

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.setups: dict[str, _Setup] = {}
        self.charges: dict[str, ChargeResult] = {}
        self.by_key: dict[str, ChargeResult | RefundResult] = {}
        self.detached: set[str] = set()
        self.calls: list[tuple[str, str]] = []  # (operation, ID): what the tests look at

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids)}{secrets.token_hex(4)}"

    async def create_customer(self, account_ref: str, name: str) -> str:
        customer = self._id("cus_test")
        self.calls.append(("create_customer", customer))
        return customer

    async def start_setup(self, customer_id: str, account_ref: str) -> SetupResult:
        setup_id = self._id("seti_test")
        result = SetupResult(Outcome.PENDING, setup_id, f"{setup_id}_secret_{secrets.token_hex(8)}",
                             customer_id=customer_id, account_ref=account_ref)
        self.setups[setup_id] = _Setup(result)
        self.calls.append(("start_setup", setup_id))
        return result

    def confirm_setup(self, setup_id: str, token: str) -> SetupResult:
        """What the gateway's script does on the page: the customer confirms the setup with a card.
        (A card needing 3-D Secure then waits for `complete_action`.)"""
        setup = self.setups[setup_id]
        kind = token.removeprefix("tok_")
        setup.kind = kind
        setup.result = self._saved(setup.result, kind)
        return setup.result

    def complete_action(self, setup_id: str) -> SetupResult:
        """The customer passed 3-D Secure on the page."""
        setup = self.setups[setup_id]
        assert setup.kind is not None
        setup.result = replace(setup.result, outcome=Outcome.SUCCEEDED, card=self._card(setup.kind),
                               message="")
        return setup.result

    def _card(self, kind: str) -> Card:
        spec = TOKENS[kind]
        return Card(self._id(f"pm_test_{kind}"), spec.brand, spec.last4, EXP_MONTH, EXP_YEAR)

    def _saved(self, setup: SetupResult, kind: str) -> SetupResult:
        spec = TOKENS.get(kind)
        if spec is None:
            return replace(setup, outcome=Outcome.DECLINED, decline_code="invalid_token",
                           message=f"No such token: {kind[:40]!r}")
        if spec.at_save is Outcome.SUCCEEDED:
            return replace(setup, outcome=Outcome.SUCCEEDED, card=self._card(kind))
        return replace(setup, outcome=spec.at_save, message=_MESSAGES[spec.at_save],
                       decline_code=spec.decline_code if spec.at_save is not Outcome.REQUIRES_ACTION else None)

    async def save_token(self, customer_id: str, account_ref: str, token: str) -> SetupResult:
        setup = await self.start_setup(customer_id, account_ref)
        self.calls.append(("save_token", token))
        return self.confirm_setup(setup.setup_id, token)  # type: ignore[arg-type]

    async def finish_setup(self, setup_id: str) -> SetupResult:
        self.calls.append(("finish_setup", setup_id))
        setup = self.setups.get(setup_id)
        if setup is None:
            return SetupResult(Outcome.ERROR, decline_code=MISSING, message="No such setupintent")
        return setup.result

    async def update_card(self, method_id: str, exp_month: int, exp_year: int) -> SetupResult:
        self.calls.append(("update_card", method_id))
        return SetupResult(Outcome.SUCCEEDED)

    async def detach(self, method_id: str) -> SetupResult:
        self.calls.append(("detach", method_id))
        self.detached.add(method_id)
        return SetupResult(Outcome.SUCCEEDED)

    async def charge(self, customer_id: str, method_id: str, amount: Decimal, currency: str,
                     idempotency_key: str, description: str = "") -> ChargeResult:
        if idempotency_key in self.by_key:
            return self.by_key[idempotency_key]  # type: ignore[return-value]
        self.calls.append(("charge", method_id))
        charge_id = self._id("pi_test")
        kind = card_kind(method_id)
        if kind is None or method_id in self.detached:
            result = ChargeResult(Outcome.ERROR, charge_id, amount, currency,
                                  message=f"No such payment method: {method_id[:60]!r}")
        else:
            spec = TOKENS[kind]
            outcome = spec.at_charge
            result = ChargeResult(outcome, charge_id, amount, currency,
                                  client_secret=f"{charge_id}_secret_{secrets.token_hex(8)}"
                                  if outcome is Outcome.REQUIRES_ACTION else None,
                                  decline_code=spec.decline_code if outcome not in (Outcome.SUCCEEDED,
                                                                                    Outcome.REQUIRES_ACTION) else None,
                                  message=_MESSAGES.get(outcome, ""))
        self.charges[charge_id] = result
        self.by_key[idempotency_key] = result
        return result

    async def retrieve(self, charge_id: str) -> ChargeResult:
        return self.charges.get(charge_id) or ChargeResult(Outcome.ERROR, message="No such payment_intent")

    async def refund(self, charge_id: str, amount: Decimal, currency: str, idempotency_key: str) -> RefundResult:
        if idempotency_key in self.by_key:
            return self.by_key[idempotency_key]  # type: ignore[return-value]
        charge = self.charges.get(charge_id)
        if charge is None or charge.outcome is not Outcome.SUCCEEDED or amount > charge.amount:
            result = RefundResult(Outcome.ERROR, message="Nothing to refund on that charge")
        else:
            result = RefundResult(Outcome.SUCCEEDED, self._id("re_test"), amount, currency)
        self.by_key[idempotency_key] = result
        return result
