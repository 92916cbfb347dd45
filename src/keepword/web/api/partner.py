"""Partner checks: is this person or organisation listed or restricted today? Each check is audited."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select

from keepword.accounts.partner_types import CHECK
from keepword.domain.identifiers import normalize_identifier
from keepword.domain.restrictions import RestrictionOrder
from keepword.services.access import Principal
from keepword.store import tables as t
from keepword.web.api.deps import read_entry
from keepword.web.api.public import published_listings
from keepword.web.auth import require_scope
from keepword.web.problems import problem_responses
from keepword.web.rate_limit import rate_limited
from keepword.web.schemas.public import CheckIn, CheckOut, PublishedListing
from keepword.web.state import web_state

router = APIRouter(prefix="/api/v1/partner", tags=["partner"], dependencies=[Depends(rate_limited)],
                   responses=problem_responses(401, 403, 422, 429))


@router.post("/checks", response_model=CheckOut, summary="Check one identifier (ID number or credit code)")
def check(body: CheckIn, request: Request, principal: Principal = Depends(require_scope(CHECK))) -> CheckOut:
    """A decisive check by a validated identifier only: names never decide (RULES.md §5)."""
    state = web_state(request)
    key = normalize_identifier(body.identifier)
    today = state.clock.now().astimezone(state.ctx.policy.zone).date()
    lst, r = t.listings.c, t.restrictions.c
    with state.reads.uow() as uow:
        party = uow.parties.by_identifier(key)
        party_id = party.id if party is not None else None
        listing_ids, categories = [], set()
        if party is not None:
            listing_ids = list(uow.session.scalars(select(lst.id).where(
                lst.debtor_id == party.id, lst.state == "published").order_by(lst.id)))
            for order in uow.session.scalars(select(RestrictionOrder).where(r.debtor_id == party.id,
                                                                             r.lifted_on.is_(None))):
                categories.update(c for c in order.categories if order.restricts(c, today))
        records = published_listings(uow, state.ctx.policy, today, listing_ids)
    state.record_read(read_entry(state, principal, "partner.check", "party", party_id, body.purpose,
                                 found=party_id is not None, listed=bool(records)))
    return CheckOut(listed=bool(records), restricted_categories=sorted(categories),
                    listings=[PublishedListing(**rec) for rec in records])
