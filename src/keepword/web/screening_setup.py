"""The screening routes of the main app: which index they answer from, and how their reads are audited."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date

from keepword.screening.holder import IndexHolder
from keepword.screening.live_index import LiveIndex
from keepword.web.api.screening import ScreeningService
from keepword.web.state import WebState

DISABLED = ("screening is off in this server: start it with KEEPWORD_SCREENING_LIVE_INDEX=true, "
            "or ask a screening replica (keepword screen-server)")


def screening_for(state: WebState, holder: IndexHolder | None) -> tuple[ScreeningService, LiveIndex | None]:
    """The service the screening routes use, and the live index to start with the app (if any).

    An injected ``holder`` (tests, embedding) is used as it is; otherwise, with the setting
    ``screening_live_index`` on, the index is loaded from the database when the app starts and
    follows the feed.
    """
    settings, live, zone = state.settings, None, state.ctx.policy.zone

    def today() -> date:
        return state.clock.now().astimezone(zone).date()

    if holder is None:
        holder = IndexHolder()
        if settings.screening_live_index:
            live = LiveIndex(state.engine, holder, secret=settings.screening_hmac_secret or None, today=today)
    service = ScreeningService(
        holder=holder, now=state.clock.now, today=today, record_read=state.record_read_async,
        limits=state.partner_limits,
        feed_position=live.feed_position if live else (lambda: None),
        loading=live.loading if live else (lambda: False), disabled_reason=DISABLED)
    return service, live


def run_with(live: LiveIndex | None) -> Callable:
    """The app's lifespan: start loading the live index with the server, stop following with it."""
    @asynccontextmanager
    async def lifespan(_app) -> AsyncIterator[None]:
        if live is not None:
            live.start()
        try:
            yield
        finally:
            if live is not None:
                live.stop()
    return lifespan
