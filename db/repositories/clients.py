"""API keys of the merchant's backend and OAuth clients of accounts."""
from datetime import datetime

from sqlalchemy.sql import Select
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import ApiKey, OAuthClient
from db.repositories.base import ScopedRepository
from db.scope import RowScope


async def api_key_by_hash(session: AsyncSession, key_hash: str) -> ApiKey | None:
    return (await session.exec(select(ApiKey).where(ApiKey.key_hash == key_hash))).first()


async def api_keys(session: AsyncSession) -> list[ApiKey]:
    return list((await session.exec(select(ApiKey).order_by(ApiKey.id))).all())


async def api_key(session: AsyncSession, key_id: int) -> ApiKey | None:
    return await session.get(ApiKey, key_id)


async def oauth_client_by_client_id(session: AsyncSession, client_id: str) -> OAuthClient | None:
    return (await session.exec(select(OAuthClient).where(OAuthClient.client_id == client_id))).first()


async def oauth_client(session: AsyncSession, pk: int) -> OAuthClient | None:
    return await session.get(OAuthClient, pk)


class OAuthClientRepository(ScopedRepository[OAuthClient]):
    model = OAuthClient

    def visible(self) -> Select:
        return select(OAuthClient).where(self.scope.where(OAuthClient.account_id))


async def oauth_clients_of(session: AsyncSession, scope: RowScope, account_id: int) -> list[OAuthClient]:
    stmt = (select(OAuthClient).where(OAuthClient.account_id == account_id, scope.where(OAuthClient.account_id))
            .order_by(OAuthClient.created_at.desc(), OAuthClient.id.desc()))
    return list((await session.exec(stmt)).all())


def touch(row: ApiKey | OAuthClient, session: AsyncSession, now: datetime) -> None:
    row.last_used_at = now
    session.add(row)
