"""Partner checks: is this person or organisation listed or restricted today? Each check is audited."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from keepword.accounts.partner_types import CHECK
from keepword.domain.identifiers import normalize_identifier
from keepword.services.access import Principal
from keepword.web.api.deps import read_entry
from keepword.web.api.published_read import PartyCheck, check_party
from keepword.web.auth import require_scope
from keepword.web.problems import problem_responses
from keepword.web.rate_limit import rate_limited
from keepword.web.schemas.public import CheckIn, CheckOut, PublishedListing
from keepword.web.state import WebState, web_state

router = APIRouter(prefix="/api/v1/partner", tags=["partner"], dependencies=[Depends(rate_limited)],
                   responses=problem_responses(401, 403, 422, 429))


@router.post("/checks", response_model=CheckOut, summary="Check one identifier (ID number or credit code)")
async def check(body: CheckIn, request: Request, principal: Principal = Depends(require_scope(CHECK))) -> CheckOut:
    """A decisive check by a validated identifier only: names never decide (RULES.md §5)."""
    state = web_state(request)
    today = state.clock.now().astimezone(state.ctx.policy.zone).date()
    found = await run_in_threadpool(_check, state, today, normalize_identifier(body.identifier))
    # Awaited on the event loop: the answer waits for its audit entry's commit without holding a thread.
    await state.record_read_async(read_entry(state, principal, "partner.check", "party", found.party_id,
                                             body.purpose, found=found.party_id is not None,
                                             listed=bool(found.records)))
    return CheckOut(listed=bool(found.records), restricted_categories=found.restricted_categories,
                    listings=[PublishedListing(**rec) for rec in found.records])


def _check(state: WebState, today: date, identifier: str) -> PartyCheck:
    with state.read_engine.connect() as conn:
        return check_party(conn, state.ctx.policy, today, identifier)
