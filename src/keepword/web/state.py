"""What the routers reach through ``request.app.state.keepword``: services wired once by create_app."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy import Engine, event

from keepword.accounts import AccountsContext
from keepword.audit import AuditEntry, AuditTrail
from keepword.audit.writer import AuditWriter
from keepword.services.context import ServiceContext
from keepword.services.ports import Clock
from keepword.settings import Settings
from keepword.store.async_reads import close_async_readers
from keepword.store.sqlite_reads import close_readers


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
    # Appends read audits in batches (group commit); callers wait for their batch to commit.
    audit_writer: AuditWriter = field(init=False)

    def __post_init__(self) -> None:
        self.audit_writer = AuditWriter(self.engine, self.trail)

    @property
    def read_engine(self) -> Engine:
        """The engine ``reads`` loads from: on SQLite, transactions that take no write lock."""
        return self.accounts.reader or self.engine

    def record_read(self, entry: AuditEntry) -> None:
        """Audit a read of personal data (or another entry that stands alone, outside a unit of work);
        returns once the entry is committed, so nothing is answered unrecorded."""
        self.audit_writer.write(entry)

    async def record_read_async(self, entry: AuditEntry) -> None:
        """``record_read`` for async routes: waits for the commit without holding a thread."""
        await self.audit_writer.write_async(entry)

    def close(self) -> None:
        """On shutdown: commit the audit entries still queued, close the connections reads keep."""
        self.audit_writer.close()
        close_readers(self.read_engine)
        close_async_readers(self.read_engine)


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
