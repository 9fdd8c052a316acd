"""PORTALQL_STAFF_NOTIFY_EMAIL and _LOCALE reach the merchant settings that quotes read; an address
that is not one stops the start with a message. The worker signs unsubscribe links with
PORTALQL_SECRET_KEY and points them at PORTALQL_PUBLIC_URL."""
import pytest

from server.settings import Settings


def test_the_staff_address_comes_from_the_environment(monkeypatch):
    merchant = Settings.from_env().sessions.merchant()
    assert (merchant.staff_notify_email, merchant.staff_notify_locale) == (None, "en")
    monkeypatch.setenv("PORTALQL_STAFF_NOTIFY_EMAIL", " Sales@Merchant.example ")
    monkeypatch.setenv("PORTALQL_STAFF_NOTIFY_LOCALE", "de-AT")
    merchant = Settings.from_env().sessions.merchant()
    assert (merchant.staff_notify_email, merchant.staff_notify_locale) == ("sales@merchant.example", "de_AT")
    for bad in ("sales", "a@b", "x" * 300 + "@merchant.example"):
        monkeypatch.setenv("PORTALQL_STAFF_NOTIFY_EMAIL", bad)
        with pytest.raises(SystemExit, match="PORTALQL_STAFF_NOTIFY_EMAIL"):
            Settings.from_env()


async def test_the_worker_signs_links_with_the_servers_key_and_address(db, clock, smtp):
    from domain import mail  # noqa: PLC0415
    from domain.invoicing import MerchantSettings  # noqa: PLC0415
    from domain.notifications import Links, read_token  # noqa: PLC0415
    from integrations.smtp import SmtpTransport  # noqa: PLC0415
    from server.worker import work_once  # noqa: PLC0415

    async with db.transaction() as s:
        mail.enqueue(s, to="buyer@acme.example", template="quote_ready", now=clock.now(), name="Bob", number="Q-1",
                     total="$1.00", expires_on="-", note="")
    key = "s" * 40
    await work_once(db, SmtpTransport(smtp.url, "p@portal.test", timeout=10), clock, MerchantSettings(),
                    links=Links("https://api.example.com", key))
    url = smtp.last("buyer@acme.example")["List-Unsubscribe"].strip("<>")
    assert url.startswith("https://api.example.com/unsubscribe/")
    assert read_token(key, url.rsplit("/", 1)[1]) is not None and read_token("o" * 40, url.rsplit("/", 1)[1]) is None
