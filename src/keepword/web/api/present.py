"""Domain objects to response bodies: amounts as strings, nothing computed twice."""

from __future__ import annotations

from keepword.domain.cases import EnforcementCase
from keepword.domain.parties import Party
from keepword.web.schemas.cases import (CaseOut, CasePartyOut, CaseSummary, DebtorRef, ExemptionOut, ListingOut,
                                        MeasureOut, ObjectionOut, PartyOut, PaymentOut, RestrictionOut)


def _fields(obj, model) -> dict:
    return {name: getattr(obj, name) for name in model.model_fields if hasattr(obj, name)}


def party_out(party: Party) -> PartyOut:
    return PartyOut(id=party.id, kind=party.kind, name=party.name, id_number=party.id_number,
                    credit_code=party.credit_code, birth_date=party.birth_date, sex=party.sex,
                    phones=list(party.phones or []), address=party.address,
                    bound_persons=[{"role": b.role, "name": b.name, "id_number": b.id_number}
                                   for b in party.bound_persons])


def listing_out(listing) -> ListingOut:
    data = _fields(listing, ListingOut)
    data["grounds"] = list(listing.grounds)
    data["objections"] = [ObjectionOut(**_fields(o, ObjectionOut)) for o in listing.objections]
    return ListingOut(**data)


def case_out(case: EnforcementCase) -> CaseOut:
    return CaseOut(
        id=case.id, court_id=case.court_id, case_number=case.case_number, status=case.status, outcome=case.outcome,
        obligation=case.obligation.as_string(), currency=case.obligation.currency, paid=case.paid.as_string(),
        outstanding=case.outstanding.as_string(), obligation_text=case.obligation_text, filed_on=case.filed_on,
        judgment_date=case.judgment_date, effective_date=case.effective_date, warned_on=case.warned_on,
        closed_on=case.closed_on, version=case.version,
        parties=[CasePartyOut(party_id=p.party.id, role=p.role, kind=p.party.kind, name=p.party.name,
                              identifier=p.party.identifier, performance_order=p.performance_order,
                              guarantee_given=p.guarantee_given) for p in case.parties],
        payments=[PaymentOut(id=p.id, amount=p.amount.as_string(), currency=p.amount.currency, paid_on=p.paid_on,
                             payer_id=p.payer_id, recorded_by=p.recorded_by, recorded_at=p.recorded_at, note=p.note)
                  for p in case.payments],
        measures=[MeasureOut(id=m.id, kind=m.kind, ordered_on=m.ordered_on, ordered_by=m.ordered_by,
                             debtor_id=m.debtor_id, value=m.value.as_string() if m.value else None,
                             assets_found=m.assets_found, note=m.note, ended_on=m.ended_on) for m in case.measures],
        listings=[listing_out(listing) for listing in case.listings],
        restrictions=[RestrictionOut(**{**_fields(r, RestrictionOut), "categories": list(r.categories),
                                        "exemptions": [ExemptionOut(**_fields(e, ExemptionOut)) for e in r.exemptions]})
                      for r in case.restrictions],
    )


def case_summary(case: EnforcementCase) -> CaseSummary:
    return CaseSummary(id=case.id, court_id=case.court_id, case_number=case.case_number, status=case.status,
                       obligation=case.obligation.as_string(), currency=case.obligation.currency,
                       filed_on=case.filed_on, version=case.version,
                       debtors=[DebtorRef(party_id=p.party.id, name=p.party.name, identifier=p.party.identifier)
                                for p in case.debtors])
