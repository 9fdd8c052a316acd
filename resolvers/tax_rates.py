"""The merchant's tax rates: staff read them, STAFF_ADMIN sets and removes them."""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from db.models import TaxRate
from db.repositories import tax as repo
from domain.back_office import BackOfficeErrorCode as E
from domain.back_office import tax_rates as rules
from domain.errors import Problem
from permissions.policy import rule
from resolvers.context import Context
from resolvers.globalid import decode_or_reject
from resolvers.mutation import admit, mutation

# A second staff member adding the same place and start at the same moment.
TAKEN = Problem(E.DUPLICATE_ENTRY, "That place already has a rate from that time: set it again to change it",
                ("input", "validFrom"))


async def tax_rates(ctx: Context) -> list[TaxRate]:
    admit(ctx, "taxRates", rule("rows:TaxRate"))
    async with ctx.db.session() as s:
        return list(await repo.all_rates(s))


@dataclass
class TaxRatePayload:
    tax_rate: TaxRate | None = None
    deleted_id: str | None = None
    user_errors: list[Any] = field(default_factory=list)


@mutation("taxRateSet", TaxRatePayload, audit="tax_rate.set", on_conflict=TAKEN)
async def tax_rate_set(ctx: Context, s: Any, country: str, region: str | None, percent: Decimal, label: str,
                       valid_from: datetime | None) -> dict[str, Any]:
    return {"tax_rate": await rules.set_rate(s, ctx.actor, ctx.now, country, region, percent, label, valid_from)}


@mutation("taxRateDelete", TaxRatePayload, audit="tax_rate.delete")
async def tax_rate_delete(ctx: Context, s: Any, rate_id: str) -> dict[str, Any]:
    pk = decode_or_reject(rate_id, "TaxRate", E.NOT_FOUND, "input", "id")
    await rules.delete(s, ctx.actor, ctx.now, pk)
    return {"deleted_id": rate_id}
