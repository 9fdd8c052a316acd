"""Which emails a person receives: the categories they can turn off, the one table that puts every
mail template in a category or makes it ESSENTIAL (always sent), and the one-click unsubscribe
links (RFC 8058) that non-essential mail carries.

Preferences are honoured where mail is sent (domain.mailer.drain), not where it is queued: that
is one place for every template, also those added later, without each of the places that queue
mail looking the recipient up; a choice made while a message waits in the outbox (a reminder
queued, then "unsubscribe") still counts; and the unsubscribe link names the queued message, so
each link works once. A message not sent because of a preference stays in the outbox as SKIPPED."""
import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from db.models import OutboxMessage, User
from db.repositories import notifications as repo
from db.repositories.base import lock_row
from domain import audit
from domain.audit import Actor
from domain.errors import Problem, Rejected, reject


class Category(StrEnum):
    ORDER_CONFIRMATION = "ORDER_CONFIRMATION"      # order placed, approved or rejected
    SHIPPING = "SHIPPING"                          # shipped and delivered
    APPROVALS = "APPROVALS"                        # orders waiting for the recipient's approval
    QUOTES = "QUOTES"                              # a quote is ready
    INVOICES = "INVOICES"                          # invoices and credit notes issued, reminders
    SUBSCRIPTION_RENEWALS = "SUBSCRIPTION_RENEWALS"  # a renewal is coming up
    SUPPORT_REPLIES = "SUPPORT_REPLIES"            # replies to the person's support tickets
    MARKETING = "MARKETING"                        # news and offers: off unless chosen


ESSENTIAL = "ESSENTIAL"  # legal and security mail, and mail to the merchant's staff: always sent

DEFAULTS: dict[Category, bool] = {c: c is not Category.MARKETING for c in Category}

# Every template under i18n/mail/ has a row (tests/domain/test_notifications.py checks it); a
# message whose template has none fails instead of being sent unsorted.
TEMPLATES: dict[str, Category | str] = {
    # Identity and security: sign-in links, codes, password and second-factor changes.
    "account_exists": ESSENTIAL, "invitation": ESSENTIAL, "magic_link": ESSENTIAL, "password_changed": ESSENTIAL,
    "password_reset": ESSENTIAL, "two_factor_disabled": ESSENTIAL, "two_factor_enabled": ESSENTIAL,
    "verify_email": ESSENTIAL, "email_change_confirm": ESSENTIAL, "email_changed_notice": ESSENTIAL,
    # Money owed or taken: receipts, a failed charge, a card about to expire.
    "payment_receipt": ESSENTIAL, "subscription_payment_failed": ESSENTIAL, "payment_method_expiring": ESSENTIAL,
    # Answers to a return the person requested, one of them about their refund.
    "return_requested": ESSENTIAL, "return_approved": ESSENTIAL, "return_declined": ESSENTIAL,
    "return_received": ESSENTIAL, "return_refunded": ESSENTIAL,
    # To the merchant's staff address (PORTALQL_STAFF_NOTIFY_EMAIL, which is their on/off).
    "quote_requested": ESSENTIAL, "webhook_endpoint_disabled": ESSENTIAL, "support_ticket_opened": ESSENTIAL,
    "order_placed": Category.ORDER_CONFIRMATION, "order_approved": Category.ORDER_CONFIRMATION,
    "order_rejected": Category.ORDER_CONFIRMATION,
    "order_shipped": Category.SHIPPING, "order_delivered": Category.SHIPPING,
    "order_awaiting_approval": Category.APPROVALS,
    "quote_ready": Category.QUOTES,
    "invoice_issued": Category.INVOICES, "invoice_due_soon": Category.INVOICES,
    "invoice_overdue": Category.INVOICES, "credit_note_issued": Category.INVOICES,
    "subscription_renewal_upcoming": Category.SUBSCRIPTION_RENEWALS,
    "support_reply": Category.SUPPORT_REPLIES,
}


class UnknownTemplate(Exception):
    """A template with no row in TEMPLATES."""


def category_of(template: str) -> Category | None:
    """The template's category; None when it is essential."""
    try:
        found = TEMPLATES[template]
    except KeyError:
        raise UnknownTemplate(f"no notification category for template {template!r} "
                              "(add it to domain.notifications.TEMPLATES)") from None
    return found if isinstance(found, Category) else None


class NotificationErrorCode(StrEnum):
    INVALID_TOKEN = "INVALID_TOKEN"        # not a link we made (forged, mistyped, or cut off)
    USED_TOKEN = "USED_TOKEN"              # the link was used already
    DUPLICATE_CATEGORY = "DUPLICATE_CATEGORY"


E = NotificationErrorCode


# Preferences ------------------------------------------------------------------------------------

def effective(chosen: dict[str, bool]) -> dict[Category, bool]:
    """Every category's setting: the person's choice, else the default."""
    return {c: chosen.get(c.value, on) for c, on in DEFAULTS.items()}


async def preferences(session: Any, user_id: int) -> dict[Category, bool]:
    return effective((await repo.choices(session, [user_id]))[user_id])


async def update(session: Any, user_id: int, changes: list[tuple[Category, bool]], now: datetime,
                 actor: Actor) -> dict[Category, bool]:
    """Set the named categories of the user's own preferences; the others stay as they are."""
    seen: set[Category] = set()
    problems = []
    for i, (category, _) in enumerate(changes):
        if category in seen:
            problems.append(Problem(E.DUPLICATE_CATEGORY, f"{category.value} is named twice",
                                    ("input", "preferences", str(i), "category")))
        seen.add(category)
    if problems:
        raise Rejected(*problems)
    await repo.set_choices(session, user_id, {c.value: on for c, on in changes}, now)
    audit.record(session, actor, "notifications.update", now, target_type="User", target_id=user_id,
                 changes={c.value: on for c, on in changes})
    return await preferences(session, user_id)


