"""A loopback HTTP server that answers as Stripe's API documents (https://docs.stripe.com/api):
form-encoded requests, JSON objects (`object: setup_intent`, `payment_intent`, ...), and errors as
`{"error": {"type": "card_error", "code": ..., "decline_code": ..., "message": ...,
"payment_intent" | "setup_intent": {...}}}` with HTTP 402 (a card's failure) or 404
(`invalid_request_error`, `resource_missing`).

Which card does what follows Stripe's test tokens and PaymentMethods (tok_visa, pm_card_visa,
tok_chargeDeclined, pm_card_chargeDeclinedInsufficientFunds, tok_threeDSecureRequired,
pm_card_authenticationRequired, ...). Every request is recorded (method, path, headers, form)."""
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse

CARDS = {"visa": ("visa", "4242"), "mastercard": ("mastercard", "4444"), "chargeDeclined": ("visa", "0002"),
         "chargeDeclinedInsufficientFunds": ("visa", "9995"), "threeDSecureRequired": ("visa", "3155"),
         "authenticationRequired": ("visa", "3184"), "chargeDeclinedExpiredCard": ("visa", "0069")}
DECLINES = {"chargeDeclined": ("card_declined", "generic_decline", "Your card was declined."),
            "chargeDeclinedInsufficientFunds": ("card_declined", "insufficient_funds",
                                                "Your card has insufficient funds."),
            "chargeDeclinedExpiredCard": ("expired_card", None, "Your card has expired.")}


def _kind(ref: str) -> str:
    """tok_visa, pm_card_visa, pm_<kind>_<n> -> visa."""
    for prefix in ("tok_", "pm_card_", "pm_"):
        if ref.startswith(prefix):
            ref = ref.removeprefix(prefix)
            break
    return ref.rsplit("_", 1)[0] if ref not in CARDS and "_" in ref else ref


class StripeState:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.setups: dict[str, dict[str, Any]] = {}
        self.intents: dict[str, dict[str, Any]] = {}
        self.by_key: dict[str, tuple[int, dict[str, Any]]] = {}
        self.n = 0

    def next_id(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}_{self.n:06d}LOOPBACK"


def _payment_method(pm_id: str, kind: str) -> dict[str, Any]:
    brand, last4 = CARDS[kind]
    return {"id": pm_id, "object": "payment_method", "type": "card", "customer": None,
            "card": {"brand": brand, "last4": last4, "exp_month": 12, "exp_year": 2034, "funding": "credit",
                     "country": "US"}, "livemode": False, "metadata": {}}


def _card_error(code: str, decline: str | None, message: str, **objects: Any) -> tuple[int, dict[str, Any]]:
    error = {"type": "card_error", "code": code, "message": message,
             "doc_url": f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}", **objects}
    if decline:
        error["decline_code"] = decline
    return 402, {"error": error}


def _missing(what: str, ident: str) -> tuple[int, dict[str, Any]]:
    return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing", "param": "intent",
                           "message": f"No such {what}: '{ident}'"}}


