"""The one place that wires real, fake or null adapters into the services."""

from __future__ import annotations

from functools import partial

from sqlalchemy import Engine

from keepword.audit.trail import AuditTrail
from keepword.domain.policy import load_policy
from keepword.services.context import ServiceContext
from keepword.services.ports import Clock, SystemClock
from keepword.settings import Settings
from keepword.store.database import is_initialised, make_engine, migrate
from keepword.store.unit_of_work import SqlUnitOfWork


def unit_of_work(engine: Engine, hooks: tuple = ()) -> SqlUnitOfWork:
    uow = SqlUnitOfWork(engine)
    uow.before_commit.extend(hooks)
    return uow


def build_context(engine: Engine, *, policy_id: str = "cn-spc", clock: Clock | None = None,
                  hooks: tuple = ()) -> ServiceContext:
    """Services on a database engine: the SQL unit of work, the system clock, the configured policy."""
    return ServiceContext(uow_factory=partial(unit_of_work, engine, hooks), clock=clock or SystemClock(),
                          policy=load_policy(policy_id))


def open_registry(database_url: str | None = None, *, settings: Settings | None = None, clock: Clock | None = None,
                  migrate_schema: bool = True) -> tuple[Engine, ServiceContext]:
    """An engine (migrated to the latest schema) and a service context for it; every change is audited."""
    settings = settings or Settings()
    engine = make_engine(database_url or settings.database_url)
    if migrate_schema:
        migrate(engine)
    trail = AuditTrail(settings.secret_key, settings.audit_checkpoint_every)
    return engine, build_context(engine, policy_id=settings.policy, clock=clock, hooks=(trail.hook,))


__all__ = ["build_context", "open_registry", "unit_of_work", "is_initialised"]
