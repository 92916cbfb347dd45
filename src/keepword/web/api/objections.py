"""Objections and appeals: the debtor (or court staff for them) files; a judge decides; a higher court hears the appeal."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from keepword.accounts.tokens import court_subtree
from keepword.domain.errors import NotFound
from keepword.services import listings as listing_service
from keepword.services.access import DEBTOR, Principal
from keepword.services.context import ServiceContext
from keepword.web.api.deps import acting_context, guarded_context, if_match_version, respond_case
from keepword.web.auth import current_principal
from keepword.web.problems import problem_responses
from keepword.web.schemas.cases import CaseOut
from keepword.web.schemas.listings import AppealDecisionIn, ObjectionDecisionIn, ObjectionIn
from keepword.web.state import WebState, web_state

router = APIRouter(prefix="/api/v1/listings/{listing_id}/objections", tags=["objections"],
                   responses=problem_responses(401, 403, 404, 409, 412, 422))


def _filer_context(request: Request, state: WebState, principal: Principal, listing_id: str) -> ServiceContext:
    """A debtor acts on their own listings only, wherever the court; staff within their court."""
    if not principal.has(DEBTOR):
        return acting_context(request, state, principal)
    with state.reads.uow() as uow:
        if uow.cases.listing(listing_id).debtor_id != principal.party_id:
            raise NotFound(f"listing {listing_id} not found", listing_id=listing_id)
    return guarded_context(state, courts=None, expected_version=if_match_version(request))


@router.post("", response_model=CaseOut, status_code=201,
             summary="File an objection (the listing stays in force meanwhile)")
def file_objection(listing_id: str, body: ObjectionIn, request: Request, response: Response,
                   principal: Principal = Depends(current_principal)) -> CaseOut:
    ctx = _filer_context(request, web_state(request), principal, listing_id)
    case = listing_service.file_objection(ctx, listing_id, kind=body.kind, statement=body.statement, by=principal.actor)
    return respond_case(case, response)


@router.post("/{objection_id}/decision", response_model=CaseOut, summary="Decide an objection")
def decide_objection(listing_id: str, objection_id: str, body: ObjectionDecisionIn, request: Request,
                     response: Response, principal: Principal = Depends(current_principal)) -> CaseOut:
    ctx = acting_context(request, web_state(request), principal)
    case = listing_service.decide_objection(ctx, listing_id, objection_id, upheld=body.upheld, note=body.note,
                                            by=principal.actor, correction=body.correction)
    return respond_case(case, response)


@router.post("/{objection_id}/appeal", response_model=CaseOut, summary="Appeal a dismissed objection")
def appeal(listing_id: str, objection_id: str, request: Request, response: Response,
           principal: Principal = Depends(current_principal)) -> CaseOut:
    ctx = _filer_context(request, web_state(request), principal, listing_id)
    case = listing_service.appeal_objection(ctx, listing_id, objection_id, by=principal.actor)
    return respond_case(case, response)


@router.post("/{objection_id}/appeal-decision", response_model=CaseOut,
             summary="Decide an appeal (a judge of a court above the listing court)")
def decide_appeal(listing_id: str, objection_id: str, body: AppealDecisionIn, request: Request, response: Response,
                  principal: Principal = Depends(current_principal)) -> CaseOut:
    state = web_state(request)
    below: frozenset[str] = frozenset()
    if principal.court_id:
        with state.accounts.reader.connect() as conn:
            below = court_subtree(state.accounts, conn, principal.court_id) - {principal.court_id}
    ctx = acting_context(request, state, principal, courts=below)
    case = listing_service.decide_appeal(ctx, listing_id, objection_id, upheld=body.upheld, by=principal.actor,
                                         correction=body.correction, reason=body.reason)
    return respond_case(case, response)
