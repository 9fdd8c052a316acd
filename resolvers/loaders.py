"""The dataloaders of one request, by domain: `ctx.loaders.<domain>.<relation>`, each a Strawberry
`DataLoader` over a batch function of `db/loaders/<domain>.py`, made on first use (a request pays
only for those it uses). schema/relations.py names them by that path ("orders.lines")."""
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any

from strawberry.dataloader import AbstractCache, DataLoader

from db.engine import Database
from db.loaders import (accounts, billing, carts, catalog, fulfilment, orders, payments, pricing, profile, quotes,
                        requisitions, subscriptions)
from db.loaders import files as file_batches  # (FileLoaders has a `files`)
from db.loaders import returns as return_batches  # (ReturnLoaders has a `returns`)
from db.loaders import support
from domain.ordering import Pricer
from domain.pricing import ListPriceRates
from permissions.caller import Caller
from permissions.policy import rule
from resolvers import pricing as prices

Batch = Callable[[Database, Sequence[Any]], Any]


class _Loader:
    """A class attribute that becomes the request's loader over a batch function on first use,
    then stays in the instance (like functools.cached_property). `of` picks the batch function
    for the request's caller or instant."""
    __slots__ = ("batch", "of", "name")

    def __init__(self, batch: Batch | None = None, *, of: "Callable[[_Domain], Batch] | None" = None) -> None:
        self.batch = batch
        self.of = of
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, domain: "_Domain | None", owner: type | None = None) -> Any:
        if domain is None:
            return self
        made = domain.__dict__[self.name] = domain.make(self.batch if self.of is None else self.of(domain))
        return made


class Futures(AbstractCache[Any, Any]):
    """A loader's cache (its `cache_map`): the future of each key's value. schema/execution.py
    reads it through `get` for every relation of every row it completes, so `get` and `set` are
    the dict's own methods, bound per instance: no Python call, and no key function per call
    like Strawberry's default cache."""

    def __init__(self) -> None:
        self.futures: dict[Any, Any] = {}
        self.get = self.futures.get  # type: ignore[method-assign]
        self.set = self.futures.__setitem__  # type: ignore[method-assign]

    def get(self, key: Any) -> Any:
        return self.futures.get(key)

    def set(self, key: Any, value: Any) -> None:
        self.futures[key] = value

    def delete(self, key: Any) -> None:
        del self.futures[key]

    def clear(self) -> None:
        self.futures.clear()


class _Domain:
    def __init__(self, db: Database, caller: Caller, now: datetime, rates: ListPriceRates) -> None:
        self.db = db
        self.caller = caller
        self.now = now
        self.rates = rates  # the merchant's list price rates (prices in a price list's currency)

    def make(self, batch: Batch) -> DataLoader:
        db = self.db
        cache = Futures()

        async def load(keys: list[Any]) -> Any:
            try:
                return await batch(db, keys)
            except Exception:
                # A batch that failed as a whole is not remembered: a later load of its keys tries
                # again (the loads waiting on it get the error).
                for key in keys:
                    cache.futures.pop(key, None)
                raise
        return DataLoader(load, cache_map=cache)


class AccountLoaders(_Domain):
    account = _Loader(accounts.account_by_id)
    currency = _Loader(accounts.currency_by_account)
    location = _Loader(accounts.location_by_id)
    user = _Loader(accounts.user_by_id)
    address = _Loader(accounts.address_by_id)
    addresses = _Loader(accounts.addresses_by_location)
    book = _Loader(profile.addresses_by_user)
    profile_fields = _Loader(profile.profile_fields)
    roles = _Loader(accounts.roles_by_membership)
    locations = _Loader(of=lambda d: accounts.locations_by_account(d.caller.scope(rule("rows:Location"))))
    members = _Loader(of=lambda d: accounts.memberships_by_account(d.caller.scope(rule("rows:Membership"))))


class CatalogLoaders(_Domain):
    product = _Loader(catalog.product_by_id)
    variant = _Loader(catalog.variant_by_id)
    # Staff see a product's inactive variants too.
    variants = _Loader(of=lambda d: catalog.variants_by_product if d.caller.is_staff
                       else catalog.active_variants_by_product)


class PricingLoaders(_Domain):
    schedule = _Loader(of=lambda d: prices.schedules_at(d.now, d.rates))  # keyed by (location id, variant id)
    entries = _Loader(pricing.entries_by_price_list)
    rules = _Loader(pricing.rules_by_price_list)

    @property
    def pricer(self) -> Pricer:
        """Contracted prices through the schedule loader (batched, one instant)."""
        return prices.pricer(self.schedule)

    def pricer_in(self, session: Any) -> Pricer:
        """The same prices, read in a mutation's own transaction (see resolvers/pricing.py)."""
        return prices.pricer_in(session, self.now, self.rates)


