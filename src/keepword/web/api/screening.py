"""Screening for partners: is this person or organisation on the list? One decision per record.

Answered from the in-memory screening index (``keepword.screening``), not from the database: a
decision names the index generation and feed position it is based on. Every request is audited
(who, why, how many records, which of the partner's record ids got match or review), never with
the identifiers, names or digests sent. The same router serves the main app and the lean replica
app (``keepword.screening.server``); each hangs a :class:`ScreeningService` on ``app.state.screening``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from json.encoder import encode_basestring as _string
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from keepword.accounts.partner_types import CHECK
from keepword.audit.entries import AuditEntry
from keepword.domain.errors import KeepwordError, ValidationFailed
from keepword.screening.holder import IndexHolder
from keepword.screening.index import ScreeningIndex
from keepword.screening.partner_checks import (MAX_BATCH_RECORDS, RECORD_FIELDS, Answer, answer_batch, answer_record,
                                               audit_summary)
from keepword.services.access import Principal
from keepword.web.auth import current_principal, require_scope
from keepword.web.lean import LeanAnswer, answer_in_front
from keepword.web.problems import BodyTooLarge, RateLimited, problem_responses
from keepword.web.schemas.screening import ScreeningBatchIn, ScreeningBatchOut, ScreeningCheckIn, ScreeningCheckOut

Body = TypeVar("Body", bound=BaseModel)
#: Seconds a client is asked to wait (Retry-After) while the index is still loading.
RETRY_WHILE_LOADING = 5


class ScreeningUnavailable(KeepwordError):
    """The index is not loaded (yet): answered 503, with ``Retry-After`` while it is loading."""

    code = "screening_unavailable"


@dataclass
class ScreeningService:
    """What the screening routes answer from.

    ``holder`` holds the live index; ``now`` and ``today`` give the time of the audit entry and the
    day decisions are taken for; ``record_read`` writes one audit entry (awaited before the answer
    goes out); ``limits`` are the partners' token buckets; ``feed_position`` the feed position the
    live index reflects (None: a static index); ``loading`` whether the index is being loaded (503
    with Retry-After until then) and ``disabled_reason`` why it never will be in this server.
    ``entry_subject`` is what the index's entry ids are (party ids when built from the database).
    ``authenticate`` resolves the caller (the main app's ``current_principal``; a replica's cached
    API keys).
    """

    holder: IndexHolder
    now: Callable[[], datetime]
    today: Callable[[], date]
    record_read: Callable[[AuditEntry], Awaitable[None]]
    limits: object                                   # keepword.web.rate_limit.TokenBuckets
    feed_position: Callable[[], int | None] = lambda: None
    loading: Callable[[], bool] = lambda: False
    disabled_reason: str = "the screening index is not loaded"
    entry_subject: str = "party"
    authenticate: Callable[[Request], Awaitable[Principal]] = current_principal

    def live_index(self) -> tuple[ScreeningIndex, dict]:
        """The index to answer from and the basis to report, taken once per request."""
        holder = self.holder
        if not holder.loaded:
            if self.loading():
                raise ScreeningUnavailable(f"the screening index is loading: retry in {RETRY_WHILE_LOADING} s",
                                           retry_after=RETRY_WHILE_LOADING)
            raise ScreeningUnavailable(self.disabled_reason)
        # The position first: the index taken after it reflects at least that position.
        position = self.feed_position()
        index = holder.current
        return index, {"generation": holder.generation, "feed_position": position, "entries": len(index)}


def screening_service(request: Request) -> ScreeningService:
    return request.app.state.screening


_CHECK_SCOPE = require_scope(CHECK)


async def checking_partner(request: Request) -> Principal:
    """A partner holding the check scope, within its rate limit (one token per request)."""
    service = screening_service(request)
    principal = await _CHECK_SCOPE(await service.authenticate(request))
    retry = service.limits.take(f"partner:{principal.partner_id}")
    if retry is not None:
        raise RateLimited(retry)
    return principal


router = APIRouter(prefix="/api/v1/screening", tags=["screening"],
                   responses=problem_responses(401, 403, 422, 429, 503))


def _json_body(model: type[BaseModel]) -> dict:
    """The request body as the OpenAPI document shows it (the routes read it themselves)."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


async def _read_body(request: Request, model: type[Body], limit: int | None = None) -> Body:
    """The body, parsed and validated in one pass by pydantic-core: a screening request is mostly
    body, and FastAPI's own parameter machinery would cost more than the check itself."""
    if limit is not None:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise BodyTooLarge(f"body: at most {limit:,} bytes for one check, got {int(length):,}; "
                               f"send several records to /batch")
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as invalid:
        raise RequestValidationError(invalid.errors(include_url=False)) from None


