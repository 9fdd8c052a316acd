"""Demo data: the accounts, people, catalog, prices and two years of history of DESIGN's examples.

Rows are built as plain dicts with ids assigned here and inserted in bulk, so `--scale 400`
(about a million order lines) seeds in minutes rather than hours. Deterministic: same data each run."""
import hashlib
import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel, func, select

from db.engine import Database
from db.enums import (AccountCreditKind, AccountKind, AddressKind, BillingInterval, CollectionMethod, CreditNoteReason,
                      CreditNoteStatus, FulfilmentStatus, InvoiceReminderKind, InvoiceStatus, OrderStatus,
                      PaymentMethodKind, PaymentStatus, ProfileFieldType, Role, StaffRole, SubscriptionKind, SubscriptionStatus)
from db.models import (AccountCreditTransaction, CreditNote, CreditNoteLine, DocumentSequence, Account, Address,
                       Fulfilment, FulfilmentLine, Invoice, InvoiceLine, InvoiceReminder, Location,
                       Membership, MembershipRole, NotificationPreference, Order, OrderLine, Payment, PaymentMethod,
                       PriceList, PriceListEntry,
                       Product, ProductVariant, QuantityRule, RequisitionList, RequisitionListItem, ShipmentEvent,
                       Subscription, SubscriptionEvent, SubscriptionItem, SubscriptionRetentionOffer, TaxRate,
                       User, ProfileField, UserAddress)
from db.models import KbArticle, KbTopic, SupportMessage, SupportTicket
from db.models.support import ArticleVisibility, MessageAuthor, TicketPriority, TicketStatus
from db.models.files import DigitalFile, DigitalVariant, LicenseKey, SharedDocument
from db.models.shipments import ShipmentEventStatus
from db.models.webhooks import WebhookEndpoint
from domain import tax
from domain.knowledge_base import render
from domain.auth import hash_password
from domain.billing_details import BillingDetails
from domain.invoicing import NumberFormat, Series
from domain.subscriptions import periods
from domain import licenses
from domain.identity.sealing import seal
from schema.requests import Settings as SessionSettings

DEMO_PASSWORD = "portal-demo"
# The users the portal's sign-in page offers in demo mode (PORTALQL_DEMO), as the README lists them.
DEMO_USERS = [
    ("admin@acme.example", "Acme Industrial, ADMIN"),
    ("buyer@acme.example", "Acme, BUYER at Denver Plant (spending limit 5,000 USD)"),
    ("approver@acme.example", "Acme, APPROVER account-wide"),
    ("ap@acme.example", "Acme, ACCOUNTS_PAYABLE"),
    ("viewer@acme.example", "Acme, VIEWER at Austin Warehouse (no prices)"),
    ("admin@globex.example", "Globex GmbH, ADMIN (EUR, German)"),
    ("buyer@globex.example", "Globex GmbH, BUYER (EUR, German)"),
    ("jo@example.com", "Jo Doe, an individual customer"),
    ("admin@kanda.example", "Kanda Seiki K.K., ADMIN (JPY: plans, a digital product, a license key)"),
]
CENT = Decimal("0.01")
# The merchant's tax rates (domain/tax.py): US states' sales tax (state rates; local ones left
# out), Canada's GST with the provinces that add their own or harmonise it, and VAT in Europe.
TAX_RATES = [
    ("US", "CA", "7.25", "CA sales tax"), ("US", "NY", "4", "NY sales tax"), ("US", "IL", "6.25", "IL sales tax"),
    ("US", "CO", "2.9", "CO sales tax"), ("US", "TX", "6.25", "TX sales tax"), ("US", "WA", "6.5", "WA sales tax"),
    ("US", "FL", "6", "FL sales tax"), ("US", "NJ", "6.625", "NJ sales tax"), ("US", "PA", "6", "PA sales tax"),
    ("US", "MA", "6.25", "MA sales tax"), ("US", "OR", "0", "OR (no sales tax)"),
    ("CA", None, "5", "GST"), ("CA", "ON", "13", "HST"), ("CA", "NS", "14", "HST"), ("CA", "QC", "14.975", "GST + QST"),
    ("CA", "BC", "12", "GST + PST"), ("AU", None, "10", "GST"), ("GB", None, "20", "VAT"), ("IE", None, "23", "VAT"),
    ("DE", None, "19", "MwSt."), ("FR", None, "20", "TVA"), ("NL", None, "21", "btw"), ("BE", None, "21", "BTW/TVA"),
    ("AT", None, "20", "USt."), ("IT", None, "22", "IVA"), ("ES", None, "21", "IVA"), ("PL", None, "23", "VAT"),
    ("SE", None, "25", "Moms"), ("DK", None, "25", "Moms"), ("FI", None, "25.5", "ALV"), ("CH", None, "8.1", "MWST"),
]
# The demo merchant lists in USD and converts for its EUR customers at this rate: their contract
# prices are derived from it, and `portalql demo` shows their list prices with it
# (PORTALQL_LIST_PRICE_RATES, unless set).
EUR_PER_USD = Decimal("0.92")
JPY_PER_USD = Decimal("150")  # the demo's yen prices: fixed in its JPY price list
LIST_PRICE_RATES = f"USD:EUR={EUR_PER_USD},USD:JPY={JPY_PER_USD}"  # list prices for the EUR and JPY customers
# The demo merchant as its invoice PDFs name it, and its staff's address (`portalql demo` sets these unless
# already set).
SELLER_ENV = {
    "PORTALQL_SELLER_NAME": "Portalql Supply Co.",
    "PORTALQL_SELLER_ADDRESS": "500 Industrial Way|Chicago, IL 60607",
    "PORTALQL_SELLER_COUNTRY": "US",
    "PORTALQL_SELLER_TAX_ID": "EIN 12-3456789",
    # Net-terms invoices show this account, with their number as the reference to quote.
    "PORTALQL_BANK_NAME": "Commerzbank",
    "PORTALQL_BANK_IBAN": "DE89 3704 0044 0532 0130 00",
    "PORTALQL_BANK_BIC": "COBADEFFXXX",
    # Its staff's address for mail to them (a quote requested): see `portalql mail list --to`.
    "PORTALQL_STAFF_NOTIFY_EMAIL": "sales@merchant.example",
}
CARRIERS = {
    "UPS": "https://www.ups.com/track?tracknum={}",
    "FedEx": "https://www.fedex.com/fedextrack/?trknbr={}",
    "DHL": "https://www.dhl.com/en/express/tracking.html?AWB={}",
}
CATEGORIES = [
    ("FST", "Fasteners", ["Hex Bolt", "Lock Nut", "Wood Screw", "Anchor Bolt", "Flat Washer", "Rivet"],
     ["M6", "M8", "M10", "M12"], (Decimal("4"), Decimal("40"))),
    ("SAF", "Safety", ["Safety Glasses", "Nitrile Gloves", "Hard Hat", "Hi-Vis Vest", "Ear Plugs", "Respirator"],
     ["S", "M", "L", "XL"], (Decimal("6"), Decimal("90"))),
    ("TOL", "Tools", ["Cordless Drill", "Torque Wrench", "Socket Set", "Utility Knife", "Tape Measure", "Level"],
     ["Standard", "Pro"], (Decimal("15"), Decimal("400"))),
    ("PKG", "Packaging", ["Stretch Film", "Packing Tape", "Corrugated Box", "Bubble Wrap", "Pallet Label"],
     ["Small", "Medium", "Large"], (Decimal("3"), Decimal("60"))),
    ("ELC", "Electrical", ["Cable Tie", "Conduit", "Junction Box", "Circuit Breaker", "LED Panel", "Extension Cord"],
     ["10-pack", "50-pack"], (Decimal("5"), Decimal("150"))),
    ("JAN", "Janitorial", ["Floor Cleaner", "Paper Towels", "Trash Liners", "Hand Soap", "Degreaser"],
     ["1 gal", "5 gal"], (Decimal("8"), Decimal("75"))),
    ("SUB", "Services", ["Equipment Maintenance Plan", "Software License", "Calibration Service"],
     ["Monthly", "Annual"], (Decimal("49"), Decimal("900"))),
]
VENDORS = ["Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Proseware"]


