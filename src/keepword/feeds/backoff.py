"""The retry schedule: exponential backoff with jitter, for about three days, then the endpoint is disabled."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetrySchedule:
    base_seconds: float = 10.0
    max_seconds: float = 6 * 3600.0
    window_seconds: float = 3 * 24 * 3600.0

    @classmethod
    def from_settings(cls, settings) -> RetrySchedule:
        return cls(base_seconds=settings.relay_backoff_base_seconds, max_seconds=settings.relay_backoff_max_seconds,
                   window_seconds=settings.relay_retry_window_seconds)

    def ceiling(self, failures: int) -> float:
        """The un-jittered delay after the ``failures``-th failure in a row: base, 2 base, 4 base, ... up to max."""
        exponent = min(max(failures, 1) - 1, 60)
        return min(self.max_seconds, self.base_seconds * 2 ** exponent)

    def delay(self, failures: int, rng: random.Random | None = None) -> float:
        """The delay before the next attempt, jittered into [ceiling/2, ceiling] so retries do not bunch up."""
        ceiling = self.ceiling(failures)
        return ceiling / 2 + (rng or random).random() * ceiling / 2

    def gives_up(self, first_failure: datetime, now: datetime) -> bool:
        """True once failures have gone on for the whole window: the endpoint is then disabled."""
        return now - first_failure >= timedelta(seconds=self.window_seconds)

    def attempts_in_window(self) -> int:
        """How many attempts fit in the window at the longest delays (for docs and tests)."""
        elapsed, attempts = 0.0, 1
        while elapsed < self.window_seconds:
            elapsed += self.ceiling(attempts)
            attempts += 1
        return attempts
