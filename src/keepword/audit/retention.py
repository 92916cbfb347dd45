"""Retention: records past the policy's retention period are purged, and the purge is audited."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, delete, or_, select
from sqlalchemy.orm import Session

from keepword.audit.entries import AuditEntry
from keepword.audit.trail import AuditTrail
from keepword.domain.dates import add_months
from keepword.domain.policy import Policy
from keepword.services.ports import Clock
from keepword.store import tables as t


@dataclass
class PurgeReport:
    cases: list[str] = field(default_factory=list)
    listings: list[str] = field(default_factory=list)
    parties: list[str] = field(default_factory=list)
    audit_seq: int | None = None

    def as_dict(self) -> dict:
        return {"cases": len(self.cases), "listings": len(self.listings), "parties": len(self.parties),
                "audit_seq": self.audit_seq}


def purge_expired(engine: Engine, policy: Policy, trail: AuditTrail, clock: Clock, *, actor: str,
                  dry_run: bool = False) -> PurgeReport:
    """Delete closed cases and ended listings past retention, then parties no case refers to any more.

    Everything happens in one transaction with its audit entry (ids and counts, never personal data).
    """
    today = clock.now().astimezone(policy.zone).date()
    case_cutoff = add_months(today, -12 * policy.closed_case_retention_years)
    listing_cutoff = add_months(today, -12 * policy.deleted_listing_retention_years)
    c, lst, cp = t.cases.c, t.listings.c, t.case_parties.c
    report = PurgeReport()
    with Session(engine) as session, session.begin():
        report.cases = list(session.scalars(select(c.id).where(c.status == "closed", c.closed_on < case_cutoff)))
        report.listings = list(session.scalars(select(lst.id).where(
            or_((lst.state == "deleted") & (lst.deleted_on < listing_cutoff),
                (lst.state == "revoked") & (lst.revoked_on < listing_cutoff)),
            lst.case_id.not_in(report.cases) if report.cases else True)))
        candidates = set(session.scalars(select(cp.party_id).where(cp.case_id.in_(report.cases)))) if report.cases else set()
        if dry_run:
            still_used = set(session.scalars(select(cp.party_id).where(
                cp.party_id.in_(candidates), cp.case_id.not_in(report.cases))))
            report.parties = sorted(candidates - still_used)
            return report
        if report.listings:
            session.execute(delete(t.listings).where(lst.id.in_(report.listings)))
        if report.cases:
            # Children go by ON DELETE CASCADE (payments, measures, listings, objections, restrictions, ...).
            session.execute(delete(t.cases).where(c.id.in_(report.cases)))
            still_used = set(session.scalars(select(cp.party_id).where(cp.party_id.in_(candidates))))
            report.parties = sorted(candidates - still_used)
            if report.parties:
                session.execute(delete(t.parties).where(t.parties.c.id.in_(report.parties)))
        report.audit_seq = trail.append(session, [AuditEntry(
            at=clock.now(), actor=actor, action="retention.purge", subject_type="registry",
            purpose=f"retention policy {policy.id}",
            details={"case_ids": report.cases, "listing_ids": report.listings, "party_ids": report.parties,
                     "closed_before": case_cutoff.isoformat(), "ended_before": listing_cutoff.isoformat()})])[0]
    return report