class Ids:
    """Primary keys handed out here, so children can point at parents before anything is inserted."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, table: str) -> int:
        self.next[table] = self.next.get(table, 0) + 1
        return self.next[table]


class Rows:
    def __init__(self) -> None:
        self.by_model: dict[type[SQLModel], list[dict[str, Any]]] = {}
        self.ids = Ids()

    def add(self, model: type[SQLModel], **values: Any) -> int:
        values.setdefault("id", self.ids.take(model.__tablename__))  # type: ignore[attr-defined]
        self.by_model.setdefault(model, []).append(values)
        return values["id"]


# Insert order: parents before children.
MODELS = [TaxRate, User, NotificationPreference, ProfileField, UserAddress, Account, Location, Address, Membership, MembershipRole, Product, ProductVariant, PriceList,
          PriceListEntry, QuantityRule, Order, OrderLine, Fulfilment, FulfilmentLine, Subscription,
          SubscriptionItem, Invoice, InvoiceLine, InvoiceReminder, Payment, CreditNote, CreditNoteLine,
          AccountCreditTransaction, DocumentSequence, ShipmentEvent, RequisitionList, RequisitionListItem, PaymentMethod,
          KbTopic, KbArticle, SupportTicket, SupportMessage,
          SharedDocument, DigitalVariant, DigitalFile, LicenseKey,
          SubscriptionEvent, SubscriptionRetentionOffer,
          WebhookEndpoint]


def money(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)  # as the live prices are (domain.money.round_price)


class DemoBuilder:
    def __init__(self, now: datetime, password_hash: str, seed: int = 42) -> None:
        self.now = now
        self.rng = random.Random(seed)
        self.rows = Rows()
        self.password_hash = password_hash
        self.variants: list[dict[str, Any]] = []
        self.order_number = 100000
        self.tax_rates = [tax.Rate(country, region, Decimal(percent), label, now - timedelta(days=1500))
                          for country, region, percent, label in TAX_RATES]
        for r in self.tax_rates:
            self.rows.add(TaxRate, country=r.country, region=r.region, percent=r.percent, label=r.label,
                          jurisdiction=r.country if r.region is None else f"{r.country}-{r.region}",
                          valid_from=r.valid_from, created_at=r.valid_from)

    # People and accounts -------------------------------------------------------------------

    def user(self, email: str, name: str, staff_role: StaffRole | None = None, locale: str | None = None) -> int:
        return self.rows.add(User, email=email, name=name, password_hash=self.password_hash,
                             staff_role=staff_role.value if staff_role else None, locale=locale,
                             phone=None, time_zone=None, profile_values=None,
                             created_at=self.now - timedelta(days=800))

    def account(self, name: str, kind: AccountKind, currency: str, locale: str, terms: int,
                credit_limit: Decimal | None, country: str, region: str | None, postal: str,
                tax_id: str | None) -> int:
        return self.rows.add(Account, name=name, kind=kind, currency=currency, locale=locale,
                             payment_terms_days=terms, credit_limit=credit_limit, requires_approval=False,
                             billing_country=country, billing_region=region, billing_postal_code=postal,
                             billing_business_name=name if kind is AccountKind.BUSINESS else None,
                             billing_tax_id=tax_id, billing_is_business=kind is AccountKind.BUSINESS,
                             created_at=self.now - timedelta(days=800))

    def location(self, account_id: int, name: str, street: str, city: str, region: str | None,
                 postal: str, country: str, docks: int = 1) -> int:
        loc = self.rows.add(Location, account_id=account_id, name=name, created_at=self.now - timedelta(days=790))
        self.rows.add(Address, location_id=loc, kind=AddressKind.BILLING, is_default=True, recipient="Accounts Payable",
                      line1=street, line2=None, city=city, region=region, postal_code=postal, country=country)
        for dock in range(docks):
            self.rows.add(Address, location_id=loc, kind=AddressKind.SHIPPING, is_default=dock == 0,
                          recipient=f"Receiving, dock {dock + 1}", line1=street, line2=f"Dock {dock + 1}",
                          city=city, region=region, postal_code=postal, country=country)
        return loc

    def profile_fields(self) -> None:
        self.rows.add(ProfileField, key="cost_center", label="Cost center", type=ProfileFieldType.TEXT, choices=[],
                      required=True, position=0, created_at=self.now - timedelta(days=700))
        self.rows.add(ProfileField, key="department", label="Department", type=ProfileFieldType.CHOICE,
                      choices=["Purchasing", "Maintenance", "Production", "Finance"], required=False, position=1,
                      created_at=self.now - timedelta(days=700))

    def profile(self, user_id: int, *, phone: str | None = None, time_zone: str | None = None,
                values: dict[str, str] | None = None) -> None:
        user = next(u for u in self.rows.by_model[User] if u["id"] == user_id)
        user.update(phone=phone, time_zone=time_zone, profile_values=values)

    def book_address(self, user_id: int, kind: AddressKind, label: str, recipient: str, line1: str, city: str,
                     region: str | None, postal: str, country: str) -> int:
        return self.rows.add(UserAddress, user_id=user_id, kind=kind, is_default=True, label=label,
                             recipient=recipient, line1=line1, line2=None, city=city, region=region,
                             postal_code=postal, country=country, created_at=self.now - timedelta(days=300))

    def member(self, user_id: int, account_id: int, roles: list[tuple[Role, int | None]],
               spending_limit: Decimal | None = None) -> int:
        m = self.rows.add(Membership, user_id=user_id, account_id=account_id, spending_limit=spending_limit,
                          created_at=self.now - timedelta(days=780))
        for role, location_id in roles:
            self.rows.add(MembershipRole, membership_id=m, role=role, location_id=location_id)
        return m

    # Catalog and prices -----------------------------------------------------------------------

    def catalog(self, products: int = 200) -> None:
        made = 0
        while made < products:
            prefix, category, items, sizes, (low, high) = CATEGORIES[made % len(CATEGORIES)]
            item = items[(made // len(CATEGORIES)) % len(items)]
            series = made // (len(CATEGORIES) * 6) + 1
            vendor = VENDORS[made % len(VENDORS)]
            pid = self.rows.add(Product, title=f"{vendor} {item} {100 * series + made % 97}",
                                description=f"{category}: {item.lower()} from {vendor}, series {series}.",
                                vendor=vendor, is_active=made % 41 != 40, is_digital=prefix == "SUB",
                                created_at=self.now - timedelta(days=900 - made))
            base = Decimal(self.rng.uniform(float(low), float(high))).quantize(CENT)
            for position, size in enumerate(sizes[: self.rng.randint(1, len(sizes))]):
                price = money(base * (Decimal(1) + Decimal(position) * Decimal("0.35")))
                vid = self.rows.add(ProductVariant, product_id=pid, sku=f"{prefix}-{1000 + made}-{position + 1}",
                                    title=size, list_price=price, currency="USD", is_active=True, position=position)
                self.variants.append({"id": vid, "list_price": price, "title": size, "product_id": pid,
                                      "sku": f"{prefix}-{1000 + made}-{position + 1}",
                                      "product_title": f"{vendor} {item} {100 * series + made % 97}",
                                      "digital": prefix == "SUB", "active": made % 41 != 40})
            made += 1

    def price_list(self, account_id: int, location_id: int | None, name: str, currency: str,
                   adjustment: Decimal | None, fixed: list[tuple[dict, list[tuple[int, Decimal]]]],
                   rules: list[tuple[dict, int, int | None, int]] = (),  # type: ignore[assignment]
                   valid_from: datetime | None = None, valid_until: datetime | None = None,
                   precision: int | None = None) -> int:
        pl = self.rows.add(PriceList, name=name, account_id=account_id, location_id=location_id, currency=currency,
                           adjustment_percent=adjustment, price_precision=precision, valid_from=valid_from,
                           valid_until=valid_until,
                           created_at=self.now - timedelta(days=700))
        for variant, breaks in fixed:
            for min_qty, price in breaks:
                self.rows.add(PriceListEntry, price_list_id=pl, variant_id=variant["id"], min_quantity=min_qty,
                              price=price)
        for variant, minimum, maximum, increment in rules:
            self.rows.add(QuantityRule, price_list_id=pl, variant_id=variant["id"], minimum=minimum,
                          maximum=maximum, increment=increment)
        return pl

    # History ---------------------------------------------------------------------------------

    def history(self, account: dict[str, Any], locations: list[int], buyers: dict[int, int],
                count: int, prices: Callable[[dict, int], Decimal], pending: int = 0) -> None:
        """`count` orders over two years with lines, fulfilments, invoices and payments."""
        sellable = [v for v in self.variants if v["active"] and not v["digital"]]
        start = self.now - timedelta(days=730)
        span = (self.now - start).total_seconds()
        for n in range(count):
            placed = start + timedelta(seconds=span * (n + self.rng.random()) / count)
            age_days = (self.now - placed).days
            location_id = self.rng.choice(locations)
            if n >= count - pending:
                status = OrderStatus.PENDING_APPROVAL
            elif self.rng.random() < 0.04:
                status = OrderStatus.CANCELLED
            elif age_days > 20:
                status = OrderStatus.FULFILLED
            elif age_days > 6:
                status = self.rng.choice([OrderStatus.FULFILLED, OrderStatus.PARTIALLY_FULFILLED])
            else:
                status = OrderStatus.OPEN
            self.order(account, location_id, buyers.get(location_id), placed, status, sellable, prices)

    def order(self, account: dict[str, Any], location_id: int, user_id: int | None, placed: datetime,
              status: OrderStatus, sellable: list[dict], prices: Callable[[dict, int], Decimal]) -> None:
        currency = account["currency"]
        self.order_number += 1
        oid = self.rows.ids.take(Order.__tablename__)
        lines = []  # (line id, variant, quantity, unit price, total, tax columns)
        picked = []
        for variant in self.rng.sample(sellable, self.rng.randint(1, 6)):
            qty = self.rng.choice([1, 2, 5, 10, 10, 20, 25, 50])
            unit = prices(variant, qty)
            picked.append((variant, qty, unit, money(unit * qty)))
        # Taxed by the built-in calculator's rules over the merchant's rates, as a placed order is.
        ship_to = account["ship_to"][location_id]
        sale = tax.Sale(None, BillingDetails.from_snapshot(account["billing"]), ship_to["country"], ship_to["region"],
                        currency, placed, [tax.TaxableLine(total) for _v, _q, _u, total in picked])
        found = tax.taxes(sale, self.tax_rates)
        for position, ((variant, qty, unit, total), lt) in enumerate(zip(picked, found)):
            columns = {"tax_percent": lt.percent, "tax_amount": lt.amount, "tax_label": lt.label,
                       "tax_jurisdiction": lt.jurisdiction, "tax_reason": lt.reason.value if lt.reason else None,
                       "tax_included": lt.included}
            line_id = self.rows.add(OrderLine, order_id=oid, variant_id=variant["id"], sku=variant["sku"],
                                    title=f"{variant['product_title']} / {variant['title']}", quantity=qty,
                                    unit_price=unit, total=total, currency=currency, position=position, **columns)
            lines.append((line_id, variant, qty, unit, total, columns))
        sums = tax.totals(found)
        subtotal, tax_sum = sums.subtotal, sums.tax
        po = f"PO-{placed:%y%m}-{self.rng.randint(1000, 9999)}" if account["kind"] is AccountKind.BUSINESS else None
        self.rows.add(Order, id=oid, number=str(self.order_number), account_id=account["id"], location_id=location_id,
                      placed_by_user_id=user_id, status=status, po_number=po, note=None, currency=currency,
                      subtotal=subtotal, tax=tax_sum, total=sums.total, shipping_address=ship_to,
                      placed_at=placed, updated_at=placed + timedelta(days=2))
        if status in (OrderStatus.FULFILLED, OrderStatus.PARTIALLY_FULFILLED):
            self.fulfilment(oid, lines, placed, partial=status is OrderStatus.PARTIALLY_FULFILLED)
        if status not in (OrderStatus.CANCELLED, OrderStatus.PENDING_APPROVAL, OrderStatus.REJECTED):
            self.invoice(account, location_id, oid, placed, lines, subtotal, tax_sum, po)

    def fulfilment(self, order_id: int, lines: list[tuple], placed: datetime, partial: bool) -> None:
        carrier = self.rng.choice(list(CARRIERS))
        tracking = f"{carrier[:2].upper()}{self.rng.randint(10**9, 10**10 - 1)}"
        shipped = placed + timedelta(days=self.rng.randint(1, 3), hours=self.rng.randint(0, 8))
        delivered = shipped + timedelta(days=self.rng.randint(1, 5))
        done = delivered <= self.now
        status = FulfilmentStatus.DELIVERED if done else FulfilmentStatus.IN_TRANSIT
        fid = self.rows.add(Fulfilment, order_id=order_id, status=status, carrier=carrier, tracking_number=tracking,
                            tracking_url=CARRIERS[carrier].format(tracking), shipped_at=shipped,
                            estimated_delivery_at=shipped + timedelta(days=4), delivered_at=delivered if done else None,
                            created_at=shipped)
        shipped_lines = lines[: max(1, len(lines) // 2)] if partial else lines
        for line_id, _variant, qty, _unit, _total, _tax in shipped_lines:
            self.rows.add(FulfilmentLine, fulfilment_id=fid, order_line_id=line_id, quantity=qty)

    def invoice(self, account: dict[str, Any], location_id: int, order_id: int | None, issued: datetime,
                lines: list[tuple], subtotal: Decimal, tax: Decimal, po: str | None,
                subscription_id: int | None = None) -> None:
        total = subtotal + tax
        due = (issued + timedelta(days=account["terms"])).date()
        age = (self.now - issued).days
        roll = self.rng.random()
        by_card = account["terms"] == 0
        if by_card or (age > account["terms"] + 25 and roll < 0.96):
            status = InvoiceStatus.PAID
        elif age < 3 and roll < 0.5:
            status = InvoiceStatus.DRAFT
        elif roll < 0.02:
            status = InvoiceStatus.VOID
        elif roll < 0.035 and age > 90:
            status = InvoiceStatus.UNCOLLECTIBLE
        else:
            status = InvoiceStatus.OPEN
        paid = total if status is InvoiceStatus.PAID else Decimal(0)
        # Paid within the terms (20 days at most), never later than now: a payment is history.
        paid_on = min(issued + timedelta(days=min(account["terms"], 20)), self.now - timedelta(minutes=5))
        if status is InvoiceStatus.OPEN and roll > 0.85:
            paid = money(total / 2)  # a partial payment
        # Numbered once all are written (_number_documents), in the order they were finalised.
        iid = self.rows.add(Invoice, number=None, account_id=account["id"],
                            location_id=location_id, order_id=order_id, subscription_id=subscription_id,
                            status=status, currency=account["currency"], subtotal=subtotal, tax=tax, total=total,
                            amount_paid=paid, amount_credited=Decimal(0), amount_from_credit=Decimal(0),
                            order_sequence=0, reissued_from_id=None,
                            amount_due=Decimal(0) if status in (InvoiceStatus.PAID, InvoiceStatus.VOID) else total - paid,
                            po_number=po, issued_at=issued, due_date=due,
                            paid_at=paid_on if status is InvoiceStatus.PAID else None,
                            finalized_at=None if status is InvoiceStatus.DRAFT else issued,
                            voided_at=issued + timedelta(days=1) if status is InvoiceStatus.VOID else None,
                            uncollectible_at=issued + timedelta(days=90) if status is InvoiceStatus.UNCOLLECTIBLE else None,
                            billing_details={**account["billing"], "tax_note": None}, created_at=issued)
        if status is InvoiceStatus.OPEN:
            self.reminders(iid, due)
        for position, (line_id, variant, qty, unit, amount, columns) in enumerate(lines):
            self.rows.add(InvoiceLine, invoice_id=iid, order_line_id=line_id if order_id else None, variant_id=variant["id"],
                          description=f"{variant['product_title']} / {variant['title']}", quantity=qty,
                          unit_price=unit, amount=amount, currency=account["currency"], position=position, **columns)
        if paid:
            method = PaymentMethodKind.CARD if by_card else self.rng.choice([PaymentMethodKind.ACH, PaymentMethodKind.WIRE,
                                                                             PaymentMethodKind.CHECK])
            self.rows.add(Payment, invoice_id=iid, account_id=account["id"], amount=paid, currency=account["currency"],
                          method=method, status=PaymentStatus.SUCCEEDED,
                          reference=f"{method.value}-{self.rng.randint(10**5, 10**6)}",
                          created_at=paid_on)

    def reminders(self, invoice_id: int, due: date) -> None:
        """The reminders the worker sent until two days ago (3 days before the due date, the day
        after it): the reminders of the last two days are left for `portalql worker` to send."""
        caught_up = self.now.date() - timedelta(days=2)
        for kind, moment in ((InvoiceReminderKind.DUE_SOON, due - timedelta(days=3)),
                             (InvoiceReminderKind.OVERDUE, due + timedelta(days=1))):
            if moment < caught_up:
                at = datetime.combine(moment, time(6, 0), tzinfo=timezone.utc)
                self.rows.add(InvoiceReminder, invoice_id=invoice_id, kind=kind, recipients=1, created_at=at)

    def subscription(self, account: dict[str, Any], location_id: int | None, status: SubscriptionStatus,
                     interval: BillingInterval, count: int, items: list[tuple[dict, int]],
                     prices: Callable[[dict, int], Decimal], started_days_ago: int,
                     collection: CollectionMethod = CollectionMethod.SEND_INVOICE, *,
                     cancel_at_period_end: bool = False, pending: dict | None = None,
                     placed_by: int | None = None) -> int:
        created = self.now - timedelta(days=started_days_ago)
        start, end = periods.period_at(created, interval, count, self.now)
        sid = self.rows.add(Subscription, number=f"SUB-{1000 + self.rows.ids.next.get('subscription', 0) + 1}",
                            account_id=account["id"], location_id=location_id, status=status, interval=interval,
                            # A service is a plan; goods delivered again and again, a recurring order.
                            kind=SubscriptionKind.PLAN if any(variant["digital"] for variant, _ in items)
                            else SubscriptionKind.RECURRING_ORDER,
                            interval_count=count, currency=account["currency"], current_period_start=start,
                            current_period_end=end,
                            next_billing_at=end if status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING,
                                                              SubscriptionStatus.PAST_DUE) else None,
                            cancel_at_period_end=cancel_at_period_end, collection_method=collection,
                            paused_until=periods.boundary(start, interval, count, 3)
                            if status is SubscriptionStatus.PAUSED else None,
                            cancelled_at=start if status is SubscriptionStatus.CANCELLED else None, created_at=created,
                            # A recurring order's orders are placed for this buyer (their spending limit applies).
                            placed_by_user_id=placed_by)
        for variant, qty in items:
            # `pending`: a downgrade to this variant waits for the period end (the renewal applies it).
            self.rows.add(SubscriptionItem, subscription_id=sid, variant_id=variant["id"], quantity=qty,
                          unit_price=prices(variant, qty), currency=account["currency"],
                          pending_variant_id=pending["id"] if pending else None,
                          pending_quantity=qty if pending else None,
                          pending_unit_price=prices(pending, qty) if pending else None)
        return sid

    def cancellation(self, account: dict[str, Any], sid: int, kind: str, reason: str, comment: str | None,
                     days_ago: int, offer: tuple[str, bool] | None = None) -> None:
        """A cancellation's history event with its survey reason, and the retention offer shown before
        it (declined), so the merchant's cancellation report has numbers."""
        at = self.now - timedelta(days=days_ago)
        if offer is not None:
            kind_, accepted = offer
            self.rows.add(SubscriptionRetentionOffer, subscription_id=sid, account_id=account["id"], kind=kind_,
                          percent=Decimal("20") if kind_ == "DISCOUNT" else None,
                          cycles=3 if kind_ == "DISCOUNT" else None, shown_at=at - timedelta(minutes=2),
                          accepted=accepted, decided_at=at - timedelta(minutes=1))
        self.rows.add(SubscriptionEvent, subscription_id=sid, account_id=account["id"], kind=kind,
                      details={"reason": reason, "comment": comment, "effectiveAt": at.isoformat()}, created_at=at)


