"""The periodic tick: publish after grace periods, expire terms, carry out deletions that are due."""

from __future__ import annotations

from dataclasses import dataclass, field

from keepword.domain.errors import ConcurrencyConflict
from keepword.services.context import ServiceContext

SYSTEM = "system:tick"


@dataclass
class TickReport:
    published: int = 0
    expired: int = 0
    deleted: int = 0
    conflicts: int = 0
    cases: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"published": self.published, "expired": self.expired, "deleted": self.deleted,
                "conflicts": self.conflicts, "cases": len(self.cases)}


def tick(ctx: ServiceContext) -> TickReport:
    """One pass over every case with due work; each case is its own transaction."""
    report = TickReport()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        case_ids = uow.cases.ids_with_due_work(now.astimezone(ctx.policy.zone).date())
    for case_id in case_ids:
        try:
            _tick_case(ctx, case_id, report)
        except ConcurrencyConflict:
            report.conflicts += 1  # picked up again by the next tick
    return report


def _tick_case(ctx: ServiceContext, case_id: str, report: TickReport) -> None:
    with ctx.uow() as uow:
        case = uow.cases.get(case_id)
        at = ctx.clock.now()
        court = uow.courts.find(case.court_id)
        report.published += len(case.publish_due(at, SYSTEM, ctx.policy, court.name if court else None))
        report.expired += len(case.expire_terms(at, SYSTEM, ctx.policy))
        report.deleted += len(case.carry_out_due_deletions(at, SYSTEM, ctx.policy))
        uow.commit()
        report.cases.append(case_id)
