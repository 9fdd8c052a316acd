"""The SMTP adapter of domain.mailer.MailTransport, with aiosmtplib.

PORTALQL_SMTP_URL: smtp://user:password@host:587 (STARTTLS when the server offers it),
smtps://host:465 (TLS from the start), smtp://127.0.0.1:1025 (plain, for a local catcher)."""
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

import aiosmtplib

# Header lines up to RFC 5322's 998 characters: a List-Unsubscribe URL has no space to fold at,
# and at the usual 78 the stdlib would turn it into encoded words that mail clients do not read.
POLICY = SMTP.clone(max_line_length=998)


class SmtpTransport:
    def __init__(self, url: str, sender: str, *, timeout: float = 30) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("PORTALQL_SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465")
        self.host = parts.hostname
        self.use_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.use_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.timeout = timeout

    async def send(self, *, to: str, subject: str, body: str, html: str | None = None,
                   headers: dict[str, str] | None = None) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2].strip(">") or None)
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content(body)
        if html is not None:  # multipart/alternative: clients show the last part they can (the HTML)
            message.add_alternative(html, subtype="html")
        await aiosmtplib.send(message.as_bytes(policy=POLICY), sender=parseaddr(self.sender)[1], recipients=[to],
                              hostname=self.host, port=self.port, username=self.username,
                              password=self.password, use_tls=self.use_tls, timeout=self.timeout)
