"""What the portal's views need, built once per application from what create_app put on app.state."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Engine

from keepword.accounts import AccountsContext
from keepword.services.context import ServiceContext
from keepword.services.debtor_access import ConsoleSmsSender, DebtorAccess, SmsSender
from keepword.settings import Settings
from keepword.store.portal_repositories import code_repository, evidence_repository
from keepword.web.pages.challenge import SearchLimiter
from keepword.web.state import web_state


@dataclass
class Portal:
    ctx: ServiceContext
    engine: Engine
    settings: Settings
    sms: SmsSender
    limiter: SearchLimiter
    accounts: AccountsContext    # the court hierarchy (keepword.accounts.tokens.court_subtree) and its cache

    @property
    def debtor_access(self) -> DebtorAccess:
        return DebtorAccess(self.ctx, code_repository, self.sms, self.settings.secret_key)

    evidence_for = staticmethod(evidence_repository)

    def session(self):
        """A read-only session for the portal's queries (closed by the ``with`` block)."""
        return _Reading(self.ctx.uow(), give_session=True)

    def read(self):
        """A unit of work for reading: what it loaded stays usable after the block (detached, fully loaded)."""
        return _Reading(self.ctx.uow(), give_session=False)


class _Reading:
    def __init__(self, uow, give_session: bool) -> None:
        self.uow = uow
        self.give_session = give_session

    def __enter__(self):
        self.uow.__enter__()
        return self.uow.session if self.give_session else self.uow

    def __exit__(self, *exc) -> None:
        # Leaving a unit of work rolls back, which would expire every loaded object; detach them first
        # (aggregates load their parts eagerly, so the detached copies are complete).
        if self.uow.session is not None:
            self.uow.session.expunge_all()
        self.uow.__exit__(*exc)


def portal(request: Request) -> Portal:
    """The portal of this application (``app.state.portal``), built on first use from create_app's state.

    Tests and the demo may set ``app.state.portal_sms`` (an SMS sender) before the first request.
    """
    state = request.app.state
    existing = getattr(state, "portal", None)
    if existing is not None:
        return existing
    web = web_state(request)
    built = Portal(ctx=web.ctx, engine=web.engine, settings=web.settings,
                   sms=getattr(state, "portal_sms", None) or ConsoleSmsSender(),
                   limiter=SearchLimiter(web.settings.secret_key), accounts=web.accounts)
    state.portal = built
    return built