CHECK_PATH = f"{router.prefix}/check"
#: The largest body a single check may send (one record is a few hundred bytes).
MAX_CHECK_BODY = 64 * 1024


@router.post("/check", response_model=ScreeningCheckOut, summary="Screen one person or organisation",
             openapi_extra=_json_body(ScreeningCheckIn), responses=problem_responses(413))
async def check_one(request: Request) -> Response:
    """``match`` only on a valid listed identifier (or digest); ``review`` for the same name and birth
    date; ``no_match``; ``invalid`` with the reason naming the field. A name alone never matches."""
    return Response(await answer_check(request), media_type="application/json")


async def answer_check(request: Request) -> bytes:
    """The JSON answer to ``POST /check``, on the framework's route or on :class:`LeanCheckPath`."""
    principal = await checking_partner(request)
    body = await _read_body(request, ScreeningCheckIn, MAX_CHECK_BODY)
    service = screening_service(request)
    index, basis = service.live_index()
    record = {name: value for name in RECORD_FIELDS if (value := getattr(body, name)) is not None}
    answer = answer_record(index, record, service.today())
    subject = answer.decision.entry_id or None
    await service.record_read(_entry(service, principal, "screening.check", body.purpose, audit_summary([answer]),
                                     basis, subject_id=subject))
    return f'{_answer_json(answer)[:-1]},"index":{_basis_json(basis)}}}'.encode()


class LeanCheckPath:
    """Pure ASGI, in front of the framework: answers ``POST /check`` itself.

    A partner check is the hottest route there is, and most of what the framework does per request
    (middleware layers, routing past every route, dependency resolution) costs more than the check.
    Here it costs the same steps as the route (the partner and its scope, the rate limit, the body,
    the decision, the audit entry awaited before the answer) and answers the same bytes and the same
    problem details; everything else goes on to ``app``. The route stays declared for the OpenAPI
    document and for servers built without this layer.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] != CHECK_PATH or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        await answer_in_front(scope, receive, send, _lean_check)


async def _lean_check(request: Request) -> LeanAnswer:
    return await answer_check(request), ()


@router.post("/batch", response_model=ScreeningBatchOut,
             summary=f"Screen up to {MAX_BATCH_RECORDS:,} records in one request",
             openapi_extra=_json_body(ScreeningBatchIn))
async def check_batch(request: Request) -> Response:
    """One decision per record, in order. A record that cannot be read is answered ``invalid`` with
    the reason; it does not fail the batch."""
    principal = await checking_partner(request)
    body = await _read_body(request, ScreeningBatchIn)
    if len(body.records) > MAX_BATCH_RECORDS:
        raise ValidationFailed("records", "too_many", f"records: at most {MAX_BATCH_RECORDS:,} records per request, "
                                                      f"got {len(body.records):,}; split the batch")
    service = screening_service(request)
    index, basis = service.live_index()
    answers = await run_in_threadpool(answer_batch, index, body.records, service.today())
    summary = audit_summary(answers)
    await service.record_read(_entry(service, principal, "screening.batch", body.purpose, summary, basis))
    results = ",".join([_answer_json(answer) for answer in answers])
    counts = json.dumps(summary["decisions"], separators=(",", ":"))
    return _json_response(f'{{"results":[{results}],"counts":{counts},"index":{_basis_json(basis)}}}')


# Answers are written as JSON directly: for 10,000 records three times faster than building dicts
# for json.dumps. Strings are escaped by the json module's own encoder.
def _answer_json(answer: Answer) -> str:
    decision = answer.decision
    return (f'{{"record_id":{_string(answer.record_id)},"decision":"{decision.decision}",'
            f'"entry_id":{_string(decision.entry_id)},"score":{float(decision.score)!r},'
            f'"reason":{_string(decision.reason)},"code":{_string(decision.code)}}}')


def _basis_json(basis: dict) -> str:
    position = "null" if basis["feed_position"] is None else int(basis["feed_position"])
    return f'{{"generation":{int(basis["generation"])},"feed_position":{position},"entries":{int(basis["entries"])}}}'


def _json_response(text: str) -> Response:
    return Response(text.encode(), media_type="application/json")


def _entry(service: ScreeningService, principal: Principal, action: str, purpose: str, summary: dict, basis: dict,
           subject_id: str | None = None) -> AuditEntry:
    details = {**summary, "index_generation": basis["generation"], "feed_position": basis["feed_position"]}
    return AuditEntry(at=service.now(), actor=principal.actor, action=action,
                      subject_type=service.entry_subject if subject_id else None, subject_id=subject_id,
                      purpose=purpose, details=details)