def answer(state: StripeState, method: str, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    parts = path.strip("/").split("/")[1:]  # without "v1"
    if method == "POST" and parts == ["customers"]:
        return 200, {"id": state.next_id("cus"), "object": "customer", "name": form.get("name"),
                     "metadata": {"portalql_account": form.get("metadata[portalql_account]")}, "livemode": False}
    if parts[:1] == ["setup_intents"]:
        if method == "GET" and len(parts) == 2:
            si = state.setups.get(parts[1])
            return (200, si) if si else _missing("setupintent", parts[1])
        if method == "POST" and len(parts) == 1:
            return _create_setup(state, form)
    if parts[:1] == ["payment_intents"]:
        if method == "GET" and len(parts) == 2:
            pi = state.intents.get(parts[1])
            return (200, pi) if pi else _missing("payment_intent", parts[1])
        if method == "POST" and len(parts) == 1:
            return _create_intent(state, form)
    if parts[:1] == ["payment_methods"] and method == "POST" and len(parts) >= 2:
        kind = _kind(parts[1])
        if kind not in CARDS:
            return _missing("payment_method", parts[1])
        pm = _payment_method(parts[1], kind)
        if len(parts) == 2 and "card[exp_month]" in form:
            pm["card"].update(exp_month=int(form["card[exp_month]"]), exp_year=int(form["card[exp_year]"]))
        return 200, pm
    if parts == ["refunds"] and method == "POST":
        pi = state.intents.get(form.get("payment_intent", ""))
        if pi is None:
            return _missing("payment_intent", form.get("payment_intent", ""))
        return 200, {"id": state.next_id("re"), "object": "refund", "amount": int(form["amount"]),
                     "currency": pi["currency"], "payment_intent": pi["id"], "status": "succeeded"}
    return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL ({method}: {path})"}}


def _create_setup(state: StripeState, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    si_id = state.next_id("seti")
    si: dict[str, Any] = {"id": si_id, "object": "setup_intent", "client_secret": f"{si_id}_secret_LOOPBACK",
                          "customer": form.get("customer"), "usage": form.get("usage", "off_session"),
                          "status": "requires_payment_method", "payment_method": None, "next_action": None,
                          "last_setup_error": None, "payment_method_types": ["card"], "livemode": False,
                          "metadata": {"portalql_account": form.get("metadata[portalql_account]")}}
    ref = form.get("payment_method_data[card][token]") or form.get("payment_method")
    if form.get("confirm") == "true" and ref:
        kind = _kind(ref)
        if kind not in CARDS:
            return 400, {"error": {"type": "invalid_request_error", "code": "token_already_used"
                                   if ref.startswith("tok_") else "resource_missing", "message": f"No such token: '{ref}'"}}
        pm = _payment_method(state.next_id(f"pm_{kind}"), kind)
        if kind in DECLINES:
            code, decline, message = DECLINES[kind]
            failed = {**si, "last_setup_error": {"type": "card_error", "code": code, "decline_code": decline,
                                                  "message": message}}
            state.setups[si_id] = failed
            return _card_error(code, decline, message, setup_intent=failed)
        if kind == "threeDSecureRequired":
            si.update(status="requires_action", payment_method=pm["id"],
                      next_action={"type": "use_stripe_sdk", "use_stripe_sdk": {"type": "three_d_secure_redirect"}})
        else:
            si.update(status="succeeded", payment_method=pm if "expand[0]" in form else pm["id"])
    state.setups[si_id] = si
    return 200, si


def _create_intent(state: StripeState, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    pi_id = state.next_id("pi")
    kind = _kind(form.get("payment_method", ""))
    pi: dict[str, Any] = {"id": pi_id, "object": "payment_intent", "amount": int(form["amount"]),
                          "currency": form["currency"], "customer": form.get("customer"),
                          "payment_method": form.get("payment_method"), "client_secret": f"{pi_id}_secret_LOOPBACK",
                          "confirmation_method": "automatic", "status": "succeeded", "next_action": None,
                          "last_payment_error": None, "livemode": False, "metadata": {}}
    if kind in DECLINES:
        code, decline, message = DECLINES[kind]
        pi.update(status="requires_payment_method",
                  last_payment_error={"type": "card_error", "code": code, "decline_code": decline, "message": message})
        state.intents[pi_id] = pi
        return _card_error(code, decline, message, payment_intent=pi)
    if kind == "authenticationRequired":  # off-session: Stripe answers 402 authentication_required
        pi.update(status="requires_payment_method",
                  last_payment_error={"type": "card_error", "code": "authentication_required",
                                      "decline_code": "authentication_required",
                                      "message": "Your card was declined. This transaction requires authentication."})
        state.intents[pi_id] = pi
        return _card_error("authentication_required", "authentication_required",
                           "Your card was declined. This transaction requires authentication.", payment_intent=pi)
    if kind == "threeDSecureRequired":
        pi.update(status="requires_action",
                  next_action={"type": "use_stripe_sdk", "use_stripe_sdk": {"type": "three_d_secure_redirect"}})
    state.intents[pi_id] = pi
    return 200, pi


@contextmanager
def stripe_server() -> Iterator[tuple[str, StripeState]]:
    """(the server's base URL, its state) while running."""
    state = StripeState()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            url = urlparse(self.path)
            form = dict(parse_qsl(raw or url.query, keep_blank_values=True))
            key = self.headers.get("idempotency-key")
            state.requests.append({"method": method, "path": url.path, "form": form,
                                   "headers": {k.lower(): v for k, v in self.headers.items()}})
            if key and method == "POST" and key in state.by_key:  # Stripe replays the first answer
                status, body = state.by_key[key]
            else:
                status, body = answer(state, method, url.path, form)
                if key and method == "POST":
                    state.by_key[key] = (status, body)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("request-id", f"req_{len(state.requests)}")
            if key:
                self.send_header("idempotency-key", key)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def do_DELETE(self) -> None:  # noqa: N802
            self._serve("DELETE")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