# Unsubscribe links ------------------------------------------------------------------------------

def _key(secret_key: str) -> bytes:
    # Its own key from PORTALQL_SECRET_KEY (as domain.identity.sealing derives one), so a link's
    # signature says nothing about the server's other keys.
    return hashlib.sha256(b"portalql/unsubscribe/v1:" + secret_key.encode()).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _sign(secret_key: str, payload: str) -> str:
    return _b64(hmac.new(_key(secret_key), payload.encode(), hashlib.sha256).digest()[:20])


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    category: Category
    message_id: int


def make_token(secret_key: str, u: Unsubscribe) -> str:
    payload = f"{u.user_id}.{u.category.value}.{u.message_id}"
    return f"{payload}.{_sign(secret_key, payload)}"


def read_token(secret_key: str, token: str) -> Unsubscribe | None:
    """What a link says, when we signed it; None for anything else."""
    if len(token) > 120:
        return None
    payload, _, signature = token.rpartition(".")
    if not hmac.compare_digest(_sign(secret_key, payload).encode(), signature.encode()):
        return None
    try:  # ours, but perhaps of a category since removed
        user_id, category, message_id = payload.split(".")
        return Unsubscribe(int(user_id), Category(category), int(message_id))
    except ValueError:
        return None


@dataclass(frozen=True)
class Links:
    """Where unsubscribe links point (PORTALQL_PUBLIC_URL) and the key they are signed with
    (PORTALQL_SECRET_KEY); the defaults are the development settings'."""

    public_url: str = "http://localhost:8000"
    secret_key: str = "portalql-development-key-not-for-production-use"

    def url(self, u: Unsubscribe) -> str:
        return f"{self.public_url.rstrip('/')}/unsubscribe/{make_token(self.secret_key, u)}"


DEVELOPMENT_LINKS = Links()


async def check_link(session: Any, secret_key: str, token: str) -> tuple[Unsubscribe, User]:
    """The link's user and category, for the confirmation page; INVALID_ or USED_TOKEN else."""
    found = read_token(secret_key, token)
    user = await session.get(User, found.user_id) if found else None
    if found is None or user is None:
        raise reject(E.INVALID_TOKEN, "This unsubscribe link is not valid", "token")
    if await repo.link_used(session, found.message_id):
        raise reject(E.USED_TOKEN, "This unsubscribe link was used already", "token")
    return found, user


async def unsubscribe(session: Any, secret_key: str, token: str, now: datetime, actor: Actor) -> tuple[Unsubscribe, User]:
    """Turn off the one category the link names, for its user; no sign-in (the signature is the
    proof). A forged link is INVALID_TOKEN and a used one USED_TOKEN, and nothing changes."""
    found = read_token(secret_key, token)
    user = await lock_row(session, User, found.user_id) if found else None
    if found is None or user is None:
        raise reject(E.INVALID_TOKEN, "This unsubscribe link is not valid", "token")
    if not await repo.mark_link_used(session, found.message_id, found.user_id, found.category.value, now):
        raise reject(E.USED_TOKEN, "This unsubscribe link was used already", "token")
    await repo.set_choices(session, found.user_id, {found.category.value: False}, now)
    audit.record(session, Actor(actor.kind, found.user_id, actor.ip, actor.user_agent), "notifications.unsubscribe",
                 now, target_type="User", target_id=found.user_id, category=found.category.value,
                 message_id=found.message_id)
    return found, user


# What the sender does with each message ---------------------------------------------------------

@dataclass(frozen=True)
class Decision:
    send: bool
    category: Category | None = None
    unsubscribe_url: str | None = None
    reason: str | None = None  # why not sent


async def decide(session: Any, messages: list[OutboxMessage], links: Links) -> dict[int, Decision]:
    """Per message id: send it (with its unsubscribe link when it is not essential) or skip it.
    Two statements for a batch: the recipients by address, then their choices. A message whose
    template has no category is left out (the sender fails it)."""
    sorted_: dict[int, Category | None] = {}
    for m in messages:
        try:
            sorted_[m.id] = category_of(m.template)  # type: ignore[index]
        except UnknownTemplate:
            continue
    optional = [m.to_address for m in messages if sorted_.get(m.id) is not None]  # type: ignore[arg-type]
    users = await repo.users_by_email(session, optional)
    chosen = await repo.choices(session, [u.id for u in users.values()])  # type: ignore[misc]
    out: dict[int, Decision] = {}
    for m in messages:
        pk: int = m.id  # type: ignore[assignment]
        if pk not in sorted_:
            continue
        category = sorted_[pk]
        user = users.get(m.to_address)
        if category is None:
            out[pk] = Decision(True)
        elif user is None:  # the address is no one's any more (changed, or the user removed)
            out[pk] = Decision(False, category, reason="no user has this address")
        elif not effective(chosen[user.id])[category]:  # type: ignore[index]
            out[pk] = Decision(False, category, reason=f"{category.value} turned off by the recipient")
        else:
            out[pk] = Decision(True, category, links.url(Unsubscribe(user.id, category, pk)))  # type: ignore[arg-type]
    return out
