"""`portalql worker`: background jobs. Renew the subscriptions that are due (retry their failed
charges, place recurring orders, send renewal and expiring-card notices), queue the invoice
reminders that are due, send the mail outbox with retries and back-off, forget idempotency keys
older than a day and webhook events older than 35 days, and deliver webhooks (in a loop of their
own, so a slow receiver never holds up the rest)."""
import asyncio
import logging
from typing import Any

from db.engine import Database
from domain import idempotency
from domain.clock import Clock, SystemClock
from domain.invoice_mail import send_reminders
from domain.invoicing import MerchantSettings
from domain.mailer import MailTransport, drain
from domain.notifications import DEVELOPMENT_LINKS, Links
from domain.payments import PaymentGateway
from domain.pricing import ListPriceRates
from domain.subscriptions import renewals
from domain.webhooks import delivery as webhooks
from domain.webhooks.settings import WebhookSettings
from server.settings import Settings

log = logging.getLogger("portalql.worker")


async def run_worker(settings: Settings, *, interval: float = 5.0, once: bool = False,
                     clock: Clock | None = None, webhooks_only: bool = False) -> int:
    if webhooks_only:
        return await _deliver_webhooks(settings, clock or SystemClock(), once=once)
    transport: MailTransport | None = None
    if settings.smtp_url:
        from integrations.smtp import SmtpTransport  # noqa: PLC0415

        transport = SmtpTransport(settings.smtp_url, settings.mail_from)
    elif settings.production:
        print("PORTALQL_SMTP_URL must be set in production: nothing would ever be sent.", flush=True)
        return 2
    else:
        print("PORTALQL_SMTP_URL is not set: messages stay in the outbox (see `portalql mail list`); "
              "invoice reminders are still queued there.", flush=True)
    db = Database(settings.database_url)
    clock = clock or SystemClock()
    merchant = settings.sessions.merchant()
    from server.app import make_gateway  # noqa: PLC0415 - the app's gateway, built once

    gateway = make_gateway(settings)
    links = Links(settings.sessions.public_url, settings.sessions.secret_key)
    from integrations.webhook_http import HttpSender  # noqa: PLC0415

    sender, hooks = HttpSender(), settings.sessions.webhooks
    dispatcher = None if once else asyncio.create_task(webhooks.Dispatcher(db, sender, clock, hooks).loop())
    try:
        while True:
            await work_once(db, transport, clock, merchant, gateway, links, settings.sessions.list_price_rates,
                            (sender, hooks) if once else None)
            if once:
                return 0
            await asyncio.sleep(interval)
    finally:
        if dispatcher is not None:
            dispatcher.cancel()
        await sender.close()
        await db.dispose()


async def _deliver_webhooks(settings: Settings, clock: Clock, *, once: bool = False) -> int:
    """`portalql worker --webhooks-only`: the webhook delivery loop alone, so that deliveries scale
    out (any number of these on one database) and no other job's work shares their event loop."""
    from integrations.webhook_http import HttpSender  # noqa: PLC0415

    db, sender = Database(settings.database_url), HttpSender()
    try:
        dispatcher = webhooks.Dispatcher(db, sender, clock, settings.sessions.webhooks)
        await (dispatcher.once() if once else dispatcher.loop())
    finally:
        await sender.close()
        await db.dispose()
    return 0


async def work_once(db: Database, transport: Any, clock: Clock, merchant: MerchantSettings,
                    gateway: PaymentGateway | None = None, links: Links = DEVELOPMENT_LINKS,
                    rates: ListPriceRates | None = None,
                    hooks: tuple[webhooks.Sender, WebhookSettings] | None = None) -> None:
    """One pass: the subscription renewals and dunning retries (when a gateway is given), the
    invoice reminders that are due, the outbox (when mail can be sent), then the idempotency keys
    past their day. A failing step (a database hiccup) must not stop the others or the worker."""
    if gateway is not None:
        try:
            renewed = await renewals.run(db, gateway, clock, merchant, rates=rates)
            if renewed != renewals.Renewed():
                log.info("subscriptions: %s renewed (%s paid), %s charges failed, %s recovered, %s cancelled, "
                         "%s expired; recurring orders: %s placed (%s awaiting approval), %s refused; notices: "
                         "%s renewals, %s expiring cards", renewed.cycles, renewed.paid, renewed.failed,
                         renewed.recovered, renewed.cancelled, renewed.expired, renewed.orders,
                         renewed.awaiting_approval, renewed.not_placed, renewed.notices, renewed.card_notices)
        except Exception:  # noqa: BLE001
            log.exception("subscription renewals failed; trying again")
    try:
        reminded = await send_reminders(db, clock, merchant)
        if reminded.invoices:
            log.info("invoice reminders: %s invoices, %s emails queued", reminded.invoices, reminded.emails)
    except Exception:  # noqa: BLE001
        log.exception("invoice reminders failed; trying again")
    if transport is not None:
        try:
            result = await drain(db, transport, clock, links=links)
            if result.sent or result.retrying or result.failed or result.skipped:
                log.info("outbox: %s sent, %s to retry, %s failed, %s not sent (preferences)", result.sent,
                         result.retrying, result.failed, result.skipped)
        except Exception:  # noqa: BLE001
            log.exception("outbox pass failed; trying again")
    if hooks is not None:  # one pass here (tests, --once); `portalql worker` runs webhooks.Dispatcher
        try:
            passed = await webhooks.run(db, hooks[0], clock, hooks[1])
            if passed.delivered or passed.failed:
                log.info("webhooks: %s delivered, %s failed attempts", passed.delivered, passed.failed)
        except Exception:  # noqa: BLE001
            log.exception("webhook pass failed; trying again")
    try:
        pruned = await idempotency.prune(db, clock.now())
        if pruned:
            log.info("idempotency keys: %s older than %s hours forgotten", pruned, idempotency.KEEP_HOURS)
    except Exception:  # noqa: BLE001
        log.exception("pruning idempotency keys failed; trying again")
    try:
        forgotten = await webhooks.prune(db, clock.now())
        if forgotten:
            log.info("webhook events: %s older than %s days forgotten", forgotten, webhooks.KEEP_DAYS)
    except Exception:  # noqa: BLE001
        log.exception("pruning webhook events failed; trying again")
