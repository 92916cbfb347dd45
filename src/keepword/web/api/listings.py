"""The listing steps: bars preview, propose, reject, decide (judges), serve, extend, delete, revoke, correct."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response

from keepword.services import listings as listing_service
from keepword.services.access import Principal
from keepword.web.api.deps import acting_context, guarded_context, respond_case, visible_courts
from keepword.web.auth import current_principal
from keepword.web.problems import problem_responses
from keepword.web.schemas.cases import CaseOut
from keepword.web.schemas.listings import (BarOut, BarsOut, CorrectIn, DecideIn, DeleteIn, ExtendIn, ProposeIn,
                                           ReasonIn, ServeIn)
from keepword.web.state import web_state

router = APIRouter(prefix="/api/v1", tags=["listings"], responses=problem_responses(401, 403, 404, 409, 412, 422))


@router.get("/cases/{case_id}/listing-bars", response_model=BarsOut,
            summary="The rules that would bar listing this debtor, before a proposal is made")
def listing_bars(case_id: str, request: Request, debtor_id: str = Query(max_length=32),
                 grounds: list[int] = Query(min_length=1, max_length=6), applicant_id: str | None = Query(None, max_length=32),
                 principal: Principal = Depends(current_principal)) -> BarsOut:
    ctx = guarded_context(web_state(request), courts=visible_courts(principal))
    bars = listing_service.listing_bars(ctx, case_id, debtor_id, grounds, applicant_id)
    return BarsOut(bars=[BarOut(code=b.code, message=b.message) for b in bars], allowed=not bars)


@router.post("/cases/{case_id}/listings", response_model=CaseOut, status_code=201,
             summary="Propose listing a debtor (a creditor's application or the court's own motion)")
def propose(case_id: str, body: ProposeIn, request: Request, response: Response,
            principal: Principal = Depends(current_principal)) -> CaseOut:
    ctx = acting_context(request, web_state(request), principal)
    case = listing_service.propose_listing(ctx, case_id, debtor_id=body.debtor_id, grounds=body.grounds,
                                           by=principal.actor, applicant_id=body.applicant_id, note=body.note)
    return respond_case(case, response)


def _step(request: Request, principal: Principal):
    return acting_context(request, web_state(request), principal)


@router.post("/listings/{listing_id}/reject", response_model=CaseOut, summary="Reject a proposal")
def reject(listing_id: str, body: ReasonIn, request: Request, response: Response,
           principal: Principal = Depends(current_principal)) -> CaseOut:
    case = listing_service.reject_proposal(_step(request, principal), listing_id, reason=body.reason, by=principal.actor)
    return respond_case(case, response)


@router.post("/listings/{listing_id}/decision", response_model=CaseOut,
             summary="The written, reasoned, signed listing decision (judges only)")
def decide(listing_id: str, body: DecideIn, request: Request, response: Response,
           principal: Principal = Depends(current_principal)) -> CaseOut:
    case = listing_service.decide_listing(_step(request, principal), listing_id, signed_by=principal.actor,
                                          signer_role=body.signer_role, reason=body.reason,
                                          grace_months=body.grace_months)
    return respond_case(case, response)


@router.post("/listings/{listing_id}/service", response_model=CaseOut,
             summary="Record service on the debtor (publishes unless a grace period runs)")
def serve(listing_id: str, body: ServeIn, request: Request, response: Response,
          principal: Principal = Depends(current_principal)) -> CaseOut:
    case = listing_service.serve_decision(_step(request, principal), listing_id, served_on=body.served_on,
                                          by=principal.actor)
    return respond_case(case, response)


@router.post("/listings/{listing_id}/extension", response_model=CaseOut, summary="Extend a fixed term, with a reason")
def extend(listing_id: str, body: ExtendIn, request: Request, response: Response,
           principal: Principal = Depends(current_principal)) -> CaseOut:
    case = listing_service.extend_term(_step(request, principal), listing_id, months=body.months, reason=body.reason,
                                       by=principal.actor)
    return respond_case(case, response)


@router.post("/listings/{listing_id}/deletion", response_model=CaseOut,
             summary="Delete a listing on one of the deletion conditions")
def delete(listing_id: str, body: DeleteIn, request: Request, response: Response,
           principal: Principal = Depends(current_principal)) -> CaseOut:
    case = listing_service.delete_listing(_step(request, principal), listing_id, condition=body.condition,
                                          by=principal.actor, requested_by=body.requested_by)
    return respond_case(case, response)


@router.post("/listings/{listing_id}/revocation", response_model=CaseOut, summary="Revoke a wrongful listing")
def revoke(listing_id: str, body: ReasonIn, request: Request, response: Response,
           principal: Principal = Depends(current_principal)) -> CaseOut:
    case = listing_service.revoke_listing(_step(request, principal), listing_id, reason=body.reason, by=principal.actor)
    return respond_case(case, response)


@router.post("/listings/{listing_id}/correction", response_model=CaseOut, summary="Correct wrong details")
def correct(listing_id: str, body: CorrectIn, request: Request, response: Response,
            principal: Principal = Depends(current_principal)) -> CaseOut:
    case = listing_service.correct_listing(_step(request, principal), listing_id, correction=body.correction,
                                           by=principal.actor)
    return respond_case(case, response)
