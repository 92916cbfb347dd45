"""The retry schedule: doubling delays with jitter, capped, for about three days, then give up."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from keepword.feeds.backoff import RetrySchedule

DEFAULT = RetrySchedule()


def test_delays_double_from_the_base_up_to_the_cap():
    assert [DEFAULT.ceiling(n) for n in range(1, 6)] == [10, 20, 40, 80, 160]
    assert DEFAULT.ceiling(30) == 6 * 3600
    assert DEFAULT.ceiling(10_000) == 6 * 3600  # no overflow however long it fails


def test_jitter_spreads_retries_within_half_to_full_delay():
    rng = random.Random(7)
    delays = [DEFAULT.delay(5, rng) for _ in range(500)]
    assert min(delays) >= 80 and max(delays) <= 160
    assert max(delays) - min(delays) > 60, "retries of many deliveries must not bunch up"


def test_failures_go_on_for_about_three_days_before_the_endpoint_is_disabled():
    start = datetime(2024, 3, 1, tzinfo=timezone.utc)
    assert not DEFAULT.gives_up(start, start + timedelta(days=2, hours=23))
    assert DEFAULT.gives_up(start, start + timedelta(days=3))
    elapsed, attempts = 0.0, 0
    while not DEFAULT.gives_up(start, start + timedelta(seconds=elapsed)):
        elapsed += DEFAULT.delay(attempts + 1, random.Random(attempts))
        attempts += 1
    assert 15 <= attempts <= 40
    assert DEFAULT.attempts_in_window() >= 15


def test_a_compressed_schedule_for_tests_keeps_its_shape():
    fast = RetrySchedule(base_seconds=0.05, max_seconds=0.5, window_seconds=2)
    assert [fast.ceiling(n) for n in (1, 2, 3, 4, 5)] == [0.05, 0.1, 0.2, 0.4, 0.5]
