"""`portalql worker`: background jobs. Sends the mail outbox, with retries and back-off, and
forgets idempotency keys older than a day (domain.idempotency.prune)."""
import asyncio
import logging
from typing import Any

from db.engine import Database
from domain import idempotency
from domain.clock import Clock, SystemClock
from domain.mailer import drain
from server.settings import Settings

log = logging.getLogger("portalql.worker")


async def run_worker(settings: Settings, *, interval: float = 5.0, once: bool = False,
                     clock: Clock | None = None) -> int:
    transport: Any = None
    if not settings.smtp_url:
        if settings.production:
            print("PORTALQL_SMTP_URL must be set in production: nothing would ever be sent.", flush=True)
            return 2
        print("PORTALQL_SMTP_URL is not set: messages stay in the outbox (see `portalql mail list`).", flush=True)
    else:
        from integrations.smtp import SmtpTransport  # noqa: PLC0415

        transport = SmtpTransport(settings.smtp_url, settings.mail_from)
    db = Database(settings.database_url)
    clock = clock or SystemClock()
    try:
        while True:
            await work_once(db, transport, clock)
            if once:
                return 0
            await asyncio.sleep(interval)
    finally:
        await db.dispose()


async def work_once(db: Database, transport: Any, clock: Clock) -> None:
    """One pass: the outbox (when mail can be sent), then the idempotency keys past their day."""
    if transport is not None:
        try:
            result = await drain(db, transport, clock)
            if result.sent or result.retrying or result.failed:
                log.info("outbox: %s sent, %s to retry, %s failed", result.sent, result.retrying, result.failed)
        except Exception:  # noqa: BLE001 - a database hiccup must not stop the worker
            log.exception("outbox pass failed; trying again")
    try:
        pruned = await idempotency.prune(db, clock.now())
        if pruned:
            log.info("idempotency keys: %s older than %s hours forgotten", pruned, idempotency.KEEP_HOURS)
    except Exception:  # noqa: BLE001
        log.exception("pruning idempotency keys failed; trying again")
