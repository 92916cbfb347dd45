"""The audit log for auditors: entries page by page, and a verification of the chain."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from keepword.audit.verify import verify_chain
from keepword.store import tables as t
from keepword.web.problems import problem_responses
from keepword.web.schemas.public import AuditEntryOut, AuditPage, VerifyOut
from keepword.web.state import web_state

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=problem_responses(401, 403, 422))


@router.get("", response_model=AuditPage, summary="Audit entries in order, from a sequence number on")
def entries(request: Request, after: int = Query(0, ge=0, le=2**62, description="the last seq already read"),
            actor: str | None = Query(None, max_length=100), subject_id: str | None = Query(None, max_length=64),
            limit: int = Query(100, ge=1, le=1000)) -> AuditPage:
    state = web_state(request)
    a = t.audit_log.c
    query = select(t.audit_log).where(a.seq > after)
    if actor:
        query = query.where(a.actor == actor)
    if subject_id:
        query = query.where(a.subject_id == subject_id)
    with state.accounts.reader.connect() as conn:
        rows = conn.execute(query.order_by(a.seq).limit(limit + 1)).all()
    items = [AuditEntryOut(**{k: v for k, v in r._mapping.items() if k != "prev_hash"}) for r in rows[:limit]]
    return AuditPage(items=items, next_cursor=str(items[-1].seq) if len(rows) > limit else None)


@router.get("/verify", response_model=VerifyOut, summary="Check the hash chain and the signed checkpoints")
def verify(request: Request) -> VerifyOut:
    state = web_state(request)
    return VerifyOut(**verify_chain(state.engine, state.settings.secret_key).as_dict())
