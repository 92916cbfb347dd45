"""The web application: the REST API (and, mounted by the portal, its pages) on one set of services."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from keepword.accounts import AccountsContext
from keepword.bootstrap import build_context
from keepword.services.ports import Clock, SystemClock
from keepword.settings import Settings
from keepword.store.database import make_engine, migrate
from keepword.store.mapping import start_mappers
from keepword.web.access_rules import enforce_access_rule
from keepword.screening.holder import IndexHolder
from keepword.web.api import (admin, audit, auth, case_actions, cases, feed, health, listings, me, objections, partner,
                              public, restrictions, screening)
from keepword.web import pages
from keepword.web.problems import install_problem_handlers, problem_responses, unexpected_error
from keepword.web.rate_limit import TokenBuckets
from keepword.web.screening_setup import run_with, screening_for
from keepword.web.state import WebState, current_state, read_engine_for

ROUTERS = (health, auth, public, partner, screening, cases, case_actions, listings, objections, restrictions, me, audit,
           feed, admin)

DESCRIPTION = """Court judgment enforcement: cases, the list of dishonest judgment debtors, partner checks.

Amounts are strings (`"1234.50"`), dates ISO 8601, errors RFC 9457 problem details with a stable `code`.
A case's `ETag` is its version: send it back as `If-Match` on a change to be sure nobody changed it meanwhile.
"""


def create_app(settings: Settings | None = None, engine: Engine | None = None, clock: Clock | None = None,
               screening_holder: IndexHolder | None = None) -> FastAPI:
    """The app on ``engine`` (default: the settings' database, migrated), with audited services.

    The screening routes answer from ``screening_holder`` if given, else from an index loaded from
    the database at startup when ``settings.screening_live_index`` is on (see web.screening_setup).
    """
    settings = settings or Settings()
    settings.check_production()
    if engine is None:
        engine = make_engine(settings.database_url)
        migrate(engine)
    clock = clock or SystemClock()
    start_mappers()  # before the first request: mapping lazily from several request threads at once races
    accounts = AccountsContext.build(engine, settings, clock)
    accounts.reader = read_engine_for(engine)
    ctx = build_context(engine, policy_id=settings.policy, clock=clock, hooks=(accounts.trail.hook,))
    reads = build_context(accounts.reader, policy_id=settings.policy, clock=clock)
    state = WebState(settings=settings, engine=engine, clock=clock, ctx=ctx, reads=reads, trail=accounts.trail,
                     accounts=accounts,
                     public_limits=TokenBuckets(settings.rate_limit_public_per_minute),
                     partner_limits=TokenBuckets(settings.rate_limit_partner_per_minute))

    screening_service, live_index = screening_for(state, screening_holder)

    app = KeepwordAPI(title="keepword", version="1", description=DESCRIPTION, lifespan=_closing_state(run_with(live_index)),
                      lean_paths=(screening.LeanCheckPath, cases.LeanCaseRead, partner.LeanPartnerCheck),
                      dependencies=[Depends(enforce_access_rule)], responses=problem_responses(400, 401, 403, 422, 500))
    app.state.keepword = state
    app.state.screening = screening_service
    install_problem_handlers(app)
    for module in ROUTERS:
        app.include_router(module.router)
    app.include_router(pages.router)

    app.add_middleware(BindState, state=state)
    app.openapi = lambda: _openapi(app)
    return app


class KeepwordAPI(FastAPI):
    """FastAPI with lean paths (keepword.web.lean) in front of it all: by default the screening check
    (``screening.LeanCheckPath``); the main app adds the read of a case (``cases.LeanCaseRead``) and the
    partner check against the registry (``partner.LeanPartnerCheck``)."""

    def __init__(self, *args, lean_paths: tuple = (screening.LeanCheckPath,), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        front = super().__call__
        for lean_path in reversed(lean_paths):
            front = lean_path(front)
        self._front = front

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            scope["app"] = self  # as the framework sets it: routes reach the app's state through it
        await self._front(scope, receive, send)


def _closing_state(inner):
    """``inner`` lifespan, then the state's shutdown: queued audit entries are committed before exit."""
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        try:
            async with inner(app):
                yield
        finally:
            await run_in_threadpool(app.state.keepword.close)
    return lifespan


class BindState:
    """Pure ASGI middleware: makes the app's state reachable from helpers, keeps answers out of caches,
    and turns a bug into a 500 problem without the server logging the error's message (personal data)."""

    def __init__(self, app, state: WebState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_no_store(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        started = False

        async def send_tracked(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_no_store(message)

        token = current_state.set(self.state)
        try:
            await self.app(scope, receive, send_tracked)
        except Exception as exc:  # noqa: BLE001 - every bug ends here, logged without its message
            response = unexpected_error(scope, exc)
            if not started:
                await response(scope, receive, send)
        finally:
            current_state.reset(token)


def _openapi(app: FastAPI) -> dict:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    schema.setdefault("components", {})["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/token"},
        "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "partner API key"},
        "session": {"type": "apiKey", "in": "cookie", "name": "keepword_session",
                    "description": "browser session; unsafe methods need the X-CSRF-Token header"},
    }
    schema["security"] = [{"bearer": []}, {"apiKey": []}, {"session": []}, {}]
    app.openapi_schema = schema
    return schema
