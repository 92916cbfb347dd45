"""Consumption-restriction steps of an enforcement case."""

from __future__ import annotations

from datetime import date, datetime

from keepword.domain import events as ev
from keepword.domain.errors import ValidationFailed
from keepword.domain.restrictions import EXEMPTION_ONE_OFF, Exemption, RestrictionOrder


class RestrictionSteps:
    """Mixed into EnforcementCase: ordering, exempting and lifting restrictions of high consumption."""

    def active_restriction(self, debtor_id: str) -> RestrictionOrder | None:
        return next((r for r in self.restrictions if r.debtor_id == debtor_id and r.active), None)

    def restriction(self, restriction_id: str) -> RestrictionOrder:
        for order in self.restrictions:
            if order.id == restriction_id:
                return order
        raise ValidationFailed("restriction_id", f"no restriction {restriction_id} in this case")

    def order_restriction(self, debtor_id: str, at: datetime, by: str, policy, categories: list[str] | None = None,
                          reason: str = "") -> RestrictionOrder:
        """Restrict a debtor's high consumption (all nine kinds unless ``categories`` names some)."""
        self._require_open("order a restriction")
        self.debtor(debtor_id)
        chosen = list(categories) if categories else list(policy.restriction_categories)
        unknown = [c for c in chosen if c not in policy.restriction_categories]
        if unknown:
            raise ValidationFailed("categories", f"unknown categories: {', '.join(unknown)}")
        existing = self.active_restriction(debtor_id)
        if existing is not None:
            added = [c for c in chosen if c not in existing.categories]
            if not added:
                return existing
            existing.categories = existing.categories + added
            order = existing
        else:
            order = RestrictionOrder(debtor_id=debtor_id, categories=sorted(chosen), ordered_on=self.local_day(at, policy),
                                     ordered_by=by, reason=reason)
            self.restrictions.append(order)
        self._record(ev.RestrictionOrdered(occurred_at=at, case_id=self.id, debtor_id=debtor_id, actor=by,
                                           restriction_id=order.id, categories=tuple(order.categories),
                                           ordered_on=order.ordered_on))
        return order

    def grant_exemption(self, restriction_id: str, category: str, kind: str, reason: str, valid_from: date,
                        valid_until: date, at: datetime, by: str, policy) -> Exemption:
        """Approve spending needed for living or business, or a one-off lift (illness, funeral, duty, exam)."""
        order = self.restriction(restriction_id)
        exemption = Exemption(category=category, kind=kind, reason=reason, valid_from=valid_from,
                              valid_until=valid_until, approved_by=by)
        order.grant_exemption(exemption, policy.one_off_reasons if kind == EXEMPTION_ONE_OFF else ())
        self._record(ev.RestrictionExemptionGranted(
            occurred_at=at, case_id=self.id, debtor_id=order.debtor_id, actor=by, restriction_id=order.id,
            category=category, reason=reason, valid_from=valid_from, valid_until=valid_until))
        return exemption

    def lift_restriction(self, restriction_id: str, reason: str, at: datetime, by: str, policy) -> None:
        """Lift on a guarantee or the creditor's consent (payment lifts by itself)."""
        if reason not in policy.lift_reasons:
            raise ValidationFailed("reason", f"must be one of {', '.join(policy.lift_reasons)}")
        order = self.restriction(restriction_id)
        debtor_listed = any(l.in_force and l.debtor_id == order.debtor_id for l in self.listings)
        if debtor_listed and policy.restrict_every_listed_debtor:
            raise ValidationFailed("restriction_id", "the debtor is on the list: every listed debtor stays restricted")
        self._lift(order, reason, at, by, policy)

    def _lift(self, order: RestrictionOrder, reason: str, at: datetime, by: str, policy) -> None:
        today = self.local_day(at, policy)
        order.lift(today, reason, by)
        self._record(ev.RestrictionLifted(occurred_at=at, case_id=self.id, debtor_id=order.debtor_id, actor=by,
                                          restriction_id=order.id, reason=reason, lifted_on=today))
