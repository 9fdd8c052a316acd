"""The emails an order sends the buyer who placed it: received (its lines and totals), shipped
(carrier and tracking link) and delivered. Each in the buyer's language (the user's locale, else
the account's), queued in the outbox in the transaction of the change. An order placed by an
integration, with no person behind it, sends none.

Approvals (waiting, approved, rejected) are in domain.ordering, returns in domain.return_mail,
invoices in domain.invoice_mail; whether a person receives them is domain.notifications'."""
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from db.enums import OrderStatus
from db.models import Account, Fulfilment, Order, OrderLine, User
from db.repositories import ordering as repo
from domain import mail
from i18n.formatting import format_date, format_money

STATUS_TEXT = {
    "en": {OrderStatus.OPEN: "We are preparing it now.",
           OrderStatus.PENDING_APPROVAL: "It waits for approval in your account; we will write again once it is "
                                         "approved."},
    "de": {OrderStatus.OPEN: "Wir bereiten sie jetzt vor.",
           OrderStatus.PENDING_APPROVAL: "Sie wartet auf eine Freigabe in Ihrem Konto; wir schreiben Ihnen wieder, "
                                         "sobald sie freigegeben ist."},
}


def _language(locale: str) -> str:
    return locale.replace("-", "_").split("_")[0]


def line_list(lines: Iterable[tuple[OrderLine, int]], locale: str, *, amounts: bool) -> str:
    """One line per order line: '2 × Title (SKU): 24.00 €' (the amount only where it is charged)."""
    out = []
    for line, quantity in lines:
        text = f"{quantity} × {line.title} ({line.sku})"
        if amounts:
            text += f": {format_money(line.total, line.currency, locale)}"
        out.append(text)
    return "\n".join(out)


async def _buyer(session: Any, order: Order) -> tuple[User, str] | None:
    if order.placed_by_user_id is None:
        return None
    buyer = await repo.user(session, order.placed_by_user_id)
    if buyer is None:
        return None
    account = await session.get(Account, order.account_id)
    return buyer, buyer.locale or account.locale or "en"


def _common(order: Order, buyer: User, locale: str) -> dict[str, str]:
    return {"name": buyer.name, "number": order.number, "po_number": order.po_number or "-"}


async def placed(session: Any, order: Order, location_name: str, lines: list[OrderLine], now: datetime) -> None:
    """'Order received', with its lines and totals, whether it is open or waits for approval."""
    found = await _buyer(session, order)
    if found is None:
        return
    buyer, locale = found
    status = STATUS_TEXT.get(_language(locale), STATUS_TEXT["en"]).get(order.status, "")
    money = {k: format_money(getattr(order, k), order.currency, locale) for k in ("subtotal", "tax", "total")}
    mail.enqueue(session, to=buyer.email, template="order_placed", now=now, locale=locale,
                 **_common(order, buyer, locale), placed_on=format_date(order.placed_at.date(), locale, "long"),
                 location=location_name, status=status,
                 lines=line_list(((line, line.quantity) for line in lines), locale, amounts=True), **money)


async def shipped(session: Any, order: Order, fulfilment: Fulfilment, lines: list[tuple[OrderLine, int]],
                  now: datetime) -> None:
    found = await _buyer(session, order)
    if found is None:
        return
    buyer, locale = found
    mail.enqueue(session, to=buyer.email, template="order_shipped", now=now, locale=locale,
                 **_common(order, buyer, locale), carrier=fulfilment.carrier or "-",
                 tracking_number=fulfilment.tracking_number or "-", tracking_url=fulfilment.tracking_url or "-",
                 shipped_on=format_date(fulfilment.shipped_at.date(), locale, "long"),  # type: ignore[union-attr]
                 estimated_delivery=format_date(fulfilment.estimated_delivery_at.date(), locale, "long")
                 if fulfilment.estimated_delivery_at else "-",
                 lines=line_list(lines, locale, amounts=False))


async def delivered(session: Any, order: Order, fulfilment: Fulfilment, now: datetime) -> None:
    found = await _buyer(session, order)
    if found is None:
        return
    buyer, locale = found
    mail.enqueue(session, to=buyer.email, template="order_delivered", now=now, locale=locale,
                 **_common(order, buyer, locale), carrier=fulfilment.carrier or "-",
                 tracking_number=fulfilment.tracking_number or "-",
                 delivered_on=format_date((fulfilment.delivered_at or now).date(), locale, "long"))
