"""The emails a return sends its requester as its status changes (queued in the outbox)."""
from datetime import datetime
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Account, Order, ReturnRequest, User
from domain.mail import enqueue
from i18n.formatting import format_date, format_money

TEMPLATES = {"REQUESTED": "return_requested", "APPROVED": "return_approved", "DECLINED": "return_declined",
             "RECEIVED": "return_received", "REFUNDED": "return_refunded"}


def _locale(account: Account, user: User) -> str:
    return (user.locale or account.locale or "en").split("-")[0].split("_")[0]


async def notify(session: AsyncSession, ret: ReturnRequest, order: Order, now: datetime, *,
                 note: str | None = None, refund: Decimal | None = None) -> None:
    """Queue the email for the return's current status; nothing when no one requested it."""
    account = await session.get(Account, order.account_id)
    user = await session.get(User, ret.requested_by_user_id) if ret.requested_by_user_id else None
    if user is None:
        return
    locale = _locale(account, user)
    params = {"name": user.name, "return_number": ret.number, "order_number": order.number,
              "date": format_date(now.date(), locale, "long"), "note": note or "-"}
    if refund is not None:
        params["amount"] = format_money(refund, ret.currency, locale)
    enqueue(session, to=user.email, template=TEMPLATES[ret.status.value], now=now, locale=locale, **params)
