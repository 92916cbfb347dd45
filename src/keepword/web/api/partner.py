"""Partner checks: is this person or organisation listed or restricted today? Each check is audited."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from keepword.accounts.partner_types import CHECK
from keepword.domain.identifiers import normalize_identifier
from keepword.services.access import Principal
from keepword.store.compiled_reads import run_steps_on
from keepword.web.access_rules import check_access
from keepword.web.api.deps import read_entry
from keepword.web.api.published_read import PartyCheck, party_check
from keepword.web.auth import current_principal, require_scope
from keepword.web.lean import LeanAnswer, answer_in_front
from keepword.web.problems import problem_responses
from keepword.web.rate_limit import rate_limited
from keepword.web.schemas.public import CheckIn, CheckOut, PublishedListing
from keepword.web.state import web_state

router = APIRouter(prefix="/api/v1/partner", tags=["partner"], dependencies=[Depends(rate_limited)],
                   responses=problem_responses(401, 403, 422, 429))
CHECKS_PATH = f"{router.prefix}/checks"
_CHECK_SCOPE = require_scope(CHECK)


@router.post("/checks", response_model=CheckOut, summary="Check one identifier (ID number or credit code)")
async def check(body: CheckIn, request: Request, principal: Principal = Depends(_CHECK_SCOPE)) -> Response:
    """A decisive check by a validated identifier only: names never decide (RULES.md §5)."""
    return Response(await answer_partner_check(request, principal, body), media_type="application/json")


async def answer_partner_check(request: Request, principal: Principal, body: CheckIn) -> bytes:
    """The JSON answer to ``POST /checks``, on the framework's route or on :class:`LeanPartnerCheck`."""
    state = web_state(request)
    today = state.clock.now().astimezone(state.ctx.policy.zone).date()
    identifier = normalize_identifier(body.identifier)
    found: PartyCheck = await run_steps_on(state.read_engine, party_check(state.ctx.policy, today, identifier))
    # Awaited on the event loop: the answer waits for its audit entry's commit without holding a thread.
    await state.record_read_async(read_entry(state, principal, "partner.check", "party", found.party_id,
                                             body.purpose, found=found.party_id is not None,
                                             listed=bool(found.records)))
    return CheckOut(listed=bool(found.records), restricted_categories=found.restricted_categories,
                    listings=[PublishedListing(**rec) for rec in found.records]).model_dump_json().encode()


class LeanPartnerCheck:
    """Pure ASGI, in front of the framework: answers a well-formed, permitted ``POST /checks`` itself
    (see keepword.web.lean), with the route's steps: the caller, the route's access rule, the check
    scope, the body, then the partner's rate limit and :func:`answer_partner_check`. A request that
    fails any step before the rate limit goes on to the framework (its body handed on), which answers
    it as it answers every refusal; so does everything else."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != CHECKS_PATH:
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        raw = await request.body()
        ready = await _ready(request, raw)
        if ready is None:
            return await self.app(scope, _replay(raw), send)
        principal, body = ready

        async def answer(_request: Request) -> LeanAnswer:
            await rate_limited(request, principal)
            return await answer_partner_check(request, principal, body), ()

        await answer_in_front(scope, receive, send, answer)


async def _ready(request: Request, raw: bytes) -> tuple[Principal, CheckIn] | None:
    """The caller and the body when the route would take them; None when it would refuse, or when a step
    fails (nothing is recorded or counted here: refusals and errors are the framework's to answer, with its
    problem responses and its logging)."""
    try:
        principal = await current_principal(request)
        check_access("POST", CHECKS_PATH, principal)
        principal = await _CHECK_SCOPE(principal)
        return principal, CheckIn.model_validate_json(raw)
    except Exception:  # noqa: BLE001 - a refusal, or an error (the database's, say): the framework's to answer
        return None


def _replay(raw: bytes):
    """A ``receive`` that hands the framework the body the lean path has read."""
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        return {"type": "http.disconnect"}
    return receive