def _plan_sizes(variants: list[dict]) -> list[dict]:
    """The sizes of the first service (a digital product) sold in more than one size, smallest first."""
    by_product: dict[int, list[dict]] = {}
    for variant in variants:
        if variant["digital"] and variant["active"]:
            by_product.setdefault(variant["product_id"], []).append(variant)
    return next(sizes for sizes in by_product.values() if len(sizes) > 1)


def _account_info(b: DemoBuilder, account_id: int, kind: AccountKind, currency: str, terms: int,
                  locations: list[int]) -> dict[str, Any]:
    acct = next(r for r in b.rows.by_model[Account] if r["id"] == account_id)
    ship_to = {}
    for loc in locations:
        addr = next(a for a in b.rows.by_model[Address]
                    if a["location_id"] == loc and a["kind"] is AddressKind.SHIPPING and a["is_default"])
        ship_to[loc] = {k: addr[k] for k in ("recipient", "line1", "line2", "city", "region", "postal_code", "country")}
    billing = BillingDetails(name=acct["name"], country=acct["billing_country"], region=acct["billing_region"],
                             postal_code=acct["billing_postal_code"], business_name=acct["billing_business_name"],
                             tax_id=acct["billing_tax_id"], is_business=acct["billing_is_business"]).snapshot()
    return {"id": account_id, "kind": kind, "currency": currency, "terms": terms, "ship_to": ship_to,
            "billing": billing}


