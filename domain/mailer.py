"""Sending the outbox: render each due message, hand it to the mail transport, and retry with
back-off when the mail server is down, so no message is lost.

Before sending, each message of a batch is checked against its recipient's notification
preferences (domain.notifications.decide): one turned off is SKIPPED; one not essential is sent
with a one-click unsubscribe link (List-Unsubscribe and List-Unsubscribe-Post headers, RFC 8058,
and a last line saying so). Every message goes as text and HTML (multipart/alternative).

The transport is a small Protocol; integrations/smtp.py is the SMTP adapter (aiosmtplib)."""
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from db.engine import Database
from db.models import OutboxMessage
from db.repositories.outbox import due_messages
from domain.clock import Clock
from domain.notifications import DEVELOPMENT_LINKS, Decision, Links, decide
from i18n.mail import RenderedMail, TemplateError, html_of, render, unsubscribe_footer

log = logging.getLogger("portalql.mail")

MAX_ATTEMPTS = 8  # about four hours of retries with the back-off below
# Parameters that carry secrets (sign-in links and codes): dropped once the message is sent.
SECRET_PARAMS = frozenset({"link", "code", "token"})


class MailTransport(Protocol):
    async def send(self, *, to: str, subject: str, body: str, html: str | None = None,
                   headers: dict[str, str] | None = None) -> None:
        """Deliver one message (text, and HTML as its alternative; extra headers); raise on any
        failure (it is retried later)."""


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after the n-th failure, at most an hour."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


@dataclass
class DrainResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0  # turned off by the recipient's preferences


async def drain(db: Database, transport: MailTransport, clock: Clock, *, batch: int = 50,
                links: Links = DEVELOPMENT_LINKS) -> DrainResult:
    """Send what is due now; one pass. The worker calls this in a loop."""
    result = DrainResult()
    now = clock.now()
    async with db.transaction() as session:
        messages = await due_messages(session, now, batch)
        decisions = await decide(session, messages, links)
        for message in messages:
            decision = decisions.get(message.id)  # type: ignore[arg-type]
            if decision is not None and not decision.send:
                _skip(message, decision, now, result)
            else:
                _settle(message, await _deliver(transport, message, decision), now, result)
            session.add(message)
    return result


def compose(message: OutboxMessage, decision: Decision | None) -> tuple[RenderedMail, str, dict[str, str]]:
    """The message as sent: rendered text (with the unsubscribe line when it has a link), its
    HTML, and its extra headers. Raises TemplateError, also for a template with no category."""
    if decision is None:
        raise TemplateError(f"no notification category for template {message.template!r}")
    rendered = render(message.template, message.locale, message.params)
    headers: dict[str, str] = {}
    body = rendered.body
    if decision.unsubscribe_url and decision.category:
        body = body.rstrip("\n") + "\n\n-- \n" + unsubscribe_footer(
            rendered.locale, decision.category.value, decision.unsubscribe_url) + "\n"
        headers = {"List-Unsubscribe": f"<{decision.unsubscribe_url}>",
                   "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    rendered = RenderedMail(rendered.subject, body, rendered.locale)
    return rendered, html_of(body, rendered.subject, rendered.locale), headers


async def _deliver(transport: MailTransport, message: OutboxMessage, decision: Decision | None) -> Exception | None:
    try:
        rendered, html, headers = compose(message, decision)
    except TemplateError as e:
        return e
    try:
        await transport.send(to=message.to_address, subject=rendered.subject, body=rendered.body, html=html,
                             headers=headers)
    except Exception as e:  # noqa: BLE001 - any failure of the mail server is retried
        return e
    return None


def _skip(message: OutboxMessage, decision: Decision, now, result: DrainResult) -> None:  # type: ignore[no-untyped-def]
    message.status = "SKIPPED"
    message.last_error = decision.reason
    message.params = {k: v for k, v in message.params.items() if k not in SECRET_PARAMS}
    message.sent_at = None
    result.skipped += 1
    log.info("mail %s (%s) to %s not sent: %s", message.id, message.template, message.to_address, decision.reason)


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
