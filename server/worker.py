"""`portalql worker`: background jobs. Queue the invoice reminders that are due, and send the mail
outbox with retries and back-off."""
import asyncio
import logging

from db.engine import Database
from domain.clock import SystemClock
from domain.invoice_mail import send_reminders
from domain.mailer import MailTransport, drain
from server.settings import Settings

log = logging.getLogger("portalql.worker")


async def run_worker(settings: Settings, *, interval: float = 5.0, once: bool = False) -> int:
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
    clock = SystemClock()
    merchant = settings.sessions.merchant()
    try:
        while True:
            try:
                reminded = await send_reminders(db, clock, merchant)
                if reminded.invoices:
                    log.info("invoice reminders: %s invoices, %s emails queued", reminded.invoices, reminded.emails)
                if transport is not None:
                    result = await drain(db, transport, clock)
                    if result.sent or result.retrying or result.failed:
                        log.info("outbox: %s sent, %s to retry, %s failed", result.sent, result.retrying,
                                 result.failed)
            except Exception:  # noqa: BLE001 - a database hiccup must not stop the worker
                log.exception("worker pass failed; trying again")
            if once:
                return 0
            await asyncio.sleep(interval)
    finally:
        await db.dispose()