@dataclass(frozen=True)
class Sizes:
    products: int = 200
    acme_orders: int = 420
    globex_orders: int = 260
    jo_orders: int = 40
    orders_per_scaled_account: int = 700


# The same people, roles and price lists with little history: what the tests seed per test.
SMALL = Sizes(products=40, acme_orders=24, globex_orders=10, jo_orders=4, orders_per_scaled_account=10)


def build(now: datetime, scale: int = 1, password_hash: str | None = None, sizes: Sizes = Sizes()) -> Rows:
    """All demo rows; `scale` N adds N-1 more companies like Acme with their own history."""
    b = DemoBuilder(now, password_hash or hash_password(DEMO_PASSWORD))
    b.catalog(sizes.products)
    v = b.variants
    usd = lambda variant, qty: variant["list_price"]  # noqa: E731

    # Merchant staff.
    b.user("support@merchant.example", "Sam Support", StaffRole.STAFF_SUPPORT)
    b.user("ops@merchant.example", "Olivia Ops", StaffRole.STAFF_ADMIN)

    # Acme Industrial: the example B2B customer, with every role.
    acme = b.account("Acme Industrial", AccountKind.BUSINESS, "USD", "en", 30, Decimal("250000"), "US", "IL",
                     "60601", "36-1234567")
    chicago = b.location(acme, "Chicago HQ", "200 W Madison St", "Chicago", "IL", "60606", "US", docks=2)
    denver = b.location(acme, "Denver Plant", "4800 Dahlia St", "Denver", "CO", "80216", "US", docks=2)
    austin = b.location(acme, "Austin Warehouse", "9500 Ute Blvd", "Austin", "TX", "78748", "US")
    users = {name: b.user(f"{name}@acme.example", title) for name, title in
             [("admin", "Alice Admin"), ("buyer", "Bob Buyer"), ("approver", "Avery Approver"),
              ("ap", "Pat Payables"), ("viewer", "Vic Viewer")]}
    b.member(users["admin"], acme, [(Role.ADMIN, None)])
    b.member(users["buyer"], acme, [(Role.BUYER, denver)], spending_limit=Decimal("5000"))
    b.member(users["approver"], acme, [(Role.APPROVER, None)])
    # Notification preferences (docs/notifications.md): the viewer wants no shipping mail.
    b.rows.add(NotificationPreference, user_id=users["viewer"], category="SHIPPING", enabled=False,
               updated_at=b.now - timedelta(days=30))
    b.member(users["ap"], acme, [(Role.ACCOUNTS_PAYABLE, None)])
    b.member(users["viewer"], acme, [(Role.VIEWER, austin)])
    acme_fixed = [(variant, [(1, money(variant["list_price"] * Decimal("0.85"))),
                             (50, money(variant["list_price"] * Decimal("0.75"))),
                             (200, money(variant["list_price"] * Decimal("0.70")))]) for variant in v[:30:2]]
    b.price_list(acme, None, "Acme contract 2025-2027", "USD", Decimal("-8"), acme_fixed,
                 rules=[(variant, 10, 500, 10) for variant in v[:6]])
    b.price_list(acme, denver, "Denver plant consumables", "USD", None,
                 [(variant, [(1, money(variant["list_price"] * Decimal("0.80")))]) for variant in v[:10]])
    b.price_list(acme, None, "Acme next year (not yet valid)", "USD", Decimal("-12"), [],
                 valid_from=now + timedelta(days=60))
    b.price_list(acme, chicago, "Chicago launch promotion (expired)", "USD", Decimal("-30"), [],
                 valid_from=now - timedelta(days=400), valid_until=now - timedelta(days=300))

    def acme_price(variant: dict, qty: int) -> Decimal:
        return money(variant["list_price"] * Decimal("0.92"))

    acme_info = _account_info(b, acme, AccountKind.BUSINESS, "USD", 30, [chicago, denver, austin])
    b.history(acme_info, [chicago, denver, austin], {denver: users["buyer"], chicago: users["admin"],
                                                     austin: users["admin"]}, sizes.acme_orders, acme_price, pending=4)
    b.subscription(acme_info, denver, SubscriptionStatus.ACTIVE, BillingInterval.MONTH, 1,
                   [(v[1], 40), (v[8], 10)], acme_price, 400, CollectionMethod.CHARGE_AUTOMATICALLY,
                   placed_by=users["buyer"])
    b.subscription(acme_info, chicago, SubscriptionStatus.ACTIVE, BillingInterval.MONTH, 3,
                   [(v[30], 5)], acme_price, 250)
    b.subscription(acme_info, austin, SubscriptionStatus.PAUSED, BillingInterval.WEEK, 2,
                   [(v[20], 12)], acme_price, 120)
    gone = b.subscription(acme_info, chicago, SubscriptionStatus.CANCELLED, BillingInterval.YEAR, 1,
                          [(next(x for x in v if x["digital"]), 1)], acme_price, 500)
    b.cancellation(acme_info, gone, "CANCELLED", "SWITCHED_SERVICE", "Moved to the group's own tool", 70,
                   ("DISCOUNT", False))
    # A SaaS plan of 5 seats on the smallest size of a service with larger sizes: the plan to upgrade.
    plans = _plan_sizes(v)
    b.subscription(acme_info, chicago, SubscriptionStatus.ACTIVE, BillingInterval.MONTH, 1, [(plans[0], 5)],
                   acme_price, 75, CollectionMethod.CHARGE_AUTOMATICALLY)
    expired = b.subscription(acme_info, chicago, SubscriptionStatus.EXPIRED, BillingInterval.MONTH, 1,
                             [(plans[0], 2)], acme_price, 700)
    b.cancellation(acme_info, expired, "CANCEL_SCHEDULED", "UNUSED", None, 40)

    # Globex GmbH: a German customer in euros, on its own EUR price list.
    globex = b.account("Globex GmbH", AccountKind.BUSINESS, "EUR", "de", 14, Decimal("80000"), "DE", "BE",
                       "10115", "DE136695976")
    berlin = b.location(globex, "Berlin Zentrale", "Invalidenstraße 10", "Berlin", "BE", "10115", "DE")
    munich = b.location(globex, "München Werk", "Landsberger Str. 300", "München", "BY", "80687", "DE")
    g_admin = b.user("admin@globex.example", "Greta Admin", locale="de")
    g_buyer = b.user("buyer@globex.example", "Gustav Einkauf", locale="de")
    b.rows.add(NotificationPreference, user_id=g_buyer, category="MARKETING", enabled=True,
               updated_at=b.now - timedelta(days=10))  # news and offers, which are off unless chosen
    b.member(g_admin, globex, [(Role.ADMIN, None)])
    b.member(g_buyer, globex, [(Role.BUYER, None)], spending_limit=Decimal("3000"))

    def eur(variant: dict, qty: int = 1) -> Decimal:
        return money(variant["list_price"] * EUR_PER_USD)

    b.price_list(globex, None, "Globex Rahmenvertrag (EUR)", "EUR", None,
                 [(variant, [(1, eur(variant)), (100, money(eur(variant) * Decimal("0.9")))]) for variant in v])
    # München's own list: 3 % off the list price in euros (at LIST_PRICE_RATES), to a tenth of a cent.
    b.price_list(globex, munich, "München Werk Sonderkondition", "EUR", Decimal("-3"), [], precision=3)
    globex_info = _account_info(b, globex, AccountKind.BUSINESS, "EUR", 14, [berlin, munich])
    b.history(globex_info, [berlin, munich], {berlin: g_buyer, munich: g_buyer}, sizes.globex_orders, eur, pending=2)
    b.subscription(globex_info, berlin, SubscriptionStatus.ACTIVE, BillingInterval.MONTH, 1, [(v[3], 20)], eur, 300,
                   placed_by=g_buyer)
    b.subscription(globex_info, munich, SubscriptionStatus.PAST_DUE, BillingInterval.MONTH, 1, [(v[5], 8)], eur, 90)

    # Jo Doe: an individual paying by card.
    jo_account = b.account("Jo Doe", AccountKind.INDIVIDUAL, "USD", "en", 0, None, "US", "CA", "94110", None)
    home = b.location(jo_account, "Home", "742 Valencia St", "San Francisco", "CA", "94110", "US")
    jo = b.user("jo@example.com", "Jo Doe")
    b.member(jo, jo_account, [(Role.ADMIN, None), (Role.BUYER, None)])
    jo_info = _account_info(b, jo_account, AccountKind.INDIVIDUAL, "USD", 0, [home])
    b.history(jo_info, [home], {home: jo}, sizes.jo_orders, usd)
    b.subscription(jo_info, home, SubscriptionStatus.TRIALING, BillingInterval.MONTH, 1,
                   [(next(x for x in v if x["digital"]), 1)], usd, 10, CollectionMethod.CHARGE_AUTOMATICALLY)

    # Profiles: the merchant's custom fields, and people's own details and address books.
    b.profile_fields()
    b.profile(users["buyer"], phone="+1 303 555 0142", time_zone="America/Denver",
              values={"cost_center": "DEN-4410", "department": "Maintenance"})
    b.profile(users["admin"], phone="+1 312 555 0100", time_zone="America/Chicago",
              values={"cost_center": "CHI-1000", "department": "Purchasing"})
    b.profile(g_buyer, phone="+49 30 1234567", time_zone="Europe/Berlin", values={"cost_center": "BER-77"})
    b.profile(jo, time_zone="America/Los_Angeles")
    b.book_address(users["buyer"], AddressKind.SHIPPING, "Home office", "Bob Buyer", "1550 Larimer St", "Denver",
                   "CO", "80202", "US")
    b.book_address(users["buyer"], AddressKind.BILLING, "Expenses", "Bob Buyer", "1550 Larimer St", "Denver",
                   "CO", "80202", "US")
    b.book_address(jo, AddressKind.SHIPPING, "Studio", "Jo Doe", "2111 Mission St", "San Francisco", "CA",
                   "94110", "US")

    # Kanda Seiki: a Japanese customer in yen (no minor unit), on a plan charged by card.
    kanda = b.account("Kanda Seiki K.K.", AccountKind.BUSINESS, "JPY", "en", 30, None, "JP", None, "101-0047", None)
    tokyo = b.location(kanda, "Tokyo Office", "1-2-3 Uchikanda", "Chiyoda-ku", None, "101-0047", "JP")
    k_admin = b.user("admin@kanda.example", "Kenji Kanda")
    b.member(k_admin, kanda, [(Role.ADMIN, None)])

    def yen(variant: dict, qty: int = 1) -> Decimal:
        return (variant["list_price"] * JPY_PER_USD).quantize(Decimal(1), rounding=ROUND_HALF_UP)

    # Its plans at fixed yen prices; everything else 5 % off the list price in yen (USD:JPY=150).
    b.price_list(kanda, None, "Kanda contract (JPY)", "JPY", Decimal("-5"),
                 [(variant, [(1, yen(variant))]) for variant in plans])
    kanda_info = _account_info(b, kanda, AccountKind.BUSINESS, "JPY", 30, [tokyo])
    b.subscription(kanda_info, tokyo, SubscriptionStatus.ACTIVE, BillingInterval.MONTH, 1, [(plans[0], 3)], yen, 200,
                   CollectionMethod.CHARGE_AUTOMATICALLY)
    # A larger plan with a downgrade waiting for the period end, and one ending at its period end.
    b.subscription(kanda_info, tokyo, SubscriptionStatus.ACTIVE, BillingInterval.MONTH, 1, [(plans[1], 2)], yen, 60,
                   CollectionMethod.CHARGE_AUTOMATICALLY, pending=plans[0])
    ending = b.subscription(kanda_info, tokyo, SubscriptionStatus.ACTIVE, BillingInterval.MONTH, 1, [(plans[0], 1)],
                            yen, 45, CollectionMethod.CHARGE_AUTOMATICALLY, cancel_at_period_end=True)
    b.cancellation(kanda_info, ending, "CANCEL_SCHEDULED", "TOO_EXPENSIVE", "Budget cut for next year", 2,
                   ("DISCOUNT", False))

    # --scale N: more companies like Acme, each with its own people and history.
    for n in range(2, scale + 1):
        name = f"Initech {n:04d}"
        acct = b.account(name, AccountKind.BUSINESS, "USD", "en", 30, Decimal("100000"), "US", "NY", "10001", None)
        locs = [b.location(acct, f"{name} Site {i}", f"{i} Main St", "Springfield", "IL", "62701", "US")
                for i in range(1, 4)]
        buyer = b.user(f"buyer@initech-{n:04d}.example", f"Buyer {n}")
        admin = b.user(f"admin@initech-{n:04d}.example", f"Admin {n}")
        b.member(admin, acct, [(Role.ADMIN, None)])
        b.member(buyer, acct, [(Role.BUYER, None)], spending_limit=Decimal("5000"))
        info = _account_info(b, acct, AccountKind.BUSINESS, "USD", 30, locs)
        b.history(info, locs, {loc: buyer for loc in locs}, sizes.orders_per_scaled_account, usd)
    _shipment_events(b.rows)
    _requisition_list(b.rows, now, b.variants)
    _payment_methods(b.rows, now)
    _webhook_endpoint(b.rows, now)
    _credit_notes(b.rows, now, acme)
    _a_draft(b.rows, globex)
    _number_documents(b.rows)
    _support(b.rows, now)
    _files(b.rows, now, b.variants)
    return b.rows


