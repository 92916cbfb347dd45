"""One demo case told through the domain: register, investigate, pay, list, restrict and close.

Every step is a domain method called at the story's own time, so each object obeys the rules
(a listing needs the warning, fruitless needs two fruitless searches, a deletion has its deadline).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from keepword.demo.courts import DemoCourt
from keepword.demo.listing_paths import ListingPaths
from keepword.demo.people import PartyMaker
from keepword.demo.plans import CasePlan
from keepword.demo.timeline import DemoClock, Timeline
from keepword.domain.cases import EnforcementCase
from keepword.domain.money import Money
from keepword.domain.parties import Party
from keepword.domain.policy import Policy

TICK = "system:tick"

_OBLIGATIONS_PERSON = ("偿还借款本金及利息", "支付货款", "支付劳务报酬", "赔偿损失", "支付房屋租金", "返还定金及违约金",
                       "支付机动车交通事故赔偿款", "支付抚养费")
_OBLIGATIONS_ORG = ("支付货款及逾期付款违约金", "支付工程款", "偿还借款本息", "支付拖欠的劳动报酬", "支付租金及违约金",
                    "支付服务费", "返还预付款")
_CLOSING_REASONS = {
    "settled": ("执行和解协议已履行完毕",),
    "fruitless": ("经两次以上财产调查未发现可供执行的财产，终结本次执行程序",),
    "suspended": ("被执行人进入破产程序，中止执行", "案件进入再审程序，中止执行"),
    "terminated": ("申请执行人撤回执行申请，终结执行", "据以执行的法律文书被撤销，终结执行"),
    "not_enforced": ("仲裁裁决经审查裁定不予执行", "公证债权文书确有错误，裁定不予执行"),
}
_CENT = Decimal("0.01")
_FIRST_JUDGMENT = date(2019, 1, 2)


@dataclass
class StoryWorld:
    """What all stories of one demo run share."""

    policy: Policy
    rng: random.Random
    parties: PartyMaker
    clock: DemoClock
    end: date
    officers: dict[str, list[str]]
    presidents: dict[str, str]
    debtor_pool: dict[str, list[Party]] = field(default_factory=dict)


class CaseStory(ListingPaths):
    def __init__(self, world: StoryWorld, plan: CasePlan, case_number: str) -> None:
        self.world, self.plan, self.case_number = world, plan, case_number
        self.rng, self.policy = world.rng, world.policy
        self.court: DemoCourt = plan.court
        self.officer = self.rng.choice(world.officers[self.court.id])
        self.president = world.presidents[self.court.id]
        self.t = Timeline(self.rng, world.clock, world.policy, plan.filed_on, world.end)

    # ---- the story -----------------------------------------------------------------------
    def tell(self) -> EnforcementCase:
        self.case = self._register()
        self._investigate()
        if self._listing_path() and self._restriction_extra():
            self._finish()
        self._tick_until(self.t.end)
        return self.case

    def _register(self) -> EnforcementCase:
        rng, court, filed = self.rng, self.court, self.t.day
        debtors = [self._debtor()]
        if rng.random() < 0.15:
            debtors.append(self.world.parties.person(court.court.province, court.locality, filed, phones=1))
        if rng.random() < 0.55:
            creditor = self.world.parties.person(court.court.province, court.locality, filed,
                                                 phones=1 if rng.random() < 0.4 else 0)
        else:
            creditor = self.world.parties.creditor_organization(court.court.province, court.city, court.locality,
                                                                court.region, filed)
        self.creditor = creditor
        judgment = max(filed - timedelta(days=rng.randint(45, 420)), _FIRST_JUDGMENT)
        effective = min(judgment + timedelta(days=rng.randint(15, 40)), filed)
        texts = _OBLIGATIONS_PERSON if debtors[0].is_person else _OBLIGATIONS_ORG
        case = EnforcementCase.register(
            court_id=court.id, case_number=self.case_number, creditors=[creditor], debtors=debtors,
            obligation=self._obligation(debtors[0]), judgment_date=judgment, effective_date=effective, filed_on=filed,
            at=self.t.at, by=self.officer, obligation_text=rng.choice(texts), policy=self.policy)
        case.issue_warning(self.t.at, self.officer, self.policy)
        self.debtor = debtors[0]
        return case

    def _debtor(self) -> Party:
        rng, court = self.rng, self.court
        pool = self.world.debtor_pool.setdefault(court.court.province, [])
        if len(pool) > 20 and rng.random() < 0.1:
            return rng.choice(pool)  # one debtor, several creditors: common in practice
        if rng.random() < 0.65:
            party = self.world.parties.person(court.court.province, court.locality, self.t.day,
                                              phones=rng.choice((1, 1, 1, 2)))
        else:
            party = self.world.parties.company(court.court.province, court.city, court.locality, court.region,
                                               self.t.day, phones=1)
        pool.append(party)
        return party

    def _obligation(self, debtor: Party) -> Money:
        """Log-normal: most claims are tens of thousands of yuan, a few run to millions; some small claims."""
        if debtor.is_person and self.rng.random() < 0.06:
            median, spread = 1_200, 0.7  # wages, fees, small loans
        else:
            median, spread = (45_000, 1.3) if debtor.is_person else (180_000, 1.3)
        value = min(max(math.exp(self.rng.gauss(math.log(median), spread)), 300.0), 30_000_000.0)
        amount = Decimal(f"{value:.2f}") if self.rng.random() < 0.3 else Decimal(round(value)).quantize(_CENT)
        return Money(amount, self.policy.currency)

    # ---- investigation and payments -------------------------------------------------------------
    def _investigate(self) -> None:
        rng, case = self.rng, self.case
        if not self._wait(3, 25):
            return
        found = rng.random() < 0.3
        self._measure("asset_search", assets_found=found, note="网络查控：银行存款、车辆、不动产、证券")
        if found and rng.random() < 0.6:
            # Small freezes only: frozen assets covering the debt would bar listing on ground 1.
            value = (case.obligation.amount * Decimal(rng.uniform(0.02, 0.12))).quantize(_CENT, ROUND_DOWN)
            if value > 0:
                self._measure("asset_freeze", value=Money(value, case.obligation.currency), note="冻结银行存款")
        if rng.random() < 0.02:
            self._measure("detention", note="拒不报告财产，司法拘留十五日")
        if self.plan.outcome in ("open", "fulfilled", "settled") and rng.random() < 0.35 and self._wait(5, 40):
            self._pay_part(0.05, 0.4, "被执行人部分履行")

    def _measure(self, kind: str, **kwargs) -> None:
        self.case.order_measure(kind, self.t.at, self.officer, self.policy, debtor_id=self.debtor.id, **kwargs)

    def _pay_part(self, low: float, high: float, note: str) -> None:
        outstanding = self.case.outstanding.amount
        amount = (outstanding * Decimal(self.rng.uniform(low, high))).quantize(_CENT, ROUND_DOWN)
        if 0 < amount < outstanding:
            self._pay(amount, note)

    def _pay(self, amount: Decimal, note: str) -> None:
        self.case.record_payment(Money(amount, self.case.obligation.currency), self.t.day, self.t.at, self.officer,
                                 self.policy, payer_id=self.debtor.id, note=note)

    # ---- restrictions ---------------------------------------------------------------------------
    def _restriction_extra(self) -> bool:
        extra, case, rng = self.plan.restriction, self.case, self.rng
        if extra == "none" or not case.is_open:
            return True
        if not self._wait(5, 40):
            return False
        order = case.order_restriction(self.debtor.id, self.t.at, self.officer, self.policy,
                                       reason="未按执行通知履行生效法律文书确定的义务")
        if extra == "order":
            return True
        if not self._wait(10, 90):
            return False
        today = self.t.day
        if extra == "exempt_approved":
            case.grant_exemption(order.id, "high_speed_rail", "approved", "经营所需出差，经本院事先批准", today,
                                 today + timedelta(days=rng.randint(60, 180)), self.t.at, self.officer, self.policy)
        elif extra == "exempt_one_off":
            case.grant_exemption(order.id, "air_and_berth", "one_off", "serious_illness", today,
                                 today + timedelta(days=rng.randint(3, 10)), self.t.at, self.officer, self.policy)
        elif not any(l.in_force and l.debtor_id == self.debtor.id for l in case.listings):
            case.lift_restriction(order.id, rng.choice(("guarantee", "creditor_consent")), self.t.at, self.officer,
                                  self.policy)
        return True

    # ---- the end ----------------------------------------------------------------------------------
    def _finish(self) -> None:
        outcome, case = self.plan.outcome, self.case
        if outcome == "open":
            if self.rng.random() < 0.25 and self._wait(20, 120):
                self._pay_part(0.05, 0.3, "被执行人分期履行")
            return
        if outcome == "fruitless":
            while case.fruitless_searches() < self.policy.minimum_asset_searches:
                if not self._wait(20, 90):
                    return
                self._measure("asset_search", assets_found=False, note="再次网络查控，未发现可供执行的财产")
        if not self._wait(10, 120):
            return
        if outcome == "fulfilled":
            if self.rng.random() < 0.3:
                self._pay_part(0.2, 0.6, "被执行人部分履行")
                if not self._wait(10, 60):
                    return
            self._pay(case.outstanding.amount, "执行款已全部到账")
        else:
            if outcome == "settled":
                self._pay_part(0.3, 0.8, "按和解协议履行")
            case.close(outcome, self.t.at, self.officer, self.policy, reason=self.rng.choice(_CLOSING_REASONS[outcome]))

    # ---- time, with the periodic tick's work on the days it falls due --------------------------------
    def _wait(self, low: int, high: int) -> bool:
        return self._go_to(self.t.day + timedelta(days=self.rng.randint(low, high)))

    def _go_to(self, day: date) -> bool:
        self._tick_until(min(day, self.t.end))
        return self.t.go_to(day)

    def _tick_until(self, day: date) -> None:
        """Publish after grace periods and end fixed terms on the days the tick would have done it."""
        while True:
            due = [d for d in self._tick_days() if d <= day]
            if not due or not self.t.go_to(min(due)):
                return
            court_name = self.court.court.name
            self.case.publish_due(self.t.at, TICK, self.policy, court_name)
            for listing in self.case.expire_terms(self.t.at, TICK, self.policy):
                self.case.carry_out_deletion(listing.id, self.t.at, TICK, self.policy)

    def _tick_days(self) -> list[date]:
        days = []
        for listing in self.case.listings:
            if listing.deletion_due is not None:
                continue
            if listing.state == "served" and listing.publish_on:
                days.append(listing.publish_on)
            elif listing.state == "published" and listing.expires_on:
                days.append(listing.expires_on)
        return days
