"""In-process token buckets: a steady rate per client with a burst of one minute's allowance."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from fastapi import Depends, Request

from keepword.services.access import ANONYMOUS, Principal
from keepword.web.auth import current_principal
from keepword.web.problems import RateLimited
from keepword.web.state import web_state

_MAX_KEYS = 100_000


class TokenBuckets:
    def __init__(self, per_minute: int, now: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.now = now
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> int | None:
        """Spend one token for ``key``: None when allowed, else the seconds to wait."""
        with self._lock:
            now = self.now()
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > _MAX_KEYS:
                self._forget_full(now)
            return max(1, math.ceil((1.0 - tokens) / self.rate))

    def _forget_full(self, now: float) -> None:
        # A bucket that has refilled holds no state worth keeping.
        full = [k for k, (tokens, last) in self._buckets.items()
                if tokens + (now - last) * self.rate >= self.capacity]
        for key in full:
            del self._buckets[key]


async def rate_limited(request: Request, principal: Principal = Depends(current_principal)) -> None:
    """For public and partner routes: a bucket per partner, else per signed-in user, else per client address."""
    state = web_state(request)
    if principal.partner_id:
        retry = state.partner_limits.take(f"partner:{principal.partner_id}")
    else:
        key = principal.actor if principal.id != ANONYMOUS.id else f"ip:{request.client.host if request.client else '-'}"
        retry = state.public_limits.take(key)
    if retry is not None:
        raise RateLimited(retry)