# The demo's files (server/cli.py writes them to the upload folder when it seeds), and its license
# key, sealed with the development PORTALQL_SECRET_KEY (with another key it shows as null).
CONTRACT_KEY = "documents/demo/" + "c0" * 16 + ".pdf"
INSTALLER_KEY = "digital/demo/" + "d1" * 16 + ".zip"
DEMO_LICENSE_KEY = "KAND2-DEMQ7-LKEY9-PLNT4-XW3RS"
CONTRACT_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
                b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>"
                b"endobj\n4 0 obj<</Length 58>>stream\nBT /F1 18 Tf 72 760 Td (Framework supply agreement 2026) Tj ET\n"
                b"endstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
# A ZIP archive holding nothing: the end of its central directory.


def _installer_zip() -> bytes:
    """A small real archive, the same bytes every time (fixed timestamps): what the demo sells."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("README.txt", "Fabrikam tools: the demo's digital product.\n"),
                           ("install.sh", "#!/bin/sh\necho 'Installed (demo)'\n")):
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buf.getvalue()


INSTALLER_ZIP = _installer_zip()
DEMO_FILES = {CONTRACT_KEY: (CONTRACT_PDF, "application/pdf"), INSTALLER_KEY: (INSTALLER_ZIP, "application/zip")}


def _files(rows: Rows, now: datetime, variants: list[dict[str, Any]]) -> None:
    """Acme's framework agreement shared with its ADMIN and ACCOUNTS_PAYABLE; a digital variant no
    subscription uses, with an installer and a license (docs/documents-and-downloads.md); a key of it
    for Kanda Seiki."""
    acme = next((a for a in rows.by_model.get(Account, []) if a["name"] == "Acme Industrial"), None)
    kanda = next((a for a in rows.by_model.get(Account, []) if a["name"] == "Kanda Seiki K.K."), None)
    if acme is None:
        return
    rows.add(SharedDocument, account_id=acme["id"], title="Framework supply agreement 2026",
             roles=",ADMIN,ACCOUNTS_PAYABLE,", filename="Framework supply agreement 2026.pdf", storage_key=CONTRACT_KEY,
             content_type="application/pdf", size_bytes=len(CONTRACT_PDF), sha256=_sha256(CONTRACT_PDF),
             created_at=now - timedelta(days=60))
    used = {i["variant_id"] for i in rows.by_model.get(SubscriptionItem, [])}
    variant = next((v for v in variants if v["digital"] and v["active"] and v["id"] not in used), None)
    if variant is None:
        return
    rows.add(DigitalVariant, variant_id=variant["id"], download_limit=5, license_activations=3, license_days=365)
    rows.add(DigitalFile, variant_id=variant["id"], filename="installer.zip", storage_key=INSTALLER_KEY,
             content_type="application/zip", size_bytes=len(INSTALLER_ZIP), sha256=_sha256(INSTALLER_ZIP),
             created_at=now - timedelta(days=90))
    tokyo = next((loc for loc in rows.by_model.get(Location, []) if kanda and loc["account_id"] == kanda["id"]), None)
    if kanda is not None and tokyo is not None:
        rows.add(LicenseKey, key_hash=licenses.key_hash(DEMO_LICENSE_KEY),
                 key_sealed=seal(DEMO_LICENSE_KEY, SessionSettings.secret_key), suffix=DEMO_LICENSE_KEY[-5:],
                 variant_id=variant["id"], account_id=kanda["id"], location_id=tokyo["id"], user_id=None,
                 purchase_id=None, subscription_id=None, status="ACTIVE", max_activations=3,
                 expires_at=now + timedelta(days=300), created_at=now - timedelta(days=65))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _credit_notes(rows: Rows, now: datetime, account_id: int) -> None:
    """Two credit notes of Acme's: a correction of a line of a recent open invoice (what it has due
    goes down), and goodwill on a paid one (it becomes account credit)."""
    invoices = sorted((i for i in rows.by_model.get(Invoice, []) if i["account_id"] == account_id
                       and i["order_id"] is not None), key=lambda i: (i["issued_at"], i["id"]), reverse=True)
    lines = {}
    for line in rows.by_model.get(InvoiceLine, []):
        lines.setdefault(line["invoice_id"], line)
    open_one = next((i for i in invoices if i["status"] is InvoiceStatus.OPEN and i["amount_paid"] == 0
                     and lines[i["id"]]["quantity"] > 1), None)
    paid_one = next((i for i in invoices if i["status"] is InvoiceStatus.PAID), None)
    for invoice, reason in ((open_one, CreditNoteReason.CORRECTION), (paid_one, CreditNoteReason.GOODWILL)):
        if invoice is None:
            continue
        issued = min(invoice["issued_at"] + timedelta(days=2), now - timedelta(hours=1))
        if reason is CreditNoteReason.CORRECTION:
            line = lines[invoice["id"]]
            # One unit at the rate its line was taxed at (tax.retaxed also takes it out of a gross price).
            vat, amount = tax.retaxed(money(line["unit_price"]), line["tax_percent"], line["tax_included"],
                                      line["tax_reason"], invoice["currency"])
            memo, quantity, unit, line_id = "One unit was billed twice", 1, amount, line["id"]
            description = line["description"]
        else:
            amount, memo, quantity, line_id = money(min(Decimal(25), invoice["subtotal"])), "Late delivery", 1, None
            unit, description = amount, "Goodwill credit for a late delivery"
            # The invoice's share of tax in what it bills, as an amount credited takes it.
            vat = money(amount * invoice["tax"] / invoice["subtotal"]) if invoice["subtotal"] else Decimal(0)
        total = amount + vat
        applied = min(total, invoice["amount_due"])
        cid = rows.add(CreditNote, number=None, invoice_id=invoice["id"], account_id=invoice["account_id"],
                       location_id=invoice["location_id"], return_id=None, status=CreditNoteStatus.ISSUED,
                       reason=reason, memo=memo, currency=invoice["currency"], subtotal=amount, tax=vat, total=total,
                       amount_applied=applied, amount_credited=total - applied, amount_refunded=Decimal(0),
                       created_by_user_id=None, issued_at=issued, voided_at=None, created_at=issued)
        rows.add(CreditNoteLine, credit_note_id=cid, invoice_line_id=line_id, description=description,
                 quantity=quantity, unit_price=unit, amount=amount, tax=vat, currency=invoice["currency"], position=0)
        if total > applied:
            rows.add(AccountCreditTransaction, account_id=invoice["account_id"], currency=invoice["currency"],
                     amount=total - applied, kind=AccountCreditKind.CREDIT_NOTE, credit_note_id=cid,
                     invoice_id=invoice["id"], memo=None, created_by_user_id=None, created_at=issued)
        invoice["amount_credited"] = total
        invoice["amount_due"] = invoice["amount_due"] - applied


def _a_draft(rows: Rows, account_id: int) -> None:
    """Globex's latest unpaid invoice is still a draft: staff finalise it (customers do not see it yet)."""
    latest = max((i for i in rows.by_model.get(Invoice, []) if i["account_id"] == account_id
                  and i["status"] is InvoiceStatus.OPEN and i["amount_paid"] == 0),
                 key=lambda i: (i["issued_at"], i["id"]), default=None)
    if latest is not None:
        latest.update(status=InvoiceStatus.DRAFT, finalized_at=None)


