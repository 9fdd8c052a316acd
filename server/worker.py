"""`portalql worker`: background jobs. Today: send the mail outbox, with retries and back-off."""
import asyncio
import logging

from db.engine import Database
from domain.clock import SystemClock
from domain.mailer import drain
from server.settings import Settings

log = logging.getLogger("portalql.worker")


async def run_worker(settings: Settings, *, interval: float = 5.0, once: bool = False) -> int:
    if not settings.smtp_url:
        if settings.production:
            print("PORTALQL_SMTP_URL must be set in production: nothing would ever be sent.", flush=True)
            return 2
        print("PORTALQL_SMTP_URL is not set: messages stay in the outbox (see `portalql mail list`).", flush=True)
        return 0
    from integrations.smtp import SmtpTransport  # noqa: PLC0415

    transport = SmtpTransport(settings.smtp_url, settings.mail_from)
    db = Database(settings.database_url)
    clock = SystemClock()
    try:
        while True:
            try:
                result = await drain(db, transport, clock)
                if result.sent or result.retrying or result.failed:
                    log.info("outbox: %s sent, %s to retry, %s failed", result.sent, result.retrying, result.failed)
            except Exception:  # noqa: BLE001 - a database hiccup must not stop the worker
                log.exception("outbox pass failed; trying again")
            if once:
                return 0
            await asyncio.sleep(interval)
    finally:
        await db.dispose()
