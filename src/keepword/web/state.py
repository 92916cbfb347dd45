"""What the routers reach through ``request.app.state.keepword``: services wired once by create_app."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Engine, event

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
    reads: ServiceContext        # the same services on the read engine: for loading what a GET answers
    trail: AuditTrail
    accounts: AccountsContext
    public_limits: object        # keepword.web.rate_limit.TokenBuckets
    partner_limits: object


#: The state of the app serving the current request (set by a middleware), for helpers called without the request.
current_state: ContextVar[WebState | None] = ContextVar("keepword_web_state", default=None)


def web_state(request: Request) -> WebState:
    return request.app.state.keepword


def read_engine_for(engine: Engine) -> Engine:
    """An engine for reads. On SQLite every transaction of the main engine begins IMMEDIATE (one writer
    at a time); a read needs no write lock, so this one begins DEFERRED: in WAL mode readers then run
    beside the writer, each on a consistent snapshot. PostgreSQL needs nothing of the kind."""
    if engine.dialect.name != "sqlite":
        return engine
    from keepword.store.database import _sqlite_begin_immediate, make_engine

    reader = make_engine(engine.url.render_as_string(hide_password=False))
    event.remove(reader, "begin", _sqlite_begin_immediate)
    event.listen(reader, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    return reader