def _number_documents(rows: Rows) -> None:
    """Gapless numbers in the order invoices were finalised and credit notes issued, one series per
    year (the default format), with the sequence rows that finalisation continues from."""
    fmt = NumberFormat()
    for model, series, when in ((Invoice, Series.INVOICE, "finalized_at"), (CreditNote, Series.CREDIT_NOTE, "issued_at")):
        last: dict[int, int] = {}
        for doc in sorted((d for d in rows.by_model.get(model, []) if d[when] is not None),
                          key=lambda d: (d[when], d["id"])):
            year = fmt.year(doc[when])
            last[year] = last.get(year, 0) + 1
            doc["number"] = fmt.render(series, year, last[year])
        for year, value in sorted(last.items()):
            rows.add(DocumentSequence, series=series.value, year=year, last_value=value)


def _shipment_events(rows: Rows) -> None:
    """The carrier events of every demo shipment: picked up, and for delivered ones out for delivery
    and delivered."""
    for f in rows.by_model.get(Fulfilment, []):
        shipped, delivered = f["shipped_at"], f["delivered_at"]
        rows.add(ShipmentEvent, fulfilment_id=f["id"], status=ShipmentEventStatus.IN_TRANSIT, occurred_at=shipped,
                 location="Columbus, OH distribution center", message="Picked up by carrier", created_at=shipped)
        if f["status"] is FulfilmentStatus.DELIVERED and delivered is not None:
            out = delivered - timedelta(hours=5)
            rows.add(ShipmentEvent, fulfilment_id=f["id"], status=ShipmentEventStatus.OUT_FOR_DELIVERY,
                     occurred_at=out, location="Local depot", message="Out for delivery", created_at=out)
            rows.add(ShipmentEvent, fulfilment_id=f["id"], status=ShipmentEventStatus.DELIVERED, occurred_at=delivered,
                     location="Receiving dock", message="Delivered, signed by receiving", created_at=delivered)


