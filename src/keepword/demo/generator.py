"""The demo generator: seeded courts, people and cases, each case told through the domain, in filing order."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone

from keepword.demo.courts import DemoCourt, demo_courts
from keepword.demo.people import PartyMaker
from keepword.demo.plans import FIRST_DAY, draw_plans
from keepword.demo.stories import CaseStory, StoryWorld
from keepword.demo.timeline import DemoClock, SeededIds
from keepword.domain.cases import EnforcementCase
from keepword.domain.errors import ValidationFailed
from keepword.domain.ids import ids_from
from keepword.domain.policy import Policy, load_policy

MAX_CASES = 1_000_000
_DEADLINE_MARGIN_DAYS = 120


class DemoGenerator:
    """Same seed and ``as_of``, same courts, names, identifiers, ids, amounts and dates."""

    def __init__(self, seed: int, as_of: date, policy: Policy | None = None) -> None:
        policy = policy or load_policy("cn-spc")
        if policy.id != "cn-spc":
            raise ValidationFailed("policy", f"the demo data follows the SPC rules (cn-spc), not {policy.id}")
        calendar = policy.calendar
        earliest = date(FIRST_DAY.year + 1, 1, 1)
        # Deadlines run past the demo's day (a 3-month grace period, review and deletion deadlines):
        # they must still fall in the years the working-day calendar has data for.
        latest = date(calendar.last_year, 12, 31) - timedelta(days=_DEADLINE_MARGIN_DAYS)
        if not earliest <= as_of <= latest:
            raise ValidationFailed("as_of", f"must be from {earliest.isoformat()} to {latest.isoformat()} (deadlines "
                                            f"after it must fall in the working-day calendar's years "
                                            f"{calendar.first_year}-{calendar.last_year}), got {as_of.isoformat()}")
        self.seed, self.as_of, self.policy = seed, as_of, policy
        self.rng = random.Random(seed)
        self.clock = DemoClock(datetime.combine(FIRST_DAY, time(9), tzinfo=timezone.utc))
        self.ids = SeededIds(seed, self.clock)
        self.courts: list[DemoCourt] = demo_courts()
        self.parties = PartyMaker(self.rng)
        officers, presidents = {}, {}
        for court in self.courts:
            presidents[court.id] = f"{self.parties.person_name(self.rng.random() < 0.7)}@{court.id}"
            officers[court.id] = [f"{self.parties.person_name(self.rng.random() < 0.5)}@{court.id}" for _ in range(4)]
        self.world = StoryWorld(policy=policy, rng=self.rng, parties=self.parties, clock=self.clock, end=as_of,
                                officers=officers, presidents=presidents)

    def cases(self, count: int) -> Iterator[EnforcementCase]:
        """``count`` cases in filing order; each one's objects get their ids from the seeded source."""
        if not 1 <= count <= MAX_CASES:
            raise ValidationFailed("cases", f"must be 1 to {MAX_CASES:,}, got {count}")
        return self._tell(draw_plans(self.rng, count, self.courts, self.as_of))

    def _tell(self, plans: list) -> Iterator[EnforcementCase]:
        sequences: dict[tuple[str, int], int] = {}
        calendar = self.policy.calendar
        for plan in plans:
            year = calendar.next_working_day(plan.filed_on).year  # the case is filed on a working day
            key = (plan.court.id, year)
            number = sequences.get(key, self.rng.randint(0, 300)) + self.rng.randint(1, 25)
            sequences[key] = number
            # Only while the story runs: the ids of everything else stay random.
            with ids_from(self.ids):
                case = CaseStory(self.world, plan, plan.court.case_number(year, number)).tell()
            yield case
