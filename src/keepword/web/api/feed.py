"""The partner feed API: pull the feed, take a snapshot, register webhooks, acknowledge delistings, watch lag.

Partners need the ``feed:read`` scope and see only their own type's view, endpoints and lag; supervisors
and admins see every partner's lag, endpoints and unacknowledged delistings.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from keepword.accounts.partner_types import FEED_READ
from keepword.feeds import acks as feed_acks
from keepword.feeds.endpoints import add_endpoint, enable_endpoint, list_endpoints
from keepword.feeds.pull import FeedPositionExpired, feed_page
from keepword.feeds.snapshot import open_snapshot
from keepword.services.access import Principal
from keepword.web.api.deps import read_entry
from keepword.web.auth import current_principal, require_scope
from keepword.web.problems import problem, problem_responses
from keepword.web.rate_limit import rate_limited
from keepword.web.schemas.common import Strict
from keepword.web.state import web_state

router = APIRouter(prefix="/api/v1/feed", tags=["feed"], dependencies=[Depends(rate_limited)],
                   responses=problem_responses(401, 403, 404, 422, 429))


class FeedPageOut(BaseModel):
    events: list[dict] = Field(description="CloudEvents 1.0 (structured JSON); ``data`` is your partner type's view")
    next: int = Field(description="Pass as ``after`` to get the following events")
    head: int = Field(description="The highest position in the feed now")
    more: bool = Field(description="True while ``next`` is below ``head``: ask again at once")


class AcksIn(Strict):
    event_ids: list[str] = Field(min_length=1, max_length=feed_acks.MAX_ACKS,
                                 description="Ids of delisting, revocation or lifted-restriction events you applied")


class AcksOut(BaseModel):
    acknowledged: list[str]
    already_acknowledged: list[str]


class EndpointIn(Strict):
    url: str = Field(max_length=2000, description="Where keepword POSTs signed events (https)")
    from_start: bool = Field(False, description="Also deliver the retained feed (default: from now on)")


class EndpointOut(BaseModel):
    id: str
    partner_id: str
    url: str
    active: bool
    disabled_at: str | None
    disabled_reason: str | None
    cursor: int
    consecutive_failures: int
    paused_until: str | None
    created_at: str | None


class NewEndpointOut(BaseModel):
    id: str
    url: str
    secret: str = Field(description="The Standard Webhooks secret (whsec_...): shown once, keep it")


class LagOut(BaseModel):
    partner_id: str
    partner: str
    partner_type: str
    head: int
    through: int
    lag_positions: int
    lag_seconds: float
    webhook_through: int | None
    pull_through: int | None
    last_pull_at: str | None
    endpoints_with_backlog: int
    endpoints: list[dict]


class UnackedOut(BaseModel):
    partner_id: str
    partner: str
    partner_type: str
    event_id: str
    type: str
    position: int
    subject: str | None
    occurred_at: str
    deadline: str
    overdue: bool


@router.get("", response_model=FeedPageOut, responses=problem_responses(410),
            summary="Events after a position, as your partner type sees them")
def pull(request: Request, after: int = Query(0, ge=0, le=2**62, description="The ``next`` of the previous page"),
         limit: int = Query(100, ge=1, le=1000), principal: Principal = Depends(require_scope(FEED_READ))):
    """Positions only ever appear in increasing order, so paging with ``after=next`` never skips an event."""
    state = web_state(request)
    try:
        page = feed_page(state.engine, principal.partner_type, after, limit, partner_id=principal.partner_id)
    except FeedPositionExpired as exc:
        return problem(410, exc.code, exc.message, instance=str(request.url.path))
    if page.events:
        state.record_read(read_entry(state, principal, "feed.read", "feed", None, "partner feed",
                                     after=after, next=page.next, events=len(page.events)))
    return FeedPageOut(**page.as_dict())


@router.get("/snapshot", summary="The current list as your partner type sees it, and the position it is consistent with",
            response_description='{"partner_type", "position", "generated_at", "items": [...]}; follow the feed '
                                 "with after=position")
def snapshot(request: Request, principal: Principal = Depends(require_scope(FEED_READ))) -> StreamingResponse:
    state = web_state(request)
    now = state.clock.now()
    state.record_read(read_entry(state, principal, "feed.snapshot", "feed", None, "partner snapshot"))
    return StreamingResponse(_stream_snapshot(state, principal.partner_type, now), media_type="application/json")


def _stream_snapshot(state, partner_type: str, now) -> Iterator[bytes]:
    with open_snapshot(state.engine, partner_type, state.ctx.policy, now) as snap:
        head = {"partner_type": partner_type, "position": snap.position, "generated_at": now.isoformat()}
        yield json.dumps(head, ensure_ascii=False)[:-1].encode() + b', "items": ['
        for i, item in enumerate(snap.items):
            yield (b"," if i else b"") + json.dumps(item, ensure_ascii=False).encode()
        yield b"]}"


@router.post("/acks", response_model=AcksOut, summary="Confirm that you applied delistings (all or nothing)")
def acknowledge(body: AcksIn, request: Request, principal: Principal = Depends(require_scope(FEED_READ))) -> AcksOut:
    state = web_state(request)
    result = feed_acks.acknowledge(state.engine, principal.partner_id, body.event_ids, principal.actor,
                                   state.clock.now())
    return AcksOut(**result)


@router.get("/endpoints", response_model=list[EndpointOut],
            summary="Webhook endpoints: yours (partners) or all (supervisors, admins), with why one was disabled")
def endpoints(request: Request, principal: Principal = Depends(current_principal)) -> list[EndpointOut]:
    state = web_state(request)
    with state.engine.connect() as conn:
        return [EndpointOut(**e) for e in list_endpoints(conn, _own(principal))]


@router.post("/endpoints", response_model=NewEndpointOut, status_code=201,
             summary="Register a webhook endpoint; events are signed per Standard Webhooks with the returned secret")
def register_endpoint(body: EndpointIn, request: Request,
                      principal: Principal = Depends(require_scope(FEED_READ))) -> NewEndpointOut:
    state = web_state(request)
    created = add_endpoint(state.engine, principal.partner_id, body.url, from_start=body.from_start,
                           allow_plain_http=state.settings.environment != "production")
    return NewEndpointOut(id=created.id, url=created.url, secret=created.secret)


@router.post("/endpoints/{endpoint_id}/enable", response_model=EndpointOut,
             summary="Resume a disabled endpoint: its waiting events are delivered again, in order")
def enable(endpoint_id: str, request: Request, principal: Principal = Depends(require_scope(FEED_READ))) -> EndpointOut:
    state = web_state(request)
    enable_endpoint(state.engine, endpoint_id, partner_id=principal.partner_id)
    with state.engine.connect() as conn:
        return next(EndpointOut(**e) for e in list_endpoints(conn, principal.partner_id) if e["id"] == endpoint_id)


@router.get("/lag", response_model=list[LagOut], summary="How far behind the feed each partner is (positions, seconds)")
def lag(request: Request, principal: Principal = Depends(current_principal)) -> list[LagOut]:
    state = web_state(request)
    return [LagOut(**row) for row in feed_acks.lag(state.engine, state.clock.now(), _own(principal))]


@router.get("/unacknowledged", response_model=list[UnackedOut],
            summary="Delistings and lifted restrictions not yet acknowledged, oldest first, with their deadline")
def unacknowledged(request: Request, principal: Principal = Depends(current_principal)) -> list[UnackedOut]:
    state = web_state(request)
    rows = feed_acks.unacknowledged(state.engine, state.ctx.policy, state.clock.now(), _own(principal))
    return [UnackedOut(**row) for row in rows]


def _own(principal: Principal) -> str | None:
    """A partner sees only itself; staff (supervisors, admins: see the access rules) see every partner."""
    return principal.partner_id
