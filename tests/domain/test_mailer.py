"""The outbox sender: delivered over real SMTP, retried with back-off while the server is down,
failed for good after the last attempt; secrets dropped once sent."""
from sqlmodel import select

from db.models import OutboxMessage
from domain import mail
from domain.mailer import MAX_ATTEMPTS, drain
from integrations.smtp import SmtpTransport
from tests.mailbox import body_of, free_port


async def queue(db, clock, **params):  # type: ignore[no-untyped-def]
    async with db.transaction() as s:
        mail.enqueue(s, to="jo@example.com", template="magic_link", now=clock.now(), locale="de_CH",
                     **({"name": "Jo", "link": "https://portal.test/x?token=pqm_secret", "code": "ABC234"} | params))


async def only(db) -> OutboxMessage:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        return (await s.exec(select(OutboxMessage))).one()


async def test_retries_while_the_server_is_down_then_delivers(db, clock, smtp):
    await queue(db, clock)
    down = SmtpTransport(f"smtp://127.0.0.1:{free_port()}", "Portal <no-reply@portal.test>", timeout=5)
    result = await drain(db, down, clock)
    assert (result.sent, result.retrying) == (0, 1)
    message = await only(db)
    assert message.status == "PENDING" and message.attempts == 1 and message.last_error
    assert (await drain(db, down, clock)).retrying == 0  # not due yet: back-off of a minute
    clock.advance(minutes=1)
    up = SmtpTransport(smtp.url, "Portal <no-reply@portal.test>", timeout=5)
    assert (await drain(db, up, clock)).sent == 1
    received = smtp.last("jo@example.com")
    assert received["Subject"] == "Ihr Anmeldecode: ABC234"  # de_CH falls back to de
    assert "https://portal.test/x?token=pqm_secret" in body_of(received)
    message = await only(db)
    assert message.status == "SENT" and "link" not in message.params and "code" not in message.params


async def test_fails_for_good_after_the_last_attempt(db, clock):
    await queue(db, clock)
    down = SmtpTransport(f"smtp://127.0.0.1:{free_port()}", "p@portal.test", timeout=5)
    for _ in range(MAX_ATTEMPTS):
        await drain(db, down, clock)
        clock.advance(hours=2)
    message = await only(db)
    assert message.status == "FAILED" and message.attempts == MAX_ATTEMPTS


async def test_a_template_missing_a_parameter_fails_without_retrying(db, clock, smtp):
    async with db.transaction() as s:
        mail.enqueue(s, to="jo@example.com", template="magic_link", now=clock.now(), name="Jo")
    result = await drain(db, SmtpTransport(smtp.url, "p@portal.test", timeout=5), clock)
    assert result.failed == 1 and (await only(db)).status == "FAILED" and smtp.messages == []
