"""The Stripe gateway, on the official `stripe` library (its async client over httpx).

Cards are saved with SetupIntents for off-session use (from a token made by Stripe.js, or a
SetupIntent the customer confirmed on the page) and charged with off-session PaymentIntents under
an Idempotency-Key, so a retried charge is never a second one. Stripe's answers become the
Outcomes of domain.payments; nothing here raises for a declined card or an unreachable Stripe.

The secret key is given to the client and nowhere else: never logged, never in an error."""
import logging
from decimal import Decimal
from typing import Any

import stripe

from domain.payments import (MISSING, Card, ChargeResult, GatewayUnavailable, Outcome, RefundResult, SetupResult,
                             from_minor_units, minor_units)

log = logging.getLogger("portalql.payments.stripe")
ACCOUNT_KEY = "portalql_account"  # metadata naming the account a customer or setup belongs to


def _declined(error: dict[str, Any]) -> tuple[Outcome, str | None]:
    """A card_error's Outcome and decline code (Stripe's codes: docs/payments.md)."""
    code, decline = error.get("code"), error.get("decline_code")
    if code == "authentication_required" or decline == "authentication_required":
        return Outcome.REQUIRES_ACTION, decline or code
    if decline == "insufficient_funds":
        return Outcome.INSUFFICIENT_FUNDS, decline
    if code == "expired_card" or decline == "expired_card":
        return Outcome.EXPIRED_CARD, decline or code
    if code == "processing_error":
        return Outcome.ERROR, code
    return Outcome.DECLINED, decline or code


def _card(pm: Any) -> Card | None:
    if not pm or isinstance(pm, str) or not pm.get("card"):
        return None
    c = pm["card"]
    return Card(pm["id"], c.get("brand") or "unknown", c.get("last4") or "", int(c["exp_month"]), int(c["exp_year"]))


def _setup(si: Any) -> SetupResult:
    """A SetupIntent object as a SetupResult."""
    status = si.get("status")
    metadata = si.get("metadata") or {}
    customer = si.get("customer")
    common = {"setup_id": si.get("id"), "client_secret": si.get("client_secret"),
              "customer_id": customer if isinstance(customer, str) else (customer or {}).get("id"),
              "account_ref": metadata.get(ACCOUNT_KEY)}
    if status == "succeeded":
        card = _card(si.get("payment_method"))
        if card is None:
            return SetupResult(Outcome.ERROR, message="The setup has no card", **common)
        return SetupResult(Outcome.SUCCEEDED, card=card, **common)
    if status == "requires_action":
        return SetupResult(Outcome.REQUIRES_ACTION, **common)
    error = si.get("last_setup_error")
    if error:
        outcome, decline = _declined(dict(error))
        return SetupResult(outcome, decline_code=decline, message=error.get("message") or "", **common)
    if status == "canceled":
        return SetupResult(Outcome.ERROR, message="The setup was canceled", **common)
    return SetupResult(Outcome.PENDING, **common)  # requires_payment_method, requires_confirmation, processing


def _charge(pi: Any) -> ChargeResult:
    status, currency = pi.get("status"), (pi.get("currency") or "").upper()
    common = {"charge_id": pi.get("id"), "currency": currency,
              "amount": from_minor_units(int(pi.get("amount") or 0), currency) if currency else Decimal(0)}
    if status == "succeeded":
        return ChargeResult(Outcome.SUCCEEDED, **common)
    if status == "requires_action":
        return ChargeResult(Outcome.REQUIRES_ACTION, client_secret=pi.get("client_secret"), **common)
    error = pi.get("last_payment_error")
    if error:
        outcome, decline = _declined(dict(error))
        secret = pi.get("client_secret") if outcome is Outcome.REQUIRES_ACTION else None
        return ChargeResult(outcome, client_secret=secret, decline_code=decline,
                            message=error.get("message") or "", **common)
    if status == "canceled":
        return ChargeResult(Outcome.ERROR, message="The payment was canceled", **common)
    return ChargeResult(Outcome.PENDING, **common)  # processing, requires_capture, ...


def _plain(obj: Any) -> dict[str, Any]:
    """A Stripe object as the plain dict of its JSON (the library's objects are not dicts)."""
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _error_body(e: stripe.StripeError) -> dict[str, Any]:
    body = e.json_body if isinstance(e.json_body, dict) else {}
    return dict(body.get("error") or {})


