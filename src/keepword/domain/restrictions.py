"""Restriction of high consumption: orders, exemptions and lifting (SPC 2010, amended 2015)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from keepword.domain.errors import TransitionNotAllowed, ValidationFailed
from keepword.domain.ids import new_id

EXEMPTION_APPROVED = "approved"      # spending needed for living or business, approved in advance
EXEMPTION_ONE_OFF = "one_off"        # serious illness, funeral, official duty, exam


@dataclass
class Exemption:
    category: str
    kind: str
    reason: str
    valid_from: date
    valid_until: date
    approved_by: str
    id: str = field(default_factory=new_id)

    def covers(self, category: str, day: date) -> bool:
        return self.category == category and self.valid_from <= day <= self.valid_until


@dataclass
class RestrictionOrder:
    debtor_id: str
    categories: list[str]
    ordered_on: date
    ordered_by: str
    reason: str = ""
    exemptions: list[Exemption] = field(default_factory=list)
    lifted_on: date | None = None
    lift_reason: str | None = None
    lifted_by: str | None = None
    id: str = field(default_factory=new_id)

    @property
    def active(self) -> bool:
        return self.lifted_on is None

    def restricts(self, category: str, day: date) -> bool:
        """Whether spending of this category is barred on that day."""
        if not self.active or day < self.ordered_on or category not in self.categories:
            return False
        return not any(e.covers(category, day) for e in self.exemptions)

    def grant_exemption(self, exemption: Exemption, allowed_one_off: tuple[str, ...]) -> None:
        if not self.active:
            raise TransitionNotAllowed("restriction: already lifted, nothing to exempt from")
        if exemption.category not in self.categories:
            raise ValidationFailed("category", f"{exemption.category!r} is not restricted by this order")
        if exemption.valid_until < exemption.valid_from:
            raise ValidationFailed("valid_until", "before valid_from")
        if exemption.kind == EXEMPTION_ONE_OFF and exemption.reason not in allowed_one_off:
            raise ValidationFailed("reason", f"a one-off exemption needs one of: {', '.join(allowed_one_off)}")
        if exemption.kind not in (EXEMPTION_APPROVED, EXEMPTION_ONE_OFF):
            raise ValidationFailed("kind", "must be 'approved' or 'one_off'")
        self.exemptions.append(exemption)

    def lift(self, on: date, reason: str, by: str) -> None:
        if not self.active:
            raise TransitionNotAllowed("restriction: already lifted")
        self.lifted_on, self.lift_reason, self.lifted_by = on, reason, by
