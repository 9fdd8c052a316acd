"""Two staff setting the rate of one new place at once on PostgreSQL: one row, and the loser is told."""
import asyncio

import pytest
from sqlmodel import select

from db.models import TaxRate
from tests.ordering_support import STAFF_ADMIN, data

pytestmark = pytest.mark.postgres

SET = """mutation($input: TaxRateSetInput!) { taxRateSet(input: $input) { taxRate { percent } userErrors { code } } }"""


async def test_concurrent_rates_for_one_place_and_start_make_one_row(gql, db):
    await gql("{ taxRates { country } }", as_=STAFF_ADMIN)  # one session for both requests
    results = await asyncio.gather(*(
        gql(SET, {"input": {"country": "US", "region": "OH", "percent": percent, "label": "OH sales tax",
                            "validFrom": "2026-01-01T00:00:00Z"}}, as_=STAFF_ADMIN) for percent in ("5.75", "5.8")))
    payloads = [data(r, "taxRateSet") for r in results]
    # Either the second waited and changed the first's row, or it lost the insert race and was told.
    assert all(p["userErrors"] in ([], [{"code": "DUPLICATE_ENTRY"}]) for p in payloads), payloads
    assert any(p["userErrors"] == [] for p in payloads)
    async with db.session() as s:
        rows = (await s.exec(select(TaxRate).where(TaxRate.jurisdiction == "US-OH"))).all()
    assert len(rows) == 1 and str(rows[0].percent.normalize()) in {"5.75", "5.8"}
