"""What the case routers share: the caller's courts, If-Match, the guarded service context, ETags, read audits."""

from __future__ import annotations

import re
from dataclasses import replace

from fastapi import Request, Response
from sqlalchemy import event

from keepword.audit.entries import AuditEntry
from keepword.domain.cases import EnforcementCase
from keepword.domain.errors import NotFound, ValidationFailed
from keepword.services.access import Principal
from keepword.services.context import ServiceContext
from keepword.web.api.present import case_out
from keepword.web.problems import PreconditionFailed
from keepword.web.schemas.cases import CaseOut
from keepword.web.state import WebState

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def if_match_version(request: Request) -> int | None:
    """The case version named by If-Match (``"3"``), or None when the header is absent or ``*``."""
    raw = request.headers.get("if-match")
    if raw is None or raw.strip() == "*":
        return None
    match = _ETAG.match(raw)
    if not match:
        raise ValidationFailed("If-Match", 'must be the ETag of the case, such as "3"')
    return int(match.group(1))


def guarded_context(state: WebState, *, courts: frozenset[str] | None, expected_version: int | None = None,
                    reads: bool = False) -> ServiceContext:
    """The audited service context (or, with ``reads``, the read one), refusing any case outside ``courts``
    or not at ``expected_version``.

    The check runs as the case is loaded inside the use case's own transaction, and the version column
    then guards the write: a change lands only on the version the caller saw.
    """
    context = state.reads if reads else state.ctx
    base = context.uow_factory

    def check(_session, instance) -> None:
        if not isinstance(instance, EnforcementCase):
            return
        if courts is not None and instance.court_id not in courts:
            raise NotFound(f"case {instance.id} not found", case_id=instance.id)
        if expected_version is not None and instance.version != expected_version:
            raise PreconditionFailed(f"case {instance.case_number} is at version {instance.version}, not "
                                     f"{expected_version}: someone else changed it; reload and retry",
                                     current_version=instance.version)

    def factory():
        uow = base()
        event.listen(uow.session_factory, "loaded_as_persistent", check)
        return uow

    return replace(context, uow_factory=factory)


def acting_context(request: Request, state: WebState, principal: Principal,
                   courts: frozenset[str] | None = None) -> ServiceContext:
    """For a change by staff: their own court only (unless ``courts`` says otherwise), honouring If-Match."""
    own = frozenset({principal.court_id}) if principal.court_id else frozenset()
    return guarded_context(state, courts=own if courts is None else courts, expected_version=if_match_version(request))


def visible_courts(principal: Principal) -> frozenset[str]:
    """The courts whose records a staff member may read: their court, or a supervisor's subtree."""
    return frozenset(principal.court_ids) | ({principal.court_id} if principal.court_id else set())


def respond_case(case: EnforcementCase, response: Response) -> CaseOut:
    response.headers["ETag"] = f'"{case.version}"'
    return case_out(case)


def read_entry(state: WebState, principal: Principal, action: str, subject_type: str, subject_id: str | None,
               purpose: str, **details) -> AuditEntry:
    """The audit entry of a read of personal data: who, what, why; never the data itself."""
    return AuditEntry(at=state.clock.now(), actor=principal.actor, action=action, subject_type=subject_type,
                      subject_id=subject_id, purpose=purpose, details=details)
