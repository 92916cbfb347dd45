"""What a signed-in debtor sees: their case, what they owe, what ends each listing and by when, and
how far each partner has come in applying a deletion."""

from __future__ import annotations

from dataclasses import dataclass, field

from keepword.domain.events import RELIEF_EVENTS
from keepword.services.access import Principal
from keepword.store import portal_queries as q
from keepword.web.pages.timeline import expected_partners
from keepword.web.pages.wiring import Portal

#: Deletion conditions a debtor can bring about or ask for, besides paying (RULES.md section 1 rule 10).
OTHER_CONDITIONS = ("settlement_performed", "creditor_request", "fruitless_after_searches", "suspended",
                    "not_enforced", "terminated")


@dataclass
class Relief:
    """One relief event (deletion, revocation, lifted restriction) and each partner's progress with it."""

    event: dict
    partners: list[dict] = field(default_factory=list)

    @property
    def all_acknowledged(self) -> bool:
        return all(p["acked_at"] is not None for p in self.partners)

    @property
    def acknowledged(self) -> int:
        return sum(1 for p in self.partners if p["acked_at"] is not None)


def debtor_record(p: Portal, me: Principal) -> dict:
    """The template context of the debtor's own record page."""
    policy = p.ctx.policy
    today = p.ctx.clock.now().astimezone(policy.zone).date()
    with p.read() as uow:
        case = uow.cases.get(me.case_id)
        court = uow.courts.find(case.court_id)
        party = case.debtor(me.party_id).party
        evidence = p.evidence_for(uow).of_case(case.id, me.party_id)
        events = [e for e in q.case_events(uow.session, case.id) if e["debtor_id"] in (None, me.party_id)]
        relief_events = [e for e in events if e["type"] in RELIEF_EVENTS and e["debtor_id"] == me.party_id]
        progress = q.partner_progress(uow.session, [e["event_id"] for e in relief_events])
    listings = [l for l in case.listings if l.debtor_id == me.party_id]
    reliefs = [Relief(e, expected_partners(e["type"], progress.get(e["event_id"], []))) for e in relief_events]
    by_listing = {}
    for relief in reliefs:
        listing_id = (relief.event.get("payload") or {}).get("listing_id")
        if listing_id:
            by_listing.setdefault(listing_id, []).append(relief)
    return {
        "case": case, "court": court, "party": party, "listings": listings, "evidence": evidence, "today": today,
        "in_force": [l for l in listings if l.in_force], "restrictions": [r for r in case.restrictions
                                                                           if r.debtor_id == me.party_id],
        "reliefs_by_listing": by_listing,
        "other_conditions": OTHER_CONDITIONS, "deletion_working_days": policy.deletion_working_days,
        "objection_days": policy.objection_review_days, "appeal_decision_days": policy.appeal_decision_days,
    }
