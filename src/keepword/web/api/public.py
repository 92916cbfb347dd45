"""The published list: published fields only, the ID number masked; rate-limited per client."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import or_, select
from sqlalchemy.orm import defaultload, noload

from keepword.domain.cases import EnforcementCase
from keepword.domain.listings import Listing
from keepword.domain.identifiers import normalize_identifier
from keepword.domain.publication import published_record
from keepword.store import tables as t
from keepword.web.api.case_search import decode_cursor, encode_cursor
from keepword.web.problems import problem_responses
from keepword.web.rate_limit import rate_limited
from keepword.web.schemas.public import PublishedListing, PublishedPage
from keepword.web.state import web_state

router = APIRouter(prefix="/api/v1/public", tags=["public"], dependencies=[Depends(rate_limited)],
                   responses=problem_responses(401, 422, 429))


def _published_parts() -> tuple:
    """Loader options (made at call time: the classes are mapped when the app starts)."""
    return (noload(EnforcementCase.measures), noload(EnforcementCase.restrictions),
            defaultload(EnforcementCase.listings).noload(Listing.objections))


def published_listings(uow, policy, today, listing_ids: list[str]) -> list[dict]:
    """The published records of these listings, in the given order."""
    if not listing_ids:
        return []
    lst = t.listings.c
    case_ids = dict(uow.session.execute(select(lst.id, lst.case_id).where(lst.id.in_(listing_ids))).all())
    # The parts a published record shows: the parties, payments (the amount performed) and listings;
    # measures, restrictions and objections are not read.
    cases = {c.id: c for c in uow.session.scalars(
        select(EnforcementCase).where(t.cases.c.id.in_(set(case_ids.values())))
        .options(*_published_parts()))}
    courts = dict(uow.session.execute(select(t.courts.c.id, t.courts.c.name).where(
        t.courts.c.id.in_({c.court_id for c in cases.values()}))).all())
    records = []
    for listing_id in listing_ids:
        case = cases[case_ids[listing_id]]
        listing = case.listing(listing_id)
        party = case.debtor(listing.debtor_id).party
        records.append(published_record(case, listing, party, policy, today, courts.get(case.court_id)))
    return records


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
