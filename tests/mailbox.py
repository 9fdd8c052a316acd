"""A real SMTP server (aiosmtpd) on loopback, and delivering the outbox to it through the SMTP
adapter, as `portalql worker` does. Import the fixtures into a test module to use them."""
import re
import socket
from email import message_from_bytes
from email.policy import default as default_policy
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from db.engine import Database
from domain.mailer import drain
from integrations.smtp import SmtpTransport


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.raw: list[bytes] = []  # as received, to check how headers were written

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook
        self.raw.append(envelope.original_content or envelope.content)
        self.messages.append(message_from_bytes(self.raw[-1], policy=default_policy))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    def last(self, address: str) -> Message:
        found = self.to(address)
        assert found, f"no mail to {address}; got {[m['To'] for m in self.messages]}"
        return found[-1]


def body_of(message: Message) -> str:
    """The plain text (of a multipart/alternative message: its text part)."""
    return message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[attr-defined]


def html_in(message: Message) -> str:
    """The HTML part of a multipart/alternative message."""
    part = message.get_body(preferencelist=("html",))  # type: ignore[attr-defined]
    assert part is not None and part.get_content_type() == "text/html", message
    return part.get_content()


def token_in(message: Message) -> str:
    found = re.search(r"[?#]token=([A-Za-z0-9_\-]+)", body_of(message))
    assert found, body_of(message)
    return found.group(1)


def code_in(message: Message) -> str:
    found = re.search(r": ([A-Z2-9]{6})\b", message["Subject"])
    assert found, message["Subject"]
    return found.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp() -> Any:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{port}"  # type: ignore[attr-defined]
    yield inbox
    controller.stop()


@pytest.fixture
def deliver(db: Database, clock: Any, smtp: Inbox) -> Any:
    """deliver() -> the drain result: sends every due outbox message to the test SMTP server."""
    transport = SmtpTransport(smtp.url, "Portal <no-reply@portal.test>", timeout=10)  # type: ignore[attr-defined]

    async def run() -> Any:
        return await drain(db, transport, clock)
    return run
