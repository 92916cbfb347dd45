"""The enforcement case: the aggregate every state change goes through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal

from keepword.domain import events as ev
from keepword.domain.case_listing import ListingSteps
from keepword.domain.case_restrictions import RestrictionSteps
from keepword.domain.errors import TransitionNotAllowed, ValidationFailed
from keepword.domain.ids import new_id
from keepword.domain.money import ZERO_AMOUNT, Money
from keepword.domain.parties import Party
from keepword.domain.policy import Policy

CREDITOR = "creditor"
DEBTOR = "debtor"

OPEN = "open"
CLOSED = "closed"

#: Case outcomes and the deletion condition (RULES.md §1 rule 10) each one triggers.
OUTCOME_DELETION_CONDITION = {
    "fulfilled": "full_performance",
    "settled": "settlement_performed",
    "fruitless": "fruitless_after_searches",
    "suspended": "suspended",
    "not_enforced": "not_enforced",
    "terminated": "terminated",
}
#: Outcomes after which no consumption restriction may remain.
OUTCOMES_LIFTING_RESTRICTIONS = frozenset({"fulfilled", "settled", "not_enforced", "terminated"})

MEASURE_KINDS = (
    "asset_search", "asset_freeze", "forced_sale", "detention", "consumption_restriction",
    "listing", "ringback_notice", "credit_bureau_report",
)


# The last instant turned into a local day, with its time zone and that day: every step of a case at
# one instant asks for its day (and the instant's object is held here, so its identity is never reused).
_last_local_day: tuple[datetime | None, str | None, date | None] = (None, None, None)


@dataclass
class CaseParty:
    party: Party
    role: str
    performance_order: int = 1
    guarantee_given: bool = False
    id: str = field(default_factory=new_id)


@dataclass
class Payment:
    amount: Money
    paid_on: date
    recorded_by: str
    recorded_at: datetime
    payer_id: str | None = None
    note: str = ""
    id: str = field(default_factory=new_id)


@dataclass
class Measure:
    kind: str
    ordered_on: date
    ordered_by: str
    debtor_id: str | None = None
    value: Money | None = None
    assets_found: bool | None = None
    note: str = ""
    ended_on: date | None = None
    id: str = field(default_factory=new_id)

    @property
    def active(self) -> bool:
        return self.ended_on is None


def check_registration(*, court_id: str, case_number: str, creditors: list, debtors: list, obligation: Money,
                       judgment_date: date, effective_date: date, filed_on: date, policy: Policy) -> str:
    """The rules a judgment must meet to be registered; returns the case number with whitespace normalised.

    Raises ValidationFailed. Parties need only ``id`` and ``identifier``, so a bulk import can apply
    the same rules without building (ORM-instrumented) objects for every row.
    """
    case_number = " ".join((case_number or "").split())
    if not case_number:
        raise ValidationFailed("case_number", "empty")
    if not court_id:
        raise ValidationFailed("court", "empty")
    if not creditors:
        raise ValidationFailed("creditors", "at least one creditor is needed")
    if not debtors:
        raise ValidationFailed("debtors", "at least one debtor is needed")
    if not obligation.is_positive():
        raise ValidationFailed("amount", "must be greater than zero")
    if obligation.currency != policy.currency:
        raise ValidationFailed("currency", f"this jurisdiction enforces in {policy.currency}")
    if effective_date < judgment_date:
        raise ValidationFailed("effective_date", "before the judgment date")
    if filed_on < effective_date:
        raise ValidationFailed("filed_on", "enforcement filed before the judgment took effect")
    ids = [p.id for p in creditors + debtors]
    if len(set(ids)) != len(ids) or {p.identifier for p in creditors} & {p.identifier for p in debtors}:
        raise ValidationFailed("parties", "a party cannot be creditor and debtor of the same case")
    return case_number


@dataclass
class EnforcementCase(ListingSteps, RestrictionSteps):
    court_id: str
    case_number: str
    obligation: Money
    filed_on: date
    judgment_date: date
    effective_date: date
    obligation_text: str = ""
    policy_id: str = "cn-spc"
    parties: list[CaseParty] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    measures: list = field(default_factory=list)
    listings: list = field(default_factory=list)
    restrictions: list = field(default_factory=list)
    warned_on: date | None = None
    status: str = OPEN
    outcome: str | None = None
    closed_on: date | None = None
    closing_reason: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    updated_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    version: int = 1
    id: str = field(default_factory=new_id)

    # ---- creation -------------------------------------------------------------------------
    @classmethod
    def register(cls, *, court_id: str, case_number: str, creditors: list[Party], debtors: list[Party],
                 obligation: Money, judgment_date: date, effective_date: date, filed_on: date,
                 at: datetime, by: str, obligation_text: str = "", policy: Policy) -> EnforcementCase:
        """Register an effective judgment for enforcement."""
        case_number = check_registration(
            court_id=court_id, case_number=case_number, creditors=creditors, debtors=debtors, obligation=obligation,
            judgment_date=judgment_date, effective_date=effective_date, filed_on=filed_on, policy=policy)
        case = cls(court_id=court_id, case_number=case_number, obligation=obligation, filed_on=filed_on,
                   judgment_date=judgment_date, effective_date=effective_date, obligation_text=obligation_text,
                   policy_id=policy.id, created_at=at, updated_at=at)
        case.parties = [CaseParty(p, CREDITOR) for p in creditors] + [
            CaseParty(p, DEBTOR, performance_order=1) for p in debtors]
        case._record(ev.JudgmentRegistered(
            occurred_at=at, case_id=case.id, actor=by, court_id=court_id, case_number=case_number,
            amount=obligation.amount, currency=obligation.currency,
            creditor_ids=tuple(p.id for p in creditors), debtor_ids=tuple(p.id for p in debtors)))
        return case

    # ---- events ---------------------------------------------------------------------------
    @property
    def events(self) -> list[ev.Event]:
        if "_events" not in self.__dict__:
            self.__dict__["_events"] = []
        return self.__dict__["_events"]

    def _record(self, event: ev.Event) -> None:
        self.events.append(event)
        self.updated_at = event.occurred_at

    # ---- reading --------------------------------------------------------------------------
    @property
    def creditors(self) -> list[CaseParty]:
        return [p for p in self.parties if p.role == CREDITOR]

    @property
    def debtors(self) -> list[CaseParty]:
        return [p for p in self.parties if p.role == DEBTOR]

    def debtor(self, debtor_id: str) -> CaseParty:
        for p in self.debtors:
            if p.party.id == debtor_id:
                return p
        raise ValidationFailed("debtor_id", f"{debtor_id} is not a debtor of case {self.case_number}")

    @property
    def paid(self) -> Money:
        return Money(self._paid_amount(), self.obligation.currency)

    @property
    def outstanding(self) -> Money:
        remaining = self.obligation.amount - self._paid_amount()
        return Money(max(remaining, ZERO_AMOUNT), self.obligation.currency)

    def _paid_amount(self) -> Decimal:
        """The payments' total as an amount, with the currency check Money's ``+`` makes.

        Summed as Decimals rather than Money by Money: a case is asked for its outstanding amount at
        every payment, listing and closing, and a Money for every partial sum cost more than the sum.
        """
        zero = Money.zero(self.obligation.currency)
        for payment in self.payments:
            zero._same(payment.amount)
        return sum([payment.amount.amount for payment in self.payments], zero.amount)

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def local_day(self, at: datetime, policy: Policy) -> date:
        if at.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        global _last_local_day
        last = _last_local_day
        if last[0] is at and last[1] == policy.timezone:
            return last[2]
        day = at.astimezone(policy.zone).date()
        _last_local_day = (at, policy.timezone, day)  # one tuple, swapped whole: never half of one seen
        return day

    def _require_open(self, action: str) -> None:
        if not self.is_open:
            raise TransitionNotAllowed(f"case {self.case_number}: closed ({self.outcome}), cannot {action}",
                                       state=self.status, action=action)

    # ---- execution notice -----------------------------------------------------------------
    def issue_warning(self, at: datetime, by: str, policy: Policy) -> None:
        """The execution notice with the warning that listing may follow (RULES.md §1 rule 5)."""
        self._require_open("issue a warning")
        if self.warned_on is None:
            self.warned_on = self.local_day(at, policy)
            self._record(ev.WarningIssued(occurred_at=at, case_id=self.id, actor=by))

    # ---- payments -------------------------------------------------------------------------
    def record_payment(self, amount: Money, paid_on: date, at: datetime, by: str, policy: Policy,
                       payer_id: str | None = None, note: str = "") -> Payment:
        """Record a payment; full performance fulfils the case, deletes its listings and lifts restrictions."""
        self._require_open("record a payment")
        if not amount.is_positive():
            raise ValidationFailed("amount", "must be greater than zero")
        if amount.currency != self.obligation.currency:
            raise ValidationFailed("currency", f"the obligation is in {self.obligation.currency}")
        if amount.amount > self.outstanding.amount:
            raise ValidationFailed("amount", f"exceeds the outstanding {self.outstanding.as_string()}")
        if paid_on > self.local_day(at, policy):
            raise ValidationFailed("paid_on", "in the future")
        if payer_id is not None:
            self.debtor(payer_id)
        payment = Payment(amount=amount, paid_on=paid_on, recorded_by=by, recorded_at=at, payer_id=payer_id,
                          note=note)
        self.payments.append(payment)
        self._record(ev.PaymentRecorded(occurred_at=at, case_id=self.id, debtor_id=payer_id, actor=by,
                                        payment_id=payment.id, amount=amount.amount, currency=amount.currency,
                                        paid_on=paid_on, outstanding=self.outstanding.amount))
        if self.outstanding.amount == 0:
            self._record(ev.CaseFulfilled(occurred_at=at, case_id=self.id, actor=by, paid_total=self.paid.amount))
            self.close("fulfilled", at, by, policy, reason="full performance")
        return payment

    # ---- measures -------------------------------------------------------------------------
    def order_measure(self, kind: str, at: datetime, by: str, policy: Policy, debtor_id: str | None = None,
                      value: Money | None = None, assets_found: bool | None = None, note: str = "") -> Measure:
        self._require_open("order a measure")
        if kind not in MEASURE_KINDS:
            raise ValidationFailed("kind", f"must be one of {', '.join(MEASURE_KINDS)}")
        if kind in ("listing", "consumption_restriction"):
            raise ValidationFailed("kind", f"{kind} has its own procedure (propose a listing / order a restriction)")
        if debtor_id is not None:
            self.debtor(debtor_id)
        if kind == "asset_search" and assets_found is None:
            raise ValidationFailed("assets_found", "an asset search records whether assets were found")
        measure = Measure(kind=kind, ordered_on=self.local_day(at, policy), ordered_by=by, debtor_id=debtor_id,
                          value=value, assets_found=assets_found, note=note)
        self.measures.append(measure)
        self._record(ev.MeasureOrdered(occurred_at=at, case_id=self.id, debtor_id=debtor_id, actor=by,
                                       measure_id=measure.id, kind=kind))
        if kind == "ringback_notice":
            start = policy.calendar.add_working_days(measure.ordered_on, 3)
            self._record(ev.RingbackOrdered(occurred_at=at, case_id=self.id, debtor_id=debtor_id, actor=by,
                                            measure_id=measure.id, start_on=start, sms_warning_deadline=start))
        return measure

    def end_measure(self, measure_id: str, at: datetime, by: str, policy: Policy) -> None:
        measure = next((m for m in self.measures if m.id == measure_id), None)
        if measure is None:
            raise ValidationFailed("measure_id", f"no measure {measure_id} in this case")
        if not measure.active:
            raise TransitionNotAllowed("measure: already ended")
        measure.ended_on = self.local_day(at, policy)
        self._record(ev.MeasureEnded(occurred_at=at, case_id=self.id, debtor_id=measure.debtor_id, actor=by,
                                     measure_id=measure.id, kind=measure.kind))

    def frozen_value(self, debtor_id: str | None = None) -> Money:
        total = Money.zero(self.obligation.currency)
        for m in self.measures:
            if m.kind == "asset_freeze" and m.active and m.value and (debtor_id is None or m.debtor_id in (None, debtor_id)):
                total = total + m.value
        return total

    def fruitless_searches(self) -> int:
        return sum(1 for m in self.measures if m.kind == "asset_search" and m.assets_found is False)

    # ---- closing --------------------------------------------------------------------------
    def close(self, outcome: str, at: datetime, by: str, policy: Policy, reason: str = "") -> None:
        """End enforcement with an outcome; every listing in force is deleted on its condition."""
        self._require_open("close the case")
        if outcome not in OUTCOME_DELETION_CONDITION:
            raise ValidationFailed("outcome", f"must be one of {', '.join(OUTCOME_DELETION_CONDITION)}")
        if outcome == "fulfilled" and self.outstanding.amount > 0:
            raise ValidationFailed("outcome", f"not fulfilled: {self.outstanding.as_string()} outstanding")
        if outcome == "fruitless" and self.fruitless_searches() < policy.minimum_asset_searches:
            raise ValidationFailed("outcome", f"fruitless needs at least {policy.minimum_asset_searches} "
                                              f"asset searches that found nothing (recorded: {self.fruitless_searches()})")
        today = self.local_day(at, policy)
        self.status, self.outcome, self.closed_on, self.closing_reason = CLOSED, outcome, today, reason
        self._record(ev.CaseClosed(occurred_at=at, case_id=self.id, actor=by, outcome=outcome, reason=reason))
        condition = OUTCOME_DELETION_CONDITION[outcome]
        for listing in list(self.listings):
            self._end_listing_for_condition(listing, condition, at, by, policy)
        if outcome in OUTCOMES_LIFTING_RESTRICTIONS:
            lift_reason = "payment" if outcome == "fulfilled" else "case_closed"
            for order in self.restrictions:
                if order.active:
                    self._lift(order, lift_reason, at, by, policy)
