"""Time in the demo: one clock per run, moved by each case's story; ids derived from it and a seed."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from keepword.domain.ids import format_id


class DemoClock:
    """Like FakeClock: the demo's "now", moved forward by the story being told."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


class SeededIds:
    """Record ids as keepword makes them (time-ordered), with the time from the demo clock and the
    random part from a seeded generator: the same seed gives the same ids."""

    def __init__(self, seed: int, clock: DemoClock) -> None:
        self.rng = random.Random(f"keepword-demo-ids:{seed}")
        self.clock = clock
        self._at: datetime | None = None
        self._prefix = ""

    def __call__(self) -> str:
        # format_id(milliseconds, random bits): the first 10 characters spell the milliseconds alone (five
        # 10-bit groups of a 50-bit number), so they are made once per instant of the clock (a story makes
        # several records at each), and from the milliseconds only.
        at = self.clock.at
        p = _PAIRS
        if at is not self._at:
            ms = int(at.timestamp() * 1000)
            self._at = at
            self._prefix = p[ms >> 40] + p[ms >> 30 & 1023] + p[ms >> 20 & 1023] + p[ms >> 10 & 1023] + p[ms & 1023]
        v = self.rng.getrandbits(80)
        return (self._prefix + p[v >> 70] + p[v >> 60 & 1023] + p[v >> 50 & 1023] + p[v >> 40 & 1023]
                + p[v >> 30 & 1023] + p[v >> 20 & 1023] + p[v >> 10 & 1023] + p[v & 1023])


# The two characters of format_id for each 10-bit group of the random part.
_PAIRS = tuple(format_id(0, v)[-2:] for v in range(1024))


class Timeline:
    """The days of one case: court working days in office hours, never later than the demo's end."""

    def __init__(self, rng: random.Random, clock: DemoClock, policy, start: date, end: date) -> None:
        self.rng, self.clock = rng, clock
        self.calendar, self.zone = policy.calendar, policy.zone
        while not self.calendar.is_working_day(end):
            end -= timedelta(days=1)
        self.end = end
        self._set(self.calendar.next_working_day(start))

    def _set(self, day: date) -> None:
        local = datetime.combine(day, time(self.rng.randint(8, 16), self.rng.randrange(0, 60, 5)), tzinfo=self.zone)
        self.clock.at = local.astimezone(timezone.utc)
        self.day = day

    @property
    def at(self) -> datetime:
        return self.clock.at

    def days_left(self) -> int:
        return (self.end - self.day).days

    def wait(self, lo: int, hi: int) -> bool:
        """Move ``lo``-``hi`` days on (to a working day); False, staying put, if that passes the end."""
        return self.go_to(self.day + timedelta(days=self.rng.randint(lo, hi)))

    def go_to(self, day: date) -> bool:
        day = self.calendar.next_working_day(max(day, self.day))
        if day > self.end:
            return False
        if day != self.day:
            self._set(day)
        return True

    def near_end(self, lo: int, hi: int) -> bool:
        """Jump to ``lo``-``hi`` days before the end (or stay, if already later)."""
        return self.go_to(self.end - timedelta(days=self.rng.randint(lo, hi)))
