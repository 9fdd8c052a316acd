"""One billing worker as its own OS process, for the two-process renewal test:
`python -m tests.renewal_worker_process DATABASE_URL NOW START_AT` waits until the wall-clock
instant START_AT (so two processes begin together), runs one renewal pass at the fixed instant
NOW (batch 1, so the two interleave), and prints its counts as JSON."""
import asyncio
import dataclasses
import json
import sys
import time
from datetime import datetime

from db.engine import Database
from domain.clock import FixedClock
from domain.invoicing import MerchantSettings
from domain.subscriptions import renewals
from integrations.test_gateway import TestGateway


async def main(url: str, now: str, start_at: float) -> None:
    db = Database(url)
    try:
        async with db.session() as s:  # connected before the start: both begin with the work itself
            await s.connection()
        await asyncio.sleep(max(start_at - time.time(), 0))
        done = await renewals.run(db, TestGateway(), FixedClock(datetime.fromisoformat(now)), MerchantSettings(),
                                  batch=1)
    finally:
        await db.dispose()
    print(json.dumps(dataclasses.asdict(done)), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