def _payment_methods(rows: Rows, now: datetime) -> None:
    """Cards saved with the test gateway (integrations/test_gateway.py, whose IDs say how a charge
    goes): Acme has a default Visa and a Mastercard that expires at the end of this month (flagged
    expiresSoon), Globex, Jo and Kanda one Visa each."""
    cards = {"Acme Industrial": [("visa", "4242", 12, now.year + 3, True),
                                 ("mastercard", "4444", now.month, now.year, False)],
             "Globex GmbH": [("visa", "4242", 3, now.year + 2, True)],
             "Jo Doe": [("visa", "4242", 8, now.year + 4, True)],
             "Kanda Seiki K.K.": [("visa", "4242", 5, now.year + 3, True)]}
    for account in rows.by_model.get(Account, []):
        for n, (brand, last4, month, year, default) in enumerate(cards.get(account["name"], [])):
            rows.add(PaymentMethod, account_id=account["id"], gateway="test",
                     gateway_method_id=f"pm_test_{brand}_demo{account['id']}x{n}",
                     gateway_customer_id=f"cus_test_demo{account['id']}", brand=brand, last4=last4,
                     exp_month=month, exp_year=year, is_default=default,
                     created_at=now - timedelta(days=200 - 40 * n))


def _webhook_endpoint(rows: Rows, now: datetime) -> None:
    """An example webhook endpoint, disabled: the demo never sends HTTP anywhere. Enable it (or
    register your own receiver) to see deliveries; see docs/webhooks.md."""
    rows.add(WebhookEndpoint, account_id=None, url="https://erp.example.com/portalql/webhooks",
             description="Example: the merchant's ERP (disabled)", event_types=["order.placed", "order.approved",
                                                                              "invoice.issued", "invoice.paid"],
             enabled=False, disabled_reason="STAFF", secret="whsec_ZGVtby1zZWNyZXQtbm90LWZvci1wcm9kdWN0aW9u",
             previous_secrets=[], failing_since=None, created_by_user_id=None,
             created_at=now - timedelta(days=10), updated_at=now - timedelta(days=10))


