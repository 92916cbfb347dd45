"""Cases: register, read one (with ETag), list with filters and cursor pagination, the parties."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, StringConstraints, TypeAdapter, ValidationError
from sqlalchemy import select

from keepword.domain.cases import EnforcementCase
from keepword.domain.errors import NotFound, PermissionDenied
from keepword.services import cases as case_service
from keepword.services.access import Principal
from keepword.services.cases import PartyInput
from keepword.store import tables as t
from keepword.web.api.case_json import case_json
from keepword.web.api.case_search import CaseFilters, search_case_ids
from keepword.web.api.deps import guarded_context, read_entry, respond_case, visible_courts
from keepword.web.api.present import case_summary, party_out
from keepword.web.access_rules import check_access
from keepword.web.auth import current_principal
from keepword.web.lean import LeanAnswer, answer_in_front
from keepword.web.problems import problem_responses
from keepword.web.schemas.cases import CaseOut, CasePage, PartyIn, PartyOut, RegisterCaseIn
from keepword.web.state import web_state

router = APIRouter(prefix="/api/v1", tags=["cases"], responses=problem_responses(401, 403, 404, 409, 412, 422))

Purpose = Query("enforcement", min_length=3, max_length=200, description="Why the record is read (audited)")


def _party_input(p: PartyIn) -> PartyInput:
    return PartyInput(kind=p.kind, name=p.name, identifier=p.identifier, phones=p.phones, address=p.address,
                      bound_persons=[b.model_dump() for b in p.bound_persons])


@router.post("/cases", response_model=CaseOut, status_code=201, summary="Register an effective judgment")
def register_case(body: RegisterCaseIn, request: Request, response: Response,
                  principal: Principal = Depends(current_principal)) -> CaseOut:
    if body.court_id != principal.court_id:
        raise PermissionDenied("court_id: you register cases of your own court only", field="court_id",
                               reason="not your court")
    state = web_state(request)
    case = case_service.register_judgment(
        state.ctx, court_id=body.court_id, case_number=body.case_number,
        creditors=[_party_input(p) for p in body.creditors], debtors=[_party_input(p) for p in body.debtors],
        amount=body.amount, currency=body.currency, judgment_date=body.judgment_date,
        effective_date=body.effective_date, filed_on=body.filed_on, obligation_text=body.obligation_text,
        warn=body.warn, by=principal.actor)
    response.headers["Location"] = f"/api/v1/cases/{case.id}"
    return respond_case(case, response)


@router.get("/cases", response_model=CasePage, summary="Cases of your courts, newest first")
def list_cases(request: Request, principal: Principal = Depends(current_principal),
               court: str | None = Query(None, max_length=32),
               status: Literal["open", "closed"] | None = None,
               deadline_before: date | None = Query(None, description="an open deadline (deletion, publication, "
                                                                       "term, objection review, appeal) before this day"),
               identifier: str | None = Query(None, max_length=30, description="a debtor's ID number or credit code"),
               name: str | None = Query(None, min_length=1, max_length=100, description="part of a debtor's name"),
               cursor: str | None = Query(None, max_length=200),
               limit: int = Query(50, ge=1, le=1000), purpose: str = Purpose) -> CasePage:
    state = web_state(request)
    courts = visible_courts(principal)
    if court and court not in courts:
        raise PermissionDenied("court: outside the courts you may see", field="court", reason="not visible to you")
    filters = CaseFilters(courts=courts, court=court, status=status, deadline_before=deadline_before,
                          identifier=identifier, name=name)
    with state.reads.uow() as uow:
        ids, next_cursor = search_case_ids(uow.session, filters, cursor, min(limit, state.settings.max_page_size))
        by_id = {c.id: c for c in uow.session.scalars(select(EnforcementCase).where(t.cases.c.id.in_(ids)))} if ids else {}
        items = [case_summary(by_id[i]) for i in ids]
    state.record_read(read_entry(state, principal, "read.cases", "case", None, purpose,
                                 filters=filters.used(), case_ids=ids))
    return CasePage(items=items, next_cursor=next_cursor)


CASE_ROUTE = f"{router.prefix}/cases/{{case_id}}"


@router.get("/cases/{case_id}", response_model=CaseOut, summary="One case; the ETag is its version")
async def get_case(case_id: str, request: Request, principal: Principal = Depends(current_principal),
                   purpose: str = Purpose) -> Response:
    body, headers = await answer_case(request, principal, case_id, purpose)
    return Response(body, media_type="application/json", headers={k.decode(): v.decode() for k, v in headers})


async def answer_case(request: Request, principal: Principal, case_id: str, purpose: str) -> LeanAnswer:
    """The JSON answer to ``GET /cases/{case_id}`` and its ETag, on the framework's route or on :class:`LeanCaseRead`."""
    state = web_state(request)
    # Read one snapshot without the write lock, then record the read: nothing is answered unrecorded.
    courts = visible_courts(principal)
    found = await case_json(state.read_engine, case_id)  # the database writes the JSON (ADR 0013)
    if found is None or found[0] not in courts:
        raise NotFound(f"case {case_id} not found", case_id=case_id)
    _, version, document = found
    await state.record_read_async(read_entry(state, principal, "read.case", "case", case_id, purpose))
    return document.encode(), ((b"etag", f'"{version}"'.encode()),)


