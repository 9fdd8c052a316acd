"""The one catalogue of webhook events: each event's name, the object it carries, when it is sent,
and which fields of that object its payload holds (docs/webhook-events.md is generated from it).

A change reaches the catalogue through `outbox.note(session, change, ...)`: every audited action
(domain/audit.record), every subscription history entry (subscriptions/plans.event, also the
worker's renewals), and the few facts audited nowhere else (an invoice issued, paid or voided, a
credit note issued). CHANGES below maps those changes to events; a feature adds its events by
adding an EventType to EVENTS, its object to OBJECTS (if new) and its change names to CHANGES."""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from db.enums import OrderStatus
from db.models import (Account, CreditNote, Invoice, Membership, Order, Quote, ReturnRequest, Subscription,
                       SupportTicket)


@dataclass(frozen=True)
class ObjectKind:
    """An object events carry: its model, the name its global ID uses, the fields of its state
    (never a secret; only fields the named integration scope reads anyway)."""
    name: str
    model: Any
    fields: tuple[str, ...]
    scope: str
    # Foreign keys shown as the global ID of the object they name: column -> type name.
    links: tuple[tuple[str, str], ...] = ()


OBJECTS: dict[str, ObjectKind] = {o.name: o for o in (
    ObjectKind("Account", Account, ("name", "kind", "currency", "locale", "payment_terms_days", "requires_approval",
                                    "billing_country", "billing_business_name", "created_at"), "account:read"),
    ObjectKind("Membership", Membership, ("created_at",), "account:read",
               (("account_id", "Account"), ("user_id", "User"))),
    ObjectKind("Order", Order, ("number", "status", "po_number", "currency", "subtotal", "tax", "total", "placed_at",
                                "updated_at"), "orders:read",
               (("account_id", "Account"), ("location_id", "Location"))),
    ObjectKind("Return", ReturnRequest, ("status", "reason", "created_at"), "orders:read",
               (("account_id", "Account"), ("order_id", "Order"))),
    ObjectKind("Quote", Quote, ("number", "status", "currency", "expires_at", "responded_at"), "orders:read",
               (("account_id", "Account"), ("location_id", "Location"))),
    ObjectKind("Invoice", Invoice, ("number", "status", "currency", "subtotal", "tax", "total", "amount_paid",
                                    "amount_credited", "amount_due", "po_number", "issued_at", "due_date", "paid_at",
                                    "voided_at"), "invoices:read",
               (("account_id", "Account"), ("order_id", "Order"), ("subscription_id", "Subscription"))),
    ObjectKind("CreditNote", CreditNote, ("number", "status", "reason", "currency", "subtotal", "tax", "total",
                                          "issued_at"), "invoices:read",
               (("account_id", "Account"), ("invoice_id", "Invoice"))),
    ObjectKind("Subscription", Subscription, ("number", "status", "kind", "interval", "interval_count", "currency",
                                              "current_period_start", "current_period_end", "next_billing_at",
                                              "cancel_at_period_end", "paused_until", "cancelled_at", "created_at"),
               "subscriptions:read", (("account_id", "Account"), ("location_id", "Location"))),
    ObjectKind("SupportTicket", SupportTicket, ("number", "subject", "status", "priority", "escalated_at",
                                                "created_at", "updated_at"), "support:read",
               (("account_id", "Account"), ("location_id", "Location"), ("order_id", "Order"),
                ("invoice_id", "Invoice"), ("subscription_id", "Subscription"))),
)}


@dataclass(frozen=True)
class EventType:
    name: str
    object: str
    description: str


EVENTS: dict[str, EventType] = {e.name: e for e in (
    EventType("account.created", "Account", "Staff created a customer account."),
    EventType("account.updated", "Account", "An account's settings, billing details or ordering settings changed."),
    EventType("membership.created", "Membership", "A user joined an account (an invitation was accepted)."),
    EventType("membership.changed", "Membership", "A member's roles changed."),
    EventType("order.placed", "Order", "An order was placed (it may await approval)."),
    EventType("order.approved", "Order", "An order got its last approval and is open."),
    EventType("order.rejected", "Order", "An approver rejected an order."),
    EventType("order.changed", "Order", "An order's lines, PO number or note changed, or part of it shipped."),
    EventType("order.cancelled", "Order", "An order was cancelled."),
    EventType("order.fulfilled", "Order", "The last lines of an order were shipped."),
    EventType("order.delivered", "Order", "The carrier delivered a shipment of the order."),
    EventType("return.requested", "Return", "A customer requested a return of shipped lines."),
    EventType("return.refunded", "Return", "A received return was refunded."),
    EventType("quote.requested", "Quote", "A customer requested a quote."),
    EventType("quote.accepted", "Quote", "A customer accepted a quote (its order is placed)."),
    EventType("invoice.issued", "Invoice", "An invoice was finalised and numbered."),
    EventType("invoice.paid", "Invoice", "An invoice was paid in full."),
    EventType("invoice.voided", "Invoice", "An invoice was voided."),
    EventType("credit_note.issued", "CreditNote", "A credit note was issued against an invoice."),
    EventType("payment.failed", "Invoice", "Charging a card for an invoice failed (a renewal or a retry)."),
    EventType("subscription.created", "Subscription",
              "A subscription began (an ended one reactivated as a new subscription, with its first period billed)."),
    EventType("subscription.changed", "Subscription",
              "A subscription's plan, seats, item, cadence or skipped renewals changed, or a cancellation at "
              "the period end was scheduled or taken back."),
    EventType("subscription.paused", "Subscription", "A subscription was paused."),
    EventType("subscription.resumed", "Subscription", "A paused subscription resumed."),
    EventType("subscription.cancelled", "Subscription", "A subscription ended (cancelled, or its last cycle ran)."),
    EventType("subscription.renewed", "Subscription", "A subscription started a new period (its invoice was issued)."),
    EventType("ticket.opened", "SupportTicket", "A customer opened a support ticket."),
    EventType("ticket.answered", "SupportTicket", "Merchant staff answered a support ticket (not an internal note)."),
)}


