"""Quotes: requested by a buyer, answered by staff with prices and an expiry, then accepted
(an order at the quoted prices, through approvals like any order) or declined."""
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from db.models import Location, Order, ProductVariant, Quote, QuoteLine
from db.models.quotes import QuoteStatus
from db.repositories import ordering as order_repo
from db.repositories.quotes import quote_lines
from domain import audit, mail
from domain.audit import Actor
from domain.errors import Problem, Rejected, reject
from domain.invoicing import MerchantSettings
from domain.money import round_to_minor
from domain.ordering import MAX_LINES, NOTE_MAX, LineRequest, Placement, PricedLine, Pricer, place, price_lines, problem
from domain.ordering import OrderErrorCode as OE
from domain.pricing import QuantityRuleData
from i18n.formatting import format_date, format_money

MAX_VALIDITY_DAYS = 365
OPEN = (QuoteStatus.REQUESTED, QuoteStatus.QUOTED)


class QuoteErrorCode(StrEnum):
    QUOTE_NOT_FOUND = "QUOTE_NOT_FOUND"
    QUOTE_EXPIRED = "QUOTE_EXPIRED"
    QUOTE_NOT_OPEN = "QUOTE_NOT_OPEN"
    QUOTE_CLOSED = "QUOTE_CLOSED"
    INVALID_EXPIRY = "INVALID_EXPIRY"
    INVALID_PRICE = "INVALID_PRICE"
    MISSING_PRICE = "MISSING_PRICE"


Q = QuoteErrorCode


def _check_open(quote: Quote) -> None:
    if quote.status not in OPEN:
        raise reject(Q.QUOTE_CLOSED, f"Quote {quote.number} is {quote.status.value}", "input", "quoteId")


def is_expired(quote: Quote, now: datetime) -> bool:
    return quote.status is QuoteStatus.QUOTED and quote.expires_at is not None and quote.expires_at <= now


def _no_maximum(pricer: Pricer) -> Pricer:
    """Quotes are how buyers ask for more than the maximum: keep minimum and increment only."""
    async def price(location_id: int, variant: ProductVariant, qty: int) -> Any:
        unit, rule = await pricer(location_id, variant, qty)
        return unit, QuantityRuleData(rule.minimum, None, rule.increment)
    return price


async def request(session: Any, account_id: int, currency: str, location: Location, user_id: int | None,
                  requests: list[LineRequest], note: str | None, pricer: Pricer, now: datetime,
                  actor: Actor, merchant: MerchantSettings) -> Quote:
    problems: list[Problem] = []
    if not requests:
        problems.append(problem(OE.EMPTY, "A quote needs at least one line", "input", "lines"))
    if len(requests) > MAX_LINES:
        raise reject(OE.TOO_MANY_LINES, f"A quote has at most {MAX_LINES} lines", "input", "lines")
    if note is not None and len(note) > NOTE_MAX:
        problems.append(problem(OE.NOTE_TOO_LONG, f"A note has at most {NOTE_MAX} characters", "input", "note"))
    priced, line_problems = await price_lines(session, location.id, currency, requests, _no_maximum(pricer))  # type: ignore[arg-type]
    problems += line_problems
    if problems:
        raise Rejected(*problems)
    quote = Quote(number=f"tmp-{uuid.uuid4().hex[:24]}", account_id=account_id, location_id=location.id,  # type: ignore[arg-type]
                  requested_by_user_id=user_id, status=QuoteStatus.REQUESTED, currency=currency,
                  note=note or None, created_at=now, updated_at=now)
    session.add(quote)
    await session.flush()
    quote.number = f"Q-{100000 + quote.id}"  # type: ignore[operator]
    for position, p in enumerate(priced):
        session.add(QuoteLine(quote_id=quote.id, variant_id=p.variant.id, sku=p.variant.sku, title=p.title,  # type: ignore[arg-type]
                              quantity=p.quantity, position=position))
    audit.record(session, actor, "quote.request", now, account_id=account_id, target_type="Quote",
                 target_id=quote.id, number=quote.number)
    if merchant.staff_notify_email:
        await _notify_staff(session, quote, location, priced, merchant, now)
    return quote


async def _notify_staff(session: Any, quote: Quote, location: Location, lines: list[PricedLine],
                        merchant: MerchantSettings, now: datetime) -> None:
    """Tell the merchant's staff address that a quote waits to be priced."""
    locale = merchant.staff_notify_locale
    account = await order_repo.account(session, quote.account_id)
    requester = await order_repo.user(session, quote.requested_by_user_id) if quote.requested_by_user_id else None
    mail.enqueue(session, to=merchant.staff_notify_email, template="quote_requested", now=now,  # type: ignore[arg-type]
                 locale=locale, number=quote.number, account=account.name, location=location.name,
                 requested_by=requester.name if requester else "-",
                 requested_on=format_date(now.date(), locale, "long"), note=quote.note or "-",
                 lines="\n".join(f"{p.quantity} × {p.title} ({p.variant.sku})" for p in lines))


@dataclass
class PriceAnswer:
    line_id: int
    unit_price: Decimal
    field: list[str]


