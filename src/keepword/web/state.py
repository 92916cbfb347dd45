"""What the routers reach through ``request.app.state.keepword``: services wired once by create_app."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Engine

from keepword.accounts import AccountsContext
from keepword.audit import AuditTrail
from keepword.services.context import ServiceContext
from keepword.services.ports import Clock
from keepword.settings import Settings


@dataclass
class WebState:
    settings: Settings
    engine: Engine
    clock: Clock
    ctx: ServiceContext          # services with the audit hook on every unit of work
    trail: AuditTrail
    accounts: AccountsContext
    public_limits: object        # keepword.web.rate_limit.TokenBuckets
    partner_limits: object


#: The state of the app serving the current request (set by a middleware), for helpers called without the request.
current_state: ContextVar[WebState | None] = ContextVar("keepword_web_state", default=None)


def web_state(request: Request) -> WebState:
    return request.app.state.keepword