class StripeGateway:
    name = "stripe"

    def __init__(self, secret_key: str, *, api_base: str | None = None, timeout: float = 20.0,
                 max_network_retries: int = 2) -> None:
        self.client = stripe.StripeClient(
            secret_key, base_addresses={"api": api_base} if api_base else {},
            http_client=stripe.HTTPXClient(timeout=timeout), max_network_retries=max_network_retries)

    def __repr__(self) -> str:
        return "StripeGateway()"  # never the key

    async def create_customer(self, account_ref: str, name: str) -> str:
        try:
            customer = await self.client.v1.customers.create_async(
                {"name": name[:256], "metadata": {ACCOUNT_KEY: account_ref}},
                {"idempotency_key": f"portalql-customer-{account_ref}"})
        except stripe.StripeError as e:
            log.warning("stripe: creating a customer failed (%s %s)", type(e).__name__, e.code or "")
            raise GatewayUnavailable(type(e).__name__) from None
        return _plain(customer)["id"]

    async def start_setup(self, customer_id: str, account_ref: str) -> SetupResult:
        return await self._setup_call(self.client.v1.setup_intents.create_async, {
            "customer": customer_id, "usage": "off_session", "payment_method_types": ["card"],
            "metadata": {ACCOUNT_KEY: account_ref}})

    async def save_token(self, customer_id: str, account_ref: str, token: str) -> SetupResult:
        params: dict[str, Any] = {"customer": customer_id, "usage": "off_session", "confirm": True,
                                  "payment_method_types": ["card"], "metadata": {ACCOUNT_KEY: account_ref},
                                  "expand": ["payment_method"]}
        if token.startswith("pm_"):  # a PaymentMethod made on the page
            params["payment_method"] = token
        else:  # a card token (tok_...)
            params["payment_method_data"] = {"type": "card", "card": {"token": token}}
        return await self._setup_call(self.client.v1.setup_intents.create_async, params)

    async def finish_setup(self, setup_id: str) -> SetupResult:
        if not setup_id.startswith("seti_"):
            return SetupResult(Outcome.ERROR, message="Not a SetupIntent ID")
        return await self._setup_call(self.client.v1.setup_intents.retrieve_async, setup_id,
                                      {"expand": ["payment_method"]})

    async def update_card(self, method_id: str, exp_month: int, exp_year: int) -> SetupResult:
        return await self._method_call(self.client.v1.payment_methods.update_async, method_id,
                                       {"card": {"exp_month": exp_month, "exp_year": exp_year}})

    async def detach(self, method_id: str) -> SetupResult:
        result = await self._method_call(self.client.v1.payment_methods.detach_async, method_id)
        if result.decline_code == MISSING:  # gone at Stripe already: what we wanted
            return SetupResult(Outcome.SUCCEEDED)
        return result

    async def charge(self, customer_id: str, method_id: str, amount: Decimal, currency: str,
                     idempotency_key: str, description: str = "") -> ChargeResult:
        params = {"amount": minor_units(amount, currency), "currency": currency.lower(), "customer": customer_id,
                  "payment_method": method_id, "off_session": True, "confirm": True,
                  "payment_method_types": ["card"], "description": description[:1000] or None}
        try:
            pi = await self.client.v1.payment_intents.create_async(
                {k: v for k, v in params.items() if v is not None}, {"idempotency_key": idempotency_key})
        except stripe.CardError as e:
            error = _error_body(e)
            outcome, decline = _declined(error)
            pi = error.get("payment_intent") or {}
            return ChargeResult(outcome, pi.get("id"), amount, currency.upper(),
                                client_secret=pi.get("client_secret") if outcome is Outcome.REQUIRES_ACTION else None,
                                decline_code=decline, message=error.get("message") or "")
        except stripe.StripeError as e:
            return ChargeResult(Outcome.ERROR, None, amount, currency.upper(), message=self._failed("charge", e))
        return _charge(_plain(pi))

    async def retrieve(self, charge_id: str) -> ChargeResult:
        try:
            return _charge(_plain(await self.client.v1.payment_intents.retrieve_async(charge_id)))
        except stripe.StripeError as e:
            return ChargeResult(Outcome.ERROR, charge_id, message=self._failed("retrieve", e))

    async def refund(self, charge_id: str, amount: Decimal, currency: str, idempotency_key: str) -> RefundResult:
        try:
            refund = await self.client.v1.refunds.create_async(
                {"payment_intent": charge_id, "amount": minor_units(amount, currency)},
                {"idempotency_key": idempotency_key})
        except stripe.StripeError as e:
            return RefundResult(Outcome.ERROR, message=self._failed("refund", e))
        refund = _plain(refund)
        status = refund.get("status")
        outcome = {"succeeded": Outcome.SUCCEEDED, "pending": Outcome.PENDING}.get(status, Outcome.ERROR)
        return RefundResult(outcome, refund["id"], from_minor_units(int(refund["amount"]), currency),
                            currency.upper(), message="" if outcome is not Outcome.ERROR else f"Refund {status}")

    async def _setup_call(self, call: Any, *args: Any) -> SetupResult:
        try:
            return _setup(_plain(await call(*args)))
        except stripe.CardError as e:
            error = _error_body(e)
            outcome, decline = _declined(error)
            si = error.get("setup_intent") or {}
            return SetupResult(outcome, si.get("id"), si.get("client_secret") if outcome is Outcome.REQUIRES_ACTION
                               else None, decline_code=decline, message=error.get("message") or "")
        except stripe.InvalidRequestError as e:  # no such token or setup: the request's fault, not Stripe's
            error = _error_body(e)
            return SetupResult(Outcome.ERROR if error.get("code") == MISSING else Outcome.DECLINED,
                               decline_code=error.get("code"), message=error.get("message") or "")
        except stripe.StripeError as e:
            return SetupResult(Outcome.ERROR, message=self._failed("setup", e))

    async def _method_call(self, call: Any, *args: Any) -> SetupResult:
        try:
            await call(*args)
        except stripe.CardError as e:
            error = _error_body(e)
            outcome, decline = _declined(error)
            return SetupResult(outcome, decline_code=decline, message=error.get("message") or "")
        except stripe.InvalidRequestError as e:
            error = _error_body(e)
            return SetupResult(Outcome.ERROR, decline_code=error.get("code"), message=error.get("message") or "")
        except stripe.StripeError as e:
            return SetupResult(Outcome.ERROR, message=self._failed("payment method", e))
        return SetupResult(Outcome.SUCCEEDED)

    @staticmethod
    def _failed(what: str, e: stripe.StripeError) -> str:
        # The type, status and request id only: Stripe's messages never carry the key, but ours do not either.
        log.warning("stripe: %s failed: %s %s (request %s)", what, type(e).__name__, e.http_status, e.request_id)
        return "The payment gateway could not be reached: try again later"
