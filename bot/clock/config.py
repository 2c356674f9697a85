"""The clock's settings and the account of one tick."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.clock.plan import Rules


@dataclass(frozen=True)
class ClockConfig:
    grace: dt.timedelta = dt.timedelta(hours=6)
    concurrency: int = 50
    attempts: int = 3
    backoff: float = 1.0  # seconds, doubled per attempt
    expire_after: dt.timedelta = dt.timedelta(days=7)
    lease: dt.timedelta = dt.timedelta(minutes=10)

    @property
    def rules(self) -> Rules:
        return Rules(grace=self.grace, expire_after=self.expire_after)


@dataclass
class TickReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    expired: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        if outcome == "sent":
            self.by_kind[kind] = self.by_kind.get(kind, 0) + 1

    def add(self, other: TickReport) -> None:
        self.sent += other.sent
        self.failed += other.failed
        for kind, count in other.by_kind.items():
            self.by_kind[kind] = self.by_kind.get(kind, 0) + count