_PURPOSE = TypeAdapter(Annotated[str, StringConstraints(min_length=3, max_length=200)])
_CASE_PATH = re.compile(re.escape(CASE_ROUTE.removesuffix("{case_id}")) + "([^/]+)")  # one path segment, as the route


class LeanCaseRead:
    """Pure ASGI, in front of the framework: answers ``GET /api/v1/cases/{case_id}`` itself
    (see keepword.web.lean) with the route's steps: the caller, the route's access rule, the
    purpose, then :func:`answer_case`. Everything else goes on to ``app``."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        found = scope["type"] == "http" and scope["method"] == "GET" and _CASE_PATH.fullmatch(scope["path"])
        if not found:
            return await self.app(scope, receive, send)

        async def answer(request: Request) -> LeanAnswer:
            principal = await current_principal(request)
            check_access("GET", CASE_ROUTE, principal)
            return await answer_case(request, principal, found.group(1), _purpose(request))

        await answer_in_front(scope, receive, send, answer)


def _purpose(request: Request) -> str:
    """The ``purpose`` query parameter, validated as the route's ``Purpose`` validates it."""
    if not request.scope["query_string"]:
        return Purpose.default
    purpose = request.query_params.get("purpose")
    if purpose is None:
        return Purpose.default
    try:
        return _PURPOSE.validate_python(purpose)
    except ValidationError as invalid:
        raise RequestValidationError([{**error, "loc": ("query", "purpose")}
                                      for error in invalid.errors(include_url=False)]) from None


@router.get("/cases/{case_id}/parties", response_model=list[PartyOut], summary="The parties of a case, in full")
def case_parties(case_id: str, request: Request, principal: Principal = Depends(current_principal),
                 purpose: str = Purpose) -> list[PartyOut]:
    state = web_state(request)
    with guarded_context(state, courts=visible_courts(principal), reads=True).uow() as uow:
        parties = [party_out(p.party) for p in uow.cases.get(case_id).parties]
    state.record_read(read_entry(state, principal, "read.parties", "case", case_id, purpose,
                                 party_ids=[p.id for p in parties]))
    return parties


class PartyDetail(BaseModel):
    party: PartyOut
    case_ids: list[str]


@router.get("/parties/{party_id}", response_model=PartyDetail, summary="A party, with its cases in your courts")
def get_party(party_id: str, request: Request, principal: Principal = Depends(current_principal),
              purpose: str = Purpose) -> PartyDetail:
    state = web_state(request)
    cp, c = t.case_parties.c, t.cases.c
    with state.reads.uow() as uow:
        case_ids = list(uow.session.scalars(
            select(c.id).select_from(t.case_parties.join(t.cases, c.id == cp.case_id))
            .where(cp.party_id == party_id, c.court_id.in_(visible_courts(principal))).order_by(c.id)))
        if not case_ids:
            raise NotFound(f"party {party_id} not found", party_id=party_id)
        party = party_out(uow.parties.get(party_id))
    state.record_read(read_entry(state, principal, "read.party", "party", party_id, purpose,
                                 case_ids=case_ids))
    return PartyDetail(party=party, case_ids=case_ids)