def _requisition_list(rows: Rows, now: datetime, variants: list[dict[str, Any]]) -> None:
    """A requisition list that Acme's buyer shares with its account."""
    buyer = next((u for u in rows.by_model.get(User, []) if u["email"] == "buyer@acme.example"), None)
    acme = next((a for a in rows.by_model.get(Account, []) if a["name"] == "Acme Industrial"), None)
    if buyer is None or acme is None:
        return
    lst = rows.add(RequisitionList, account_id=acme["id"], name="Denver weekly restock",
                   description="Gloves, glasses and fasteners for the Denver Plant line", created_by_user_id=buyer["id"],
                   created_at=now - timedelta(days=30), updated_at=now - timedelta(days=3))
    sellable = [v for v in variants if v["active"] and not v["digital"]][:4]
    for position, (variant, qty) in enumerate(zip(sellable, (50, 20, 100, 10))):
        rows.add(RequisitionListItem, list_id=lst, variant_id=variant["id"], quantity=qty, position=position)


# Knowledge base articles: (slug, locale, topic, title, Markdown, visibility, published).
_ARTICLES = [
    ("track-a-shipment", "en", "orders", "Tracking a shipment",
     "Every order lists its **fulfilments** with the carrier and a tracking link.\n\n"
     "1. Open the order.\n2. Follow the tracking link of a shipment.\n\n"
     "Still no sign of it after five days? [Write to us](mailto:help@merchant.example).", "PUBLIC", True),
    ("track-a-shipment", "de", "orders", "Eine Sendung verfolgen",
     "Jede Bestellung zeigt ihre **Lieferungen** mit Spediteur und Sendungsverfolgung.\n\n"
     "Nach fünf Tagen noch nichts? [Schreiben Sie uns](mailto:help@merchant.example).", "PUBLIC", True),
    ("damaged-goods", "en", "orders", "Goods arrived damaged",
     "Request a return of the damaged lines with photos of the damage; we answer within a working day.",
     "PUBLIC", True),
    ("damaged-goods", "de", "orders", "Ware beschädigt angekommen",
     "Beantragen Sie eine Retoure der beschädigten Positionen mit Fotos; wir antworten binnen eines Werktags.",
     "PUBLIC", True),
    ("paying-invoices", "en", "billing", "Paying invoices and payment terms",
     "Open invoices are due after your account's payment terms. Pay them by card in the portal or by bank "
     "transfer; see [payment options](https://merchant.example/payments).", "SIGNED_IN", True),
    ("paying-invoices", "de", "billing", "Rechnungen bezahlen und Zahlungsziel",
     "Offene Rechnungen sind nach dem Zahlungsziel Ihres Kontos fällig. Zahlen Sie per Karte im Portal oder "
     "per Überweisung.", "SIGNED_IN", True),
    ("volume-discounts", "en", "billing", "Volume discounts (draft)",
     "Tiered prices for large quantities: coming soon.", "PUBLIC", False),
]


def _support(rows: Rows, now: datetime) -> None:
    """Knowledge base articles in English and German, and a few tickets in different states."""
    users = {u["email"]: u for u in rows.by_model.get(User, [])}
    accounts = {a["name"]: a for a in rows.by_model.get(Account, [])}
    locations = {loc["name"]: loc for loc in rows.by_model.get(Location, [])}
    topics = {slug: rows.add(KbTopic, slug=slug, title=title, position=i)
              for i, (slug, title) in enumerate((("orders", "Orders and delivery"), ("billing", "Billing")))}
    for slug, locale, topic, title, markdown, visibility, published in _ARTICLES:
        rows.add(KbArticle, slug=slug, locale=locale, topic_id=topics[topic], product_id=None, title=title,
                 body_markdown=markdown, body_html=render(markdown), visibility=ArticleVisibility(visibility),
                 published_at=now - timedelta(days=20) if published else None, author_user_id=None,
                 created_at=now - timedelta(days=30), updated_at=now - timedelta(days=20))
    acme, globex = accounts.get("Acme Industrial"), accounts.get("Globex GmbH")
    buyer, admin = users.get("buyer@acme.example"), users.get("admin@acme.example")
    g_admin, staff = users.get("admin@globex.example"), users.get("support@merchant.example")
    if not (acme and globex and buyer and admin and g_admin and staff):
        return
    tickets = [
        (acme, locations.get("Denver Plant"), buyer, "Gloves arrived with torn boxes", TicketStatus.WAITING_ON_CUSTOMER,
         TicketPriority.HIGH, [(MessageAuthor.CUSTOMER, buyer, "Three of the five boxes of gloves were torn.", False),
                               (MessageAuthor.STAFF, staff, "Priority customer: replace without a return.", True),
                               (MessageAuthor.STAFF, staff, "Sorry about that! New boxes ship today; keep the torn "
                                                            "ones. Did the others arrive intact?", False)]),
        (acme, None, admin, "Add a second billing contact", TicketStatus.RESOLVED, TicketPriority.LOW,
         [(MessageAuthor.CUSTOMER, admin, "Please send invoices to ap@acme.example too.", False),
          (MessageAuthor.STAFF, staff, "Done: invoices now go to both addresses.", False)]),
        (globex, None, g_admin, "Lieferschein fehlt", TicketStatus.OPEN, TicketPriority.NORMAL,
         [(MessageAuthor.CUSTOMER, g_admin, "Der letzten Lieferung lag kein Lieferschein bei.", False)]),
    ]
    for n, (account, location, opener, subject, status, priority, messages) in enumerate(tickets):
        opened = now - timedelta(days=5 - n)
        ticket = rows.add(SupportTicket, number="", account_id=account["id"],
                          location_id=location["id"] if location else None, opened_by_user_id=opener["id"],
                          subject=subject, status=status, priority=priority, order_id=None, invoice_id=None,
                          subscription_id=None, escalated_at=None, escalated_by_user_id=None, offered_article_ids="",
                          created_at=opened, updated_at=opened + timedelta(hours=len(messages)))
        rows.by_model[SupportTicket][-1]["number"] = f"SUP-{ticket:05d}"
        for i, (author, user, body, internal) in enumerate(messages):
            rows.add(SupportMessage, ticket_id=ticket, author_user_id=user["id"], author=author, body=body,
                     internal=internal, created_at=opened + timedelta(hours=i))


async def is_empty(db: Database) -> bool:
    async with db.session() as s:
        return (await s.exec(select(func.count()).select_from(User))).one() == 0


async def seed(db: Database, rows: Rows, progress: Callable[[int], None] | None = None, chunk: int = 5000) -> None:
    """Insert everything in one transaction: a crash leaves the database as empty as it was."""
    async with db.transaction() as s:
        conn = await s.connection()  # Core bulk inserts: no ORM objects for a million rows
        for model in MODELS:
            batch = rows.by_model.get(model, [])
            for i in range(0, len(batch), chunk):
                part = batch[i:i + chunk]
                await conn.execute(sa.insert(model), part)
                if progress:
                    progress(len(part))
        if not db.is_sqlite:
            # Ids were assigned here: move each sequence past them.
            for model in MODELS:
                table = model.__tablename__  # type: ignore[attr-defined]
                await conn.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"))
        else:
            # SQLite's article search index (db/repositories/knowledge_base.py) learns of the articles here.
            articles = rows.by_model.get(KbArticle, [])
            if articles:
                await conn.execute(sa.text("INSERT INTO kb_article_fts (rowid, title, body) VALUES (:id, :title, :body)"),
                                   [{"id": a["id"], "title": a["title"], "body": a["body_markdown"]} for a in articles])


def total_rows(rows: Rows) -> int:
    return sum(len(r) for r in rows.by_model.values())


def demo_now() -> datetime:
    today = date.today()
    return datetime.combine(today, time(12, 0), tzinfo=timezone.utc)
