"""`portalql mail ...` and `portalql apikey ...`: the outbox and the merchant backend's API keys."""
import argparse
from typing import Any

from db.engine import Database
from db.repositories import clients, outbox
from domain import audit
from domain.audit import Actor
from domain.clock import SystemClock
from domain.identity.api_keys import create_key
from domain.mailer import compose
from domain.notifications import Links, decide
from i18n.mail import TemplateError, subject as subject_of
from server.settings import Settings


def add_commands(sub: Any) -> None:
    mail = sub.add_parser("mail", help="the mail outbox")
    mail_sub = mail.add_subparsers(dest="mail_command", required=True)
    ls = mail_sub.add_parser("list", help="recent messages, newest first")
    ls.add_argument("--status", choices=["PENDING", "SENT", "FAILED", "SKIPPED"])
    ls.add_argument("--to")
    ls.add_argument("--limit", type=int, default=20)
    show = mail_sub.add_parser("show", help="print one message as it will be (or was) sent")
    show.add_argument("id", type=int)
    show.add_argument("--html", action="store_true", help="print its HTML part too")
    worker = sub.add_parser("worker", help="renew subscriptions, queue invoice reminders, send the mail outbox "
                                           "(PORTALQL_SMTP_URL) and deliver webhooks, retrying with back-off")
    worker.add_argument("--interval", type=float, default=5.0)
    worker.add_argument("--once", action="store_true", help="one pass, then exit")
    worker.add_argument("--webhooks-only", action="store_true",
                        help="deliver webhooks and nothing else (more of them beside one full worker)")
    key = sub.add_parser("apikey", help="secret API keys of the merchant's backend (server-made customer sessions)")
    key_sub = key.add_subparsers(dest="apikey_command", required=True)
    create = key_sub.add_parser("create", help="print a new key (shown once)")
    create.add_argument("--name", required=True)
    key_sub.add_parser("list", help="list keys (never the keys themselves)")
    revoke = key_sub.add_parser("revoke", help="revoke a key")
    revoke.add_argument("id", type=int)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "worker":
        from server.worker import run_worker  # noqa: PLC0415

        return await run_worker(settings, interval=args.interval, once=args.once, webhooks_only=args.webhooks_only)
    db = Database(settings.database_url)
    try:
        if args.command == "mail":
            return await _mail(db, args, Links(settings.sessions.public_url, settings.sessions.secret_key))
        return await _apikey(db, args)
    finally:
        await db.dispose()


async def _mail(db: Database, args: argparse.Namespace, links: Links) -> int:
    async with db.session() as s:
        if args.mail_command == "list":
            rows = await outbox.recent_messages(s, max(1, min(args.limit, 500)), args.status, args.to)
            for m in rows:
                try:
                    subject = subject_of(m.template, m.locale, m.params)
                except TemplateError:
                    subject = f"({m.template}, locale {m.locale})"
                print(f"{m.id:>6}  {m.status:<7}  {m.created_at:%Y-%m-%d %H:%M}  {m.to_address:<32}  {subject}"
                      + (f"  [attempts {m.attempts}: {m.last_error}]" if m.last_error else ""))
            if not rows:
                print("the outbox is empty")
            return 0
        m = await outbox.message(s, args.id)
        if m is None:
            print(f"no message {args.id}")
            return 1
        # As the sender would send it now: with the footer and unsubscribe link of its category,
        # or what keeps it from being sent.
        decision = (await decide(s, [m], links)).get(m.id)  # type: ignore[arg-type]
        try:
            rendered, html, headers = compose(m, decision)
        except TemplateError as e:
            print(f"cannot render: {e} (links and codes are dropped once a message is sent)")
            return 1
        extra = "".join(f"{name}: {value}\n" for name, value in headers.items())
        if decision is not None and not decision.send:
            extra += f"Not sent: {decision.reason}\n"
        print(f"To: {m.to_address}\nSubject: {rendered.subject}\nStatus: {m.status}\n{extra}\n{rendered.body}")
        if args.html:
            print(html)
        return 0


async def _apikey(db: Database, args: argparse.Namespace) -> int:
    now = SystemClock().now()
    if args.apikey_command == "create":
        async with db.transaction() as s:
            key, row = create_key(s, args.name, now)
        print(key)
        return 0
    if args.apikey_command == "list":
        async with db.session() as s:
            for k in await clients.api_keys(s):
                state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
                used = f"last used {k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never used"
                print(f"{k.id:>4}  {k.prefix}...  {k.name:<30}  {state:<18}  {used}")
        return 0
    async with db.transaction() as s:
        k = await clients.api_key(s, args.id)
        if k is None:
            print(f"no API key {args.id}")
            return 1
        if k.revoked_at is None:
            k.revoked_at = now
            s.add(k)
            audit.record(s, Actor("SYSTEM"), "api_key.revoke", now, target_type="ApiKey", target_id=k.id)
    print(f"API key {args.id} revoked")
    return 0
