"""A debtor's own record, and the export of everything keepword holds on them (data-subject rights)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel
from sqlalchemy import or_, select

from keepword.audit.entries import AuditEntry
from keepword.domain.cases import EnforcementCase
from keepword.services.access import Principal
from keepword.store import tables as t
from keepword.web.api.present import case_out, listing_out, party_out
from keepword.web.auth import current_principal
from keepword.web.problems import problem_responses
from keepword.web.schemas.cases import ListingOut, PartyOut, PaymentOut, RestrictionOut
from keepword.web.state import web_state

router = APIRouter(prefix="/api/v1/me", tags=["debtor"], responses=problem_responses(401, 403))


class MyCase(BaseModel):
    id: str
    court_id: str
    case_number: str
    role: str
    status: str
    obligation: str
    paid: str
    outstanding: str
    currency: str
    filed_on: date
    payments: list[PaymentOut]
    listings: list[ListingOut]
    restrictions: list[RestrictionOut]


class MyRecord(BaseModel):
    party: PartyOut
    cases: list[MyCase]


def _my_cases(uow, party_id: str) -> list[EnforcementCase]:
    cp = t.case_parties.c
    ids = select(cp.case_id).where(cp.party_id == party_id)
    return list(uow.session.scalars(select(EnforcementCase).where(t.cases.c.id.in_(ids)).order_by(t.cases.c.id)))


def _my_case(case: EnforcementCase, party_id: str) -> MyCase:
    full = case_out(case)  # narrowed below to what concerns this party
    role = next(p.role for p in case.parties if p.party.id == party_id)
    return MyCase(id=case.id, court_id=case.court_id, case_number=case.case_number, role=role, status=case.status,
                  obligation=full.obligation, paid=full.paid, outstanding=full.outstanding, currency=full.currency,
                  filed_on=case.filed_on, payments=full.payments,
                  listings=[listing_out(l) for l in case.listings if l.debtor_id == party_id],
                  restrictions=[r for r in full.restrictions if r.debtor_id == party_id])


def _record(uow, party_id: str) -> tuple[MyRecord, list[EnforcementCase]]:
    cases = _my_cases(uow, party_id)
    return MyRecord(party=party_out(uow.parties.get(party_id)), cases=[_my_case(c, party_id) for c in cases]), cases


@router.get("", response_model=MyRecord, summary="Your own record: your party and your cases")
def me(request: Request, principal: Principal = Depends(current_principal)) -> MyRecord:
    with web_state(request).reads.uow() as uow:
        return _record(uow, principal.party_id)[0]


@router.get("/export", response_model=dict, summary="Everything held on you, as JSON")
def export(request: Request, principal: Principal = Depends(current_principal)) -> dict:
    state = web_state(request)
    party_id = principal.party_id
    with state.reads.uow() as uow:
        record, cases = _record(uow, party_id)
        case_ids = [c.id for c in cases]
        a, o = t.audit_log.c, t.outbox.c
        accesses = [dict(r._mapping) for r in uow.session.execute(
            select(a.seq, a.at, a.actor, a.action, a.subject_type, a.subject_id, a.purpose)
            .where(or_(a.subject_id == party_id, a.subject_id.in_(case_ids) if case_ids else False))
            .order_by(a.seq))]
        events = [dict(r._mapping) for r in uow.session.execute(
            select(o.event_id, o.type, o.case_id, o.occurred_at, o.payload).where(o.debtor_id == party_id)
            .order_by(o.seq))]
    state.record_read(AuditEntry(at=state.clock.now(), actor=principal.actor, action="export.me",
                                 subject_type="party", subject_id=party_id,
                                 purpose="data subject access"))
    return jsonable_encoder({"generated_at": state.clock.now(), "party": record.party, "cases": record.cases,
                             "events_sent_to_partners": events, "who_accessed_your_record": accesses})
