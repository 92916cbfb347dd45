"""Changes to a case: payments, measures, the warning, closing. Each honours If-Match and answers the new ETag."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from keepword.services import cases as case_service
from keepword.services.access import Principal
from keepword.web.api.deps import acting_context, respond_case
from keepword.web.auth import current_principal
from keepword.web.problems import problem_responses
from keepword.web.schemas.cases import CaseOut, CloseIn, MeasureIn, PaymentIn
from keepword.web.state import web_state

router = APIRouter(prefix="/api/v1/cases/{case_id}", tags=["cases"],
                   responses=problem_responses(401, 403, 404, 409, 412, 422))


@router.post("/payments", response_model=CaseOut, status_code=201,
             summary="Record a payment (full performance fulfils the case and deletes its listings)")
def record_payment(case_id: str, body: PaymentIn, request: Request, response: Response,
                   principal: Principal = Depends(current_principal)) -> CaseOut:
    ctx = acting_context(request, web_state(request), principal)
    case = case_service.record_payment(ctx, case_id, amount=body.amount, paid_on=body.paid_on, by=principal.actor,
                                       payer_id=body.payer_id, note=body.note)
    return respond_case(case, response)


@router.post("/measures", response_model=CaseOut, status_code=201, summary="Order an enforcement measure")
def order_measure(case_id: str, body: MeasureIn, request: Request, response: Response,
                  principal: Principal = Depends(current_principal)) -> CaseOut:
    ctx = acting_context(request, web_state(request), principal)
    case = case_service.order_measure(ctx, case_id, kind=body.kind, by=principal.actor, debtor_id=body.debtor_id,
                                      value=body.value, assets_found=body.assets_found, note=body.note)
    return respond_case(case, response)


@router.post("/measures/{measure_id}/end", response_model=CaseOut, summary="End a measure")
def end_measure(case_id: str, measure_id: str, request: Request, response: Response,
                principal: Principal = Depends(current_principal)) -> CaseOut:
    ctx = acting_context(request, web_state(request), principal)
    return respond_case(case_service.end_measure(ctx, case_id, measure_id, principal.actor), response)


@router.post("/warning", response_model=CaseOut, summary="Issue the execution notice warning that listing may follow")
def issue_warning(case_id: str, request: Request, response: Response,
                  principal: Principal = Depends(current_principal)) -> CaseOut:
    ctx = acting_context(request, web_state(request), principal)
    return respond_case(case_service.issue_warning(ctx, case_id, principal.actor), response)


@router.post("/close", response_model=CaseOut, summary="End enforcement with an outcome; listings are deleted")
def close_case(case_id: str, body: CloseIn, request: Request, response: Response,
               principal: Principal = Depends(current_principal)) -> CaseOut:
    ctx = acting_context(request, web_state(request), principal)
    case = case_service.close_case(ctx, case_id, outcome=body.outcome, by=principal.actor, reason=body.reason)
    return respond_case(case, response)
