"""Restrictions of high consumption: order, exempt (judges), lift."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from keepword.services import restrictions as restriction_service
from keepword.services.access import Principal
from keepword.web.api.deps import acting_context, respond_case
from keepword.web.auth import current_principal
from keepword.web.problems import problem_responses
from keepword.web.schemas.cases import CaseOut
from keepword.web.schemas.listings import ExemptionIn, LiftIn, RestrictionIn
from keepword.web.state import web_state

router = APIRouter(prefix="/api/v1/cases/{case_id}/restrictions", tags=["restrictions"],
                   responses=problem_responses(401, 403, 404, 409, 412, 422))


@router.post("", response_model=CaseOut, status_code=201, summary="Restrict a debtor's high consumption")
def order(case_id: str, body: RestrictionIn, request: Request, response: Response,
          principal: Principal = Depends(current_principal)) -> CaseOut:
    ctx = acting_context(request, web_state(request), principal)
    case = restriction_service.order_restriction(ctx, case_id, debtor_id=body.debtor_id, by=principal.actor,
                                                 categories=body.categories, reason=body.reason)
    return respond_case(case, response)


@router.post("/{restriction_id}/exemptions", response_model=CaseOut, status_code=201,
             summary="Approve an exemption or a one-off lift")
def exempt(case_id: str, restriction_id: str, body: ExemptionIn, request: Request, response: Response,
           principal: Principal = Depends(current_principal)) -> CaseOut:
    ctx = acting_context(request, web_state(request), principal)
    case = restriction_service.grant_exemption(ctx, case_id, restriction_id, category=body.category, kind=body.kind,
                                               reason=body.reason, valid_from=body.valid_from,
                                               valid_until=body.valid_until, by=principal.actor)
    return respond_case(case, response)


@router.post("/{restriction_id}/lift", response_model=CaseOut, summary="Lift a restriction")
def lift(case_id: str, restriction_id: str, body: LiftIn, request: Request, response: Response,
         principal: Principal = Depends(current_principal)) -> CaseOut:
    ctx = acting_context(request, web_state(request), principal)
    case = restriction_service.lift_restriction(ctx, case_id, restriction_id, reason=body.reason, by=principal.actor)
    return respond_case(case, response)
