"""The published list: published fields only, the ID number masked; rate-limited per client."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import or_, select

from keepword.domain.identifiers import normalize_identifier
from keepword.store import tables as t
from keepword.web.api.case_search import decode_cursor, encode_cursor
from keepword.web.api.published_read import published_records
from keepword.web.problems import problem_responses
from keepword.web.rate_limit import rate_limited
from keepword.web.schemas.public import PublishedListing, PublishedPage
from keepword.web.state import web_state

router = APIRouter(prefix="/api/v1/public", tags=["public"], dependencies=[Depends(rate_limited)],
                   responses=problem_responses(401, 422, 429))


def published_listings(uow, policy, today, listing_ids: list[str]) -> list[dict]:
    """The published records of these listings, in the given order."""
    return published_records(uow.session.connection(), policy, today, listing_ids)


@router.get("/listings", response_model=PublishedPage, summary="The published list of dishonest judgment debtors")
def list_published(request: Request, court: str | None = Query(None, max_length=32),
                   name: str | None = Query(None, min_length=1, max_length=100, description="the exact name"),
                   identifier: str | None = Query(None, max_length=30, description="the exact ID number or credit code"),
                   cursor: str | None = Query(None, max_length=200), limit: int = Query(20, ge=1, le=100)) -> PublishedPage:
    state = web_state(request)
    lst, c, p = t.listings.c, t.cases.c, t.parties.c
    query = (select(lst.id).select_from(t.listings.join(t.cases, c.id == lst.case_id)
                                        .join(t.parties, p.id == lst.debtor_id))
             .where(lst.state == "published"))
    if court:
        query = query.where(c.court_id == court)
    if name:
        query = query.where(p.name == " ".join(name.split()))
    if identifier:
        key = normalize_identifier(identifier)
        query = query.where(or_(p.id_number == key, p.credit_code == key))
    before = decode_cursor(cursor)
    if before:
        query = query.where(lst.id < before)
    with state.reads.uow() as uow:
        ids = list(uow.session.scalars(query.order_by(lst.id.desc()).limit(limit + 1)))
        next_cursor = encode_cursor(ids[limit - 1]) if len(ids) > limit else None
        today = state.clock.now().astimezone(state.ctx.policy.zone).date()
        records = published_listings(uow, state.ctx.policy, today, ids[:limit])
    return PublishedPage(items=[PublishedListing(**r) for r in records], next_cursor=next_cursor)