async def respond(session: Any, quote: Quote, answers: list[PriceAnswer], expires_at: datetime,
                  note: str | None, staff_user_id: int | None, now: datetime, actor: Actor) -> Quote:
    _check_open(quote)
    problems: list[Problem] = []
    if expires_at <= now:
        problems.append(problem(Q.INVALID_EXPIRY, "The expiry must be in the future", "input", "expiresAt"))
    elif (expires_at - now).days > MAX_VALIDITY_DAYS:
        problems.append(problem(Q.INVALID_EXPIRY, f"A quote is valid for at most {MAX_VALIDITY_DAYS} days",
                                "input", "expiresAt"))
    if note is not None and len(note) > NOTE_MAX:
        problems.append(problem(OE.NOTE_TOO_LONG, f"A note has at most {NOTE_MAX} characters", "input", "note"))
    lines = {line.id: line for line in await quote_lines(session, quote.id)}  # type: ignore[arg-type]
    given = {}
    for a in answers:
        if a.line_id not in lines:
            problems.append(problem(OE.LINE_NOT_FOUND, "No such line on this quote", *a.field, "lineId"))
        elif a.unit_price < 0 or a.unit_price != a.unit_price.quantize(Decimal("0.0001")):
            problems.append(problem(Q.INVALID_PRICE, "A unit price is zero or more, with at most 4 decimals",
                                    *a.field, "unitPrice"))
        else:
            given[a.line_id] = a.unit_price
    missing = [line for lid, line in lines.items() if lid not in given]
    if missing and not problems:
        problems.append(problem(Q.MISSING_PRICE, "Price every line: " + ", ".join(line.sku for line in missing),
                                "input", "lines"))
    if problems:
        raise Rejected(*problems)
    for lid, price in given.items():
        lines[lid].unit_price = price
        session.add(lines[lid])
    quote.status = QuoteStatus.QUOTED
    quote.expires_at = expires_at
    quote.response_note = note or None
    quote.responded_by_user_id = staff_user_id
    quote.responded_at = quote.updated_at = now
    session.add(quote)
    audit.record(session, actor, "quote.respond", now, account_id=quote.account_id, target_type="Quote",
                 target_id=quote.id, expires_at=expires_at.isoformat())
    await _notify(session, quote, "quote_ready", now, sum(
        (round_to_minor(p * lines[lid].quantity, quote.currency) for lid, p in given.items()), Decimal(0)))
    return quote


async def accept(session: Any, quote: Quote, user_id: int | None, po_number: str | None,
                 note: str | None, shipping_address_id: int | None, now: datetime, actor: Actor,
                 merchant: MerchantSettings, book_address_id: int | None = None) -> Order:
    """A quoted, unexpired quote (read under lock) becomes an order at its prices, through approvals
    and credit checks like any order."""
    if is_expired(quote, now):
        raise reject(Q.QUOTE_EXPIRED, f"Quote {quote.number} expired; request a new one", "input", "quoteId")
    if quote.status is not QuoteStatus.QUOTED:
        raise reject(Q.QUOTE_NOT_OPEN, f"Quote {quote.number} is {quote.status.value}: only a quoted quote can be "
                     "accepted", "input", "quoteId")
    lines = await quote_lines(session, quote.id)  # type: ignore[arg-type]
    variants = {v.id: v for v, _ in await order_repo.variants_for(session, [line.variant_id for line in lines], [])}
    priced = [PricedLine(variants[line.variant_id], line.title, line.quantity, line.unit_price or Decimal(0),
                         quote.currency) for line in lines]
    location = await order_repo.location(session, quote.location_id)
    order = await place(session, Placement(quote.account_id, location, user_id, priced, po_number,
                                           note or quote.note, shipping_address_id, source="quote",
                                           book_address_id=book_address_id),
                        now, actor, merchant)
    quote.status = QuoteStatus.ACCEPTED
    quote.order_id = order.id
    quote.updated_at = now
    session.add(quote)
    audit.record(session, actor, "quote.accept", now, account_id=quote.account_id, target_type="Quote",
                 target_id=quote.id, order_id=order.id)
    return order


async def decline(session: Any, quote: Quote, reason: str | None, now: datetime, actor: Actor) -> Quote:
    _check_open(quote)
    if reason is not None and len(reason) > NOTE_MAX:
        raise reject(OE.REASON_TOO_LONG, f"A reason has at most {NOTE_MAX} characters", "input", "reason")
    quote.status = QuoteStatus.DECLINED
    quote.updated_at = now
    session.add(quote)
    audit.record(session, actor, "quote.decline", now, account_id=quote.account_id, target_type="Quote",
                 target_id=quote.id, reason=reason)
    return quote


async def _notify(session: Any, quote: Quote, template: str, now: datetime, total: Decimal) -> None:
    if quote.requested_by_user_id is None:
        return
    buyer = await order_repo.user(session, quote.requested_by_user_id)
    account = await order_repo.account(session, quote.account_id)
    if buyer is None:
        return
    locale = buyer.locale or account.locale
    mail.enqueue(session, to=buyer.email, template=template, now=now, locale=locale, name=buyer.name,
                 number=quote.number, total=format_money(total, quote.currency, locale),
                 expires_on=format_date(quote.expires_at.date(), locale)  # type: ignore[union-attr]
                 if quote.expires_at else "-", note=quote.response_note or "")
