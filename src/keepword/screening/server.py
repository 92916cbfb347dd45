"""A screening replica: the screening routes on an in-memory index, and nothing else.

``keepword screen-server`` runs one. It answers ``POST /api/v1/screening/check`` and ``/batch``
exactly as the main app does (same router, same decisions, same audit entries), plus:

* ``GET /health``: the process is up (no database, no index);
* ``GET /ready``: the index is loaded (503 until then), its generation, the feed position it
  reflects, how far it is behind the head of the feed and when it last caught up.

The database is used for three things only: building the index (unless a registry file is given),
following the feed, and the partners' API keys (cached, see ``replica_auth``) and the audit log
(group commit: an answer leaves once its audit entry is committed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from keepword.accounts import AccountsContext
from keepword.audit.writer import AuditWriter
from keepword.domain.policy import load_policy
from keepword.screening.holder import IndexHolder
from keepword.screening.live_index import LiveIndex
from keepword.screening.replica_auth import CachedApiKeys
from keepword.services.ports import Clock, SystemClock
from keepword.settings import Settings
from keepword.web.api import screening
from keepword.web.app import BindState, KeepwordAPI
from keepword.web.problems import install_problem_handlers, problem_responses
from keepword.web.rate_limit import TokenBuckets
from keepword.web.screening_setup import run_with
from keepword.web.state import read_engine_for

DESCRIPTION = """A keepword screening replica: partner checks against the list held in memory.

Authenticate with your partner API key (`X-API-Key: kwp_...`); the key needs the `check` scope.
"""


def create_screen_app(settings: Settings, engine: Engine, *, holder: IndexHolder, live: LiveIndex | None = None,
                      clock: Clock | None = None) -> KeepwordAPI:
    """The replica app answering from ``holder``.

    With ``live``, the index is loaded from the database when the server starts and follows the
    feed (entry ids are party ids); without, ``holder`` must already hold the index (a registry file).
    """
    clock = clock or SystemClock()
    accounts = AccountsContext.build(engine, settings, clock)
    accounts.reader = read_engine_for(engine)
    audit = AuditWriter(engine, accounts.trail, max_wait=0)  # checks are cheap: latency bounds them, not commits
    keys = CachedApiKeys(accounts, settings.screening_key_cache_seconds)
    zone = load_policy(settings.policy).zone

    def today() -> date:
        return clock.now().astimezone(zone).date()

    async def record_read(entry) -> None:
        await audit.write_async(entry)

    service = screening.ScreeningService(
        holder=holder, now=clock.now, today=today, record_read=record_read,
        limits=TokenBuckets(settings.rate_limit_partner_per_minute),
        feed_position=live.feed_position if live else (lambda: None),
        loading=live.loading if live else (lambda: False),
        disabled_reason="the screening index is not loaded", entry_subject="party" if live else "registry_entry",
        authenticate=keys.principal)

    following = run_with(live)

    @asynccontextmanager
    async def lifespan(app_) -> AsyncIterator[None]:
        try:
            async with following(app_):
                yield
        finally:
            audit.close()

    app = KeepwordAPI(title="keepword screening replica", version="1", description=DESCRIPTION, lifespan=lifespan,
                  responses=problem_responses(401, 403, 422, 500))
    app.state.screening = service
    install_problem_handlers(app)
    app.include_router(screening.router)

    @app.get("/health", tags=["health"], summary="The process is up")
    async def health() -> dict:
        return {"status": "ok"}

    @app.get("/ready", tags=["health"], summary="The index is loaded; how fresh it is",
             responses={503: {"description": "The index is not loaded yet"}})
    async def ready() -> JSONResponse:
        return JSONResponse(await run_in_threadpool(readiness, holder, live),
                            status_code=200 if holder.loaded else 503)

    app.add_middleware(BindState, state=None)
    return app


def readiness(holder: IndexHolder, live: LiveIndex | None) -> dict:
    """What ``/ready`` answers (asks the database for the feed's head when following it)."""
    report: dict = {"ready": holder.loaded, "source": "database" if live else "registry file",
                    "generation": holder.generation, "entries": len(holder.current) if holder.loaded else 0,
                    "loaded_at": holder.swaps[-1].swapped_at.isoformat() if holder.swaps else None}
    if live is not None:
        follower = live.follower
        report.update(feed_position=live.feed_position(), lag_positions=None, last_error=live.last_error,
                      last_caught_up_at=follower.last_caught_up_at.isoformat()
                      if follower and follower.last_caught_up_at else None)
        try:
            report["lag_positions"] = live.lag_positions()
        except Exception as problem:  # noqa: BLE001 - the database is down: say so, stay answerable
            report["last_error"] = type(problem).__name__
    return report
