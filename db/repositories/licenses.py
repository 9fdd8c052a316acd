"""License keys and their activations."""
from typing import Any

from sqlalchemy.sql import Select
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import DigitalVariant, LicenseActivation, LicenseKey
from db.pagination import Page, count_rows, keyset_page
from db.repositories.base import ScopedRepository


class LicenseKeyRepository(ScopedRepository[LicenseKey]):
    """Keys of the caller's locations, of its account's subscriptions (account-wide roles), and its own."""

    model = LicenseKey

    def visible(self) -> Select:
        return select(LicenseKey).where(self.scope.where(LicenseKey.account_id, LicenseKey.location_id,
                                                         LicenseKey.user_id))

    def filtered(self, account_ids: tuple[int, ...]) -> Select:
        stmt = self.visible()
        return stmt.where(LicenseKey.account_id.in_(account_ids)) if account_ids else stmt

    async def page(self, account_ids: tuple[int, ...], **window: Any) -> Page[LicenseKey]:
        return await keyset_page(self.session, self.filtered(account_ids), [LicenseKey.created_at, LicenseKey.id],
                                 **window)

    async def count(self, account_ids: tuple[int, ...]) -> int:
        return await count_rows(self.session, self.filtered(account_ids))


async def by_hash(session: AsyncSession, digest: str) -> int | None:
    return (await session.exec(select(LicenseKey.id).where(LicenseKey.key_hash == digest))).first()


async def activations(session: AsyncSession, license_id: int) -> list[LicenseActivation]:
    return list((await session.exec(select(LicenseActivation).where(LicenseActivation.license_id == license_id)
                                    .order_by(LicenseActivation.id))).all())


async def licensed_variants(session: AsyncSession, variant_ids: list[int]) -> dict[int, DigitalVariant]:
    if not variant_ids:
        return {}
    rows = await session.exec(select(DigitalVariant).where(DigitalVariant.variant_id.in_(variant_ids),
                                                           DigitalVariant.license_activations.is_not(None)))
    return {r.variant_id: r for r in rows.all()}


async def subscription_variants(session: AsyncSession, subscription_id: int) -> set[int]:
    rows = await session.exec(select(LicenseKey.variant_id).where(LicenseKey.subscription_id == subscription_id))
    return set(rows.all())