# change -> the event, or a function of the changed object (and the change's facts) naming it or None.
Rule = str | Callable[[Any, dict[str, Any]], str | None]


def _approved(order: Order, facts: dict[str, Any]) -> str | None:
    return "order.approved" if order.status is not OrderStatus.PENDING_APPROVAL else None


def _shipped(order: Order, facts: dict[str, Any]) -> str:
    return "order.fulfilled" if order.status is OrderStatus.FULFILLED else "order.changed"


def _reactivated(sub: Subscription, facts: dict[str, Any]) -> str:
    return "subscription.created" if facts.get("fromSubscriptionId") else "subscription.changed"


def _shipment_event(order: Order, facts: dict[str, Any]) -> str | None:
    return "order.delivered" if facts.get("status") == "DELIVERED" else None


@dataclass(frozen=True)
class Change:
    rule: Rule
    object: str  # the object the event carries
    # How to find it from the change's target: its own id (None) or a fact naming it.
    via: str | None = None


CHANGES: dict[str, Change] = {
    "account.create": Change("account.created", "Account"),
    "account.update": Change("account.updated", "Account"),
    "account.billing_details": Change("account.updated", "Account"),
    "account.ordering_settings": Change("account.updated", "Account", via="account_id"),
    "membership.roles_granted": Change("membership.created", "Membership"),
    "membership.roles_changed": Change("membership.changed", "Membership"),
    "order.place": Change("order.placed", "Order"),
    "order.approve": Change(_approved, "Order"),
    "order.reject": Change("order.rejected", "Order"),
    "order.update": Change("order.changed", "Order"),
    "order.cancel": Change("order.cancelled", "Order"),
    "fulfilment.create": Change(_shipped, "Order", via="order_id"),
    "fulfilment.event": Change(_shipment_event, "Order", via="order_id"),
    "return.request": Change("return.requested", "Return"),
    "return.refund": Change("return.refunded", "Return"),
    "quote.request": Change("quote.requested", "Quote"),
    "quote.accept": Change("quote.accepted", "Quote"),
    "invoice.issued": Change("invoice.issued", "Invoice"),
    "invoice.paid": Change("invoice.paid", "Invoice"),
    "invoice.voided": Change("invoice.voided", "Invoice"),
    "credit_note.issued": Change("credit_note.issued", "CreditNote"),
    "support.ticket.open": Change("ticket.opened", "SupportTicket"),
    "support.ticket.answer": Change("ticket.answered", "SupportTicket"),  # an internal note is support.ticket.note
    # The subscription history (domain/subscriptions/plans.EventKind and renewals.RenewalEvent).
    "subscription.PLAN_CHANGED": Change("subscription.changed", "Subscription"),
    "subscription.PLAN_CHANGE_SCHEDULED": Change("subscription.changed", "Subscription"),
    "subscription.PENDING_CHANGE_CANCELLED": Change("subscription.changed", "Subscription"),
    "subscription.SKIPPED": Change("subscription.changed", "Subscription"),
    "subscription.UNSKIPPED": Change("subscription.changed", "Subscription"),
    "subscription.CADENCE_CHANGED": Change("subscription.changed", "Subscription"),
    "subscription.ITEM_CHANGED": Change("subscription.changed", "Subscription"),
    "subscription.CANCEL_SCHEDULED": Change("subscription.changed", "Subscription"),
    "subscription.REACTIVATED": Change(_reactivated, "Subscription"),
    "subscription.NEXT_DATE_CHANGED": Change("subscription.changed", "Subscription"),
    "subscription.ADD_ON_ADDED": Change("subscription.changed", "Subscription"),
    "subscription.ORDERED_NOW": Change("subscription.changed", "Subscription"),
    "subscription.OFFER_ACCEPTED": Change("subscription.changed", "Subscription"),
    "subscription.PAUSED": Change("subscription.paused", "Subscription"),
    "subscription.RESUMED": Change("subscription.resumed", "Subscription"),
    "subscription.CANCELLED": Change("subscription.cancelled", "Subscription"),
    "subscription.EXPIRED": Change("subscription.cancelled", "Subscription"),
    "subscription.DUNNING_EXHAUSTED": Change("subscription.cancelled", "Subscription"),
    "subscription.RENEWED": Change("subscription.renewed", "Subscription"),
    "subscription.PAYMENT_FAILED": Change("payment.failed", "Invoice", via="invoice_id"),
}


def check() -> None:
    """Every change names a catalogued event of the object it carries (tests call it)."""
    for name, change in CHANGES.items():
        assert change.object in OBJECTS, name
        if isinstance(change.rule, str):
            assert EVENTS[change.rule].object == change.object, name
