"""The merchant's cancellation report: cancellations (now or scheduled) by survey reason and month,
and retention offers shown, accepted and declined by kind and month, months in UTC. A merchant's
cancellations are few next to its orders, so they are counted here rather than grouped in SQL
(whose month functions differ between SQLite and PostgreSQL)."""
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.repositories import subscriptions as repo


@dataclass(frozen=True)
class ReasonCount:
    month: str  # YYYY-MM
    reason: str | None  # None: no reason given
    count: int


@dataclass(frozen=True)
class OfferCount:
    month: str  # when shown
    kind: str
    shown: int
    accepted: int
    declined: int


@dataclass(frozen=True)
class CancellationReport:
    reasons: list[ReasonCount]
    offers: list[OfferCount]


async def cancellations(session: Any, since: datetime | None) -> CancellationReport:
    reasons = Counter((e.created_at.strftime("%Y-%m"), (e.details or {}).get("reason"))
                      for e in await repo.cancellation_events(session, since))
    offers: dict[tuple[str, str], list[int]] = {}
    for o in await repo.offers_since(session, since):
        counts = offers.setdefault((o.shown_at.strftime("%Y-%m"), o.kind), [0, 0, 0])
        counts[0] += 1
        counts[1] += o.accepted is True
        counts[2] += o.accepted is False
    return CancellationReport(
        [ReasonCount(m, r, n) for (m, r), n in sorted(reasons.items(), key=lambda x: (x[0][0], x[0][1] or ""))],
        [OfferCount(m, k, *c) for (m, k), c in sorted(offers.items())])