class OrderLoaders(_Domain):
    order = _Loader(orders.order_by_id)
    line = _Loader(orders.line_by_id)
    lines = _Loader(orders.lines_by_order)
    approvals = _Loader(orders.approvals_by_order)
    approval_request = _Loader(orders.approval_request_by_order)


class BillingLoaders(_Domain):
    invoices = _Loader(billing.invoices_by_order)
    lines = _Loader(billing.lines_by_invoice)
    payments = _Loader(billing.payments_by_invoice)
    balance = _Loader(billing.balance_by_account)
    due_totals = _Loader(of=lambda d: billing.due_totals_by_account(d.now.date()))
    invoice = _Loader(billing.invoice_by_id)
    replaced_by = _Loader(billing.invoice_replacing)
    credit_notes = _Loader(billing.credit_notes_by_invoice)
    credit_note_lines = _Loader(billing.lines_by_credit_note)
    credit_balances = _Loader(billing.credit_balances_by_account)


class FulfilmentLoaders(_Domain):
    fulfilments = _Loader(fulfilment.fulfilments_by_order)
    lines = _Loader(fulfilment.lines_by_fulfilment)
    events = _Loader(fulfilment.events_by_fulfilment)
    fulfilled_quantity = _Loader(fulfilment.fulfilled_by_order_line)


class ReturnLoaders(_Domain):
    returns = _Loader(return_batches.returns_by_order)
    lines = _Loader(return_batches.lines_by_return)
    photos = _Loader(return_batches.photos_by_return)
    refunds = _Loader(return_batches.refunds_by_return)
    order_refunds = _Loader(return_batches.refunds_by_order)
    returned_quantity = _Loader(return_batches.returned_by_order_line)


class SupportLoaders(_Domain):
    # Internal notes are for staff: customers' loaders never read them.
    messages = _Loader(of=lambda d: support.messages_by_ticket if d.caller.is_staff
                       else support.public_messages_by_ticket)
    attachments = _Loader(support.attachments_by_message)
    topic = _Loader(support.topic_by_id)


class SubscriptionLoaders(_Domain):
    items = _Loader(subscriptions.items_by_subscription)
    events = _Loader(subscriptions.events_by_subscription)
    addons = _Loader(subscriptions.addons_by_subscription)


class RequisitionLoaders(_Domain):
    items = _Loader(requisitions.items_by_list)


class CartLoaders(_Domain):
    cart = _Loader(carts.cart_by_id)
    lines = _Loader(carts.lines_by_cart)


class PaymentLoaders(_Domain):
    methods = _Loader(payments.methods_by_account)


class FileLoaders(_Domain):
    files = _Loader(file_batches.files_by_variant)
    downloads = _Loader(file_batches.downloads_by_purchase)
    activations = _Loader(file_batches.activations_by_license)
    subscription = _Loader(file_batches.subscription_by_id)


class QuoteLoaders(_Domain):
    quote = _Loader(quotes.quote_by_id)
    lines = _Loader(quotes.lines_by_quote)


def _domain(kind: type[_Domain]) -> Any:
    def make(loaders: "Loaders") -> _Domain:
        return kind(loaders.db, loaders.caller, loaders.now, loaders.rates)
    return cached_property(make)


class Loaders:
    """A request's loaders. The domains hold no reference back to this object, so a request's
    loaders and rows are freed by reference counting when it ends."""

    def __init__(self, db: Database, caller: Caller, now: datetime, rates: ListPriceRates | None = None) -> None:
        self.db = db
        self.caller = caller
        self.now = now
        self.rates = rates or ListPriceRates()

    accounts: AccountLoaders = _domain(AccountLoaders)
    catalog: CatalogLoaders = _domain(CatalogLoaders)
    pricing: PricingLoaders = _domain(PricingLoaders)
    orders: OrderLoaders = _domain(OrderLoaders)
    billing: BillingLoaders = _domain(BillingLoaders)
    fulfilment: FulfilmentLoaders = _domain(FulfilmentLoaders)
    returns: ReturnLoaders = _domain(ReturnLoaders)
    support: SupportLoaders = _domain(SupportLoaders)
    subscriptions: SubscriptionLoaders = _domain(SubscriptionLoaders)
    requisitions: RequisitionLoaders = _domain(RequisitionLoaders)
    carts: CartLoaders = _domain(CartLoaders)
    quotes: QuoteLoaders = _domain(QuoteLoaders)
    payments: PaymentLoaders = _domain(PaymentLoaders)
    files: FileLoaders = _domain(FileLoaders)
