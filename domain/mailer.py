"""Sending the outbox: render each due message, hand it to the mail transport, and retry with
back-off when the mail server is down, so no message is lost.

The transport is a small Protocol; integrations/smtp.py is the SMTP adapter (aiosmtplib)."""
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from db.engine import Database
from db.models import OutboxMessage
from db.repositories.outbox import due_messages
from domain.clock import Clock
from i18n.mail import TemplateError, render

log = logging.getLogger("portalql.mail")

MAX_ATTEMPTS = 8  # about four hours of retries with the back-off below
# Parameters that carry secrets (sign-in links and codes): dropped once the message is sent.
SECRET_PARAMS = frozenset({"link", "code", "token"})


class MailTransport(Protocol):
    async def send(self, *, to: str, subject: str, body: str) -> None:
        """Deliver one message; raise on any failure (it is retried later)."""


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after the n-th failure, at most an hour."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


@dataclass
class DrainResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


async def drain(db: Database, transport: MailTransport, clock: Clock, *, batch: int = 50) -> DrainResult:
    """Send what is due now; one pass. The worker calls this in a loop."""
    result = DrainResult()
    now = clock.now()
    async with db.transaction() as session:
        for message in await due_messages(session, now, batch):
            _settle(message, await _deliver(transport, message), now, result)
            session.add(message)
    return result


async def _deliver(transport: MailTransport, message: OutboxMessage) -> Exception | None:
    try:
        rendered = render(message.template, message.locale, message.params)
    except TemplateError as e:
        return e
    try:
        await transport.send(to=message.to_address, subject=rendered.subject, body=rendered.body)
    except Exception as e:  # noqa: BLE001 - any failure of the mail server is retried
        return e
    return None


def _settle(message: OutboxMessage, error: Exception | None, now, result: DrainResult) -> None:  # type: ignore[no-untyped-def]
    message.attempts += 1
    if error is None:
        message.status = "SENT"
        message.sent_at = now
        message.last_error = None
        message.params = {k: v for k, v in message.params.items() if k not in SECRET_PARAMS}
        result.sent += 1
        log.info("mail %s (%s) sent to %s", message.id, message.template, message.to_address)
        return
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    if isinstance(error, TemplateError) or message.attempts >= MAX_ATTEMPTS:
        message.status = "FAILED"
        result.failed += 1
        log.error("mail %s (%s) failed for good: %s", message.id, message.template, message.last_error)
    else:
        message.next_attempt_at = now + backoff(message.attempts)
        result.retrying += 1
        log.warning("mail %s (%s) attempt %s failed, retrying: %s", message.id, message.template,
                    message.attempts, message.last_error)
