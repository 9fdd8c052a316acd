"""Racing for the last of something on PostgreSQL: machines activating a key with one activation
left, and downloads of a purchase with one download left. Exactly one wins each race."""
import asyncio

import pytest
from sqlmodel import select

from db.models import DigitalFile, DigitalPurchase, DigitalVariant, DownloadEvent, LicenseActivation, Order, User
from domain import digital, licenses
from integrations.storage_local import LocalDiskStorage
from resolvers.globalid import encode
from server.settings import Settings
from tests.order_factories import BUYER, count, open_order

pytestmark = pytest.mark.postgres
SECRET = Settings().sessions.secret_key
ZIP = b"PK\x03\x04" + b"\x00" * 100


@pytest.fixture
def settings(db, tmp_path):
    return Settings(database_url=db.url, upload_dir=str(tmp_path / "uploads"))


async def _granted(db, clock, **spec):
    order, lines = await open_order(db, quantities=(1,))
    async with db.transaction() as s:
        s.add(DigitalVariant(variant_id=lines[0].variant_id, **spec))
        f = DigitalFile(variant_id=lines[0].variant_id, filename="a.zip", storage_key=f"digital/t/{'a' * 32}.zip",
                        content_type="application/zip", size_bytes=len(ZIP), sha256="0" * 64)
        s.add(f)
        await s.flush()
        await digital.grant_for_order(s, await s.get(Order, order.id), SECRET, clock.now())
    return order, f


async def test_two_machines_racing_for_the_last_activation_one_wins(client, db, clock):
    order, _ = await _granted(db, clock, license_activations=1)
    async with db.transaction() as s:
        row = (await s.exec(select(licenses.LicenseKey).where(licenses.LicenseKey.purchase_id.is_not(None)))).one()
    key = licenses.reveal(row, SECRET)
    results = await asyncio.gather(*(client.post("/licenses/activate", json={"key": key, "instance": f"pc-{i}"})
                                     for i in range(4)))
    answers = sorted(r.json()["code"] for r in results)
    assert answers == ["ACTIVATION_LIMIT"] * 3 + ["VALID"]
    assert await count(db, LicenseActivation) == 1


async def test_downloads_racing_for_the_last_one_allowed_one_wins(client, db, clock, settings):
    order, f = await _granted(db, clock, download_limit=1)
    await LocalDiskStorage(settings.upload_dir).put(f.storage_key, ZIP, "application/zip")
    async with db.session() as s:
        purchase = (await s.exec(select(DigitalPurchase))).one()
        user = (await s.exec(select(User).where(User.email == BUYER))).one()
    link = digital.sign(purchase.id, f.id, user.id, clock.now(), SECRET)
    url = (f"/downloads/digital/{encode('DigitalPurchase', purchase.id)}/{encode('DigitalFile', f.id)}"
           f"?user={user.id}&expires={link.expires}&signature={link.signature}")
    results = await asyncio.gather(*(client.get(url) for _ in range(4)))
    assert sorted(r.status_code for r in results) == [200, 403, 403, 403]
    assert await count(db, DownloadEvent) == 1
