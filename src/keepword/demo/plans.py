"""What happens to each demo case: its court, filing date, outcome, listing path and restriction extras.

Every plan is drawn from weights that look like practice; the first plans cover every listing state,
outcome, deletion condition and objection state, so that even a small demo shows all of them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from keepword.demo.courts import DemoCourt

OUTCOMES = ("open", "fulfilled", "settled", "fruitless", "suspended", "terminated", "not_enforced")
_OUTCOME_WEIGHTS = (28, 22, 10, 26, 4, 7, 3)

#: listing path -> (weight if the case stays open, weight if it closes, days the path needs,
#: whether its last step falls shortly before the demo's end: pending things are recent)
PATHS = {
    "none": (40, 50, 0, False),
    "proposed": (4, 0, 0, True),
    "rejected": (4, 5, 80, False),
    "decided": (3, 0, 0, True),
    "grace": (4, 0, 0, True),
    "published": (22, 30, 180, False),
    "creditor_deleted": (3, 3, 300, False),
    "late_deleted": (2, 0, 300, False),
    "expired": (4, 4, 820, False),
    "pending_deletion": (3, 0, 0, True),
    "revoked": (2, 2, 200, False),
    "objection_open": (2, 0, 0, True),
    "objection_dismissed": (3, 2, 250, False),
    "objection_corrected": (1, 1, 250, False),
    "objection_revoked": (1, 1, 250, False),
    "appeal_open": (1, 0, 0, True),
    "appeal_decided": (1, 1, 280, False),
    "extended": (2, 2, 700, False),
}
_OPEN_PATHS = tuple(PATHS)
_OPEN_WEIGHTS = tuple(w[0] for w in PATHS.values())
_CLOSED_PATHS = tuple(p for p, w in PATHS.items() if w[1])
_CLOSED_WEIGHTS = tuple(PATHS[p][1] for p in _CLOSED_PATHS)

RESTRICTION_EXTRAS = ("none", "order", "exempt_approved", "exempt_one_off", "lift")
_RESTRICTION_WEIGHTS = (80, 10, 3, 2, 5)

#: (outcome, listing path, restriction extra) every demo of this size or more contains.
REQUIRED = (
    ("open", "proposed", "none"), ("open", "rejected", "none"), ("open", "decided", "none"),
    ("open", "grace", "none"), ("open", "published", "exempt_approved"), ("open", "none", "exempt_one_off"),
    ("open", "none", "lift"), ("open", "none", "order"),
    ("fulfilled", "published", "none"), ("settled", "published", "none"), ("fruitless", "published", "none"),
    ("suspended", "published", "none"), ("terminated", "published", "none"), ("not_enforced", "published", "none"),
    ("open", "creditor_deleted", "none"), ("open", "late_deleted", "none"), ("open", "expired", "none"),
    ("open", "pending_deletion", "none"), ("open", "revoked", "none"), ("open", "objection_open", "none"),
    ("open", "objection_dismissed", "none"), ("open", "objection_corrected", "none"),
    ("open", "objection_revoked", "none"), ("open", "appeal_open", "none"), ("open", "appeal_decided", "none"),
    ("open", "extended", "none"), ("fulfilled", "none", "none"), ("settled", "none", "none"),
    ("fruitless", "none", "none"),
)

FIRST_DAY = date(2019, 3, 1)  # judgments from January 2019 are enforced from March on
_CLOSING_DAYS = 150  # room for the steps before a case closes
_RESTRICTION_DAYS = 130  # room to order a restriction, then exempt or lift
_RECENT = (90, 900)  # cases with a pending step were filed this many days before the end


@dataclass(frozen=True)
class CasePlan:
    court: DemoCourt
    filed_on: date
    outcome: str
    listing: str
    restriction: str


def draw_plans(rng: random.Random, count: int, courts: list[DemoCourt], end: date) -> list[CasePlan]:
    """``count`` plans in filing order."""
    basic = [c for c in courts if c.court.level == "basic"]
    intermediate = [c for c in courts if c.court.level == "intermediate"]
    plans = []
    for index in range(count):
        if index < len(REQUIRED):
            outcome, path, extra = REQUIRED[index]
        else:
            outcome = rng.choices(OUTCOMES, _OUTCOME_WEIGHTS)[0]
            if outcome == "open":
                path = rng.choices(_OPEN_PATHS, _OPEN_WEIGHTS)[0]
            else:
                path = rng.choices(_CLOSED_PATHS, _CLOSED_WEIGHTS)[0]
            extra = rng.choices(RESTRICTION_EXTRAS, _RESTRICTION_WEIGHTS)[0] if outcome == "open" else "none"
        court = rng.choice(intermediate) if rng.random() < 0.08 else rng.choice(basic)
        plans.append(CasePlan(court, _filing_day(rng, outcome, path, extra, end), outcome, path, extra))
    plans.sort(key=lambda p: p.filed_on)
    return plans


def _filing_day(rng: random.Random, outcome: str, path: str, extra: str, end: date) -> date:
    _, _, days, recent = PATHS[path]
    if recent:
        first, last = end - timedelta(days=_RECENT[1]), end - timedelta(days=_RECENT[0])
    else:
        room = days + (0 if outcome == "open" else _CLOSING_DAYS) + (0 if extra == "none" else _RESTRICTION_DAYS) + 30
        first, last = FIRST_DAY, end - timedelta(days=room)
    first = max(first, FIRST_DAY)
    last = max(last, first)
    return first + timedelta(days=rng.randint(0, (last - first).days))
