"""Properties of the listing procedure under random sequences of steps on random dates (2017-2027).

A small world of cases shares debtors (some close to their 18th birthday) and two creditors; steps
propose, decide or serve, let time pass and run the tick, pay, end listings, object and appeal, and
act on the case. After every step the invariants of RULES.md §1 must hold, whatever came before.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from factories import OFFICER, POLICY, PRESIDENT, at, id_number, new_case, organization
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from keepword.domain.dates import add_months
from keepword.domain.errors import DeadlinePassed, ListingBarred, TransitionNotAllowed, ValidationFailed
from keepword.domain.listings import OBJECTION_KINDS
from keepword.domain.money import Money
from keepword.domain.parties import Party

# The cn calendar holds 2017-2027: start early enough that every deadline stays inside it.
FIRST_DAY, LAST_START, LAST_DAY = date(2017, 1, 1), date(2027, 3, 31), date(2027, 9, 1)
REFUSALS = (ListingBarred, TransitionNotAllowed, ValidationFailed, DeadlinePassed)  # never CalendarOutOfRange
IN_FORCE = ("decided", "served", "published")
ENDINGS = ("full_performance", "settlement_performed", *["creditor_request"] * 4,
           "fruitless_after_searches", "suspended", "not_enforced", "terminated", "revoke")
CASE_ACTIONS = ("search_nothing", "search_nothing", "search_found", "warn", "warn", "extend", "extend", "close")
OUTCOMES = ("settled", "fruitless", "suspended", "not_enforced", "terminated", "fulfilled")
picks = st.integers(0, 1000)
STEP_ARGUMENTS = {
    "register": {"debtor": picks, "second_debtor": st.booleans(), "both_creditors": st.booleans(),
                 "cents": st.integers(100, 10**9), "warned": st.sampled_from([True, True, True, False])},
    "propose": {"pick": picks, "grounds": st.sets(st.integers(1, 6), min_size=1, max_size=3),
                "applicant": st.sampled_from([None, 0, 1])},
    "relist": {"pick": picks, "grounds": st.sets(st.integers(1, 6), min_size=1, max_size=3),
               "applicant": st.sampled_from(["requester", "requester", "other", "court"])},
    "decide_or_serve": {"pick": picks, "grace": st.integers(0, 3), "days_back": st.integers(0, 6),
                        "role": st.sampled_from(["court_president", "judge", "clerk"])},
    "advance_and_tick": {"days": st.one_of(st.integers(0, 14), st.integers(15, 400))},
    "pay": {"pick": picks, "full": st.sampled_from([False, False, False, True]), "share": st.integers(1, 99)},
    "end_listing": {"pick": picks, "how": st.sampled_from(ENDINGS), "creditor": st.integers(0, 1),
                    "at_once": st.booleans()},
    "objection_step": {"pick": picks, "kind": st.sampled_from(OBJECTION_KINDS), "upheld": st.booleans(),
                       "appeal": st.booleans()},
    "case_step": {"pick": picks, "action": st.sampled_from(CASE_ACTIONS), "outcome": st.sampled_from(OUTCOMES),
                  "months": st.integers(6, 40)},
}
STEP_WEIGHTS = {"register": 1, "propose": 3, "decide_or_serve": 4, "advance_and_tick": 3, "pay": 2,
                "end_listing": 3, "objection_step": 3, "case_step": 2, "relist": 2}
WEIGHTED_STEPS = [name for name, weight in STEP_WEIGHTS.items() for _ in range(weight)]


class ListingLifecycle(RuleBasedStateMachine):
    @initialize(start=st.dates(FIRST_DAY, LAST_START), offsets=st.lists(st.integers(-400, 400), min_size=2, max_size=3))
    def setup(self, start, offsets):
        self.today = start
        self.step = 0
        self.proposed_step, self.decided_step, self.deleted_step = {}, {}, {}
        eighteen_years_ago = add_months(start, -12 * POLICY.minimum_age)
        self.debtors = [Party.person(f"债务人{i}", id_number(eighteen_years_ago + timedelta(days=o)))
                        for i, o in enumerate(offsets)] + [organization(with_bound_persons=False)]
        self.creditors = [organization("甲银行", False), organization("乙银行", False)]
        self.cases = [new_case(start, debtors=self.debtors[:2], creditors=self.creditors)]

    # ---- helpers ------------------------------------------------------------------------------
    def attempt(self, label, case, action):
        """Run a step; a refusal must leave no trace (no event recorded)."""
        self.step += 1
        before = len(case.events)
        try:
            result = action()
        except REFUSALS as exc:
            assert len(case.events) == before, f"{label} was refused but recorded an event"
            event(f"{label}: {type(exc).__name__} {getattr(exc, 'bar', '')}".strip())
            return None
        event(f"{label}: done")
        self.note_deletions()
        return result

    def note_deletions(self):
        for _, listing in self.listings("deleted"):
            self.deleted_step.setdefault(listing.id, self.step)

    def open_cases(self):
        return [c for c in self.cases if c.is_open]

    def listings(self, *states):
        return [(c, l) for c in self.cases for l in c.listings if not states or l.state in states]

    def unlisted_debtors(self):
        return [(c, p.party.id) for c in self.open_cases() for p in c.debtors
                if not any(l.debtor_id == p.party.id and l.state in ("proposed", *IN_FORCE) for l in c.listings)]

    def pending_objections(self):
        return [(c, l, o) for c, l in self.listings(*IN_FORCE) for o in l.objections
                if o.decided_on is None or (not o.upheld and o.appeal_decided_on is None)]

    @staticmethod
    def choose(items, pick):
        return items[pick % len(items)]

    def blocks(self):
        """What the repository finds across cases."""
        return tuple(b for c in self.cases for b in c.relisting_blocks(POLICY))

    # ---- steps -------------------------------------------------------------------------------
    # One rule draws a step by weight; drawing steps this way (rather than one rule each, which
    # Hypothesis switches on and off per run) lets most runs reach publication, objections and deletion.
    @rule(data=st.data())
    def act(self, data):
        name = data.draw(st.sampled_from(WEIGHTED_STEPS), label="step")
        if not getattr(self, f"can_{name}")():
            name = "advance_and_tick"
        getattr(self, name)(**data.draw(st.fixed_dictionaries(STEP_ARGUMENTS[name]), label=name))

    def can_register(self):
        return len(self.cases) < 6 and len(self.open_cases()) < 3

    def can_propose(self):
        return bool(self.unlisted_debtors())

    def can_decide_or_serve(self):
        return bool(self.listings("proposed", "decided"))

    def can_advance_and_tick(self):
        return True

    def can_pay(self):
        return bool(self.open_cases())

    can_case_step = can_pay

    def can_relist(self):
        return bool(self.relisting_chances())

    def can_end_listing(self):
        return bool(self.listings(*IN_FORCE))

    can_objection_step = can_end_listing

    def register(self, debtor, second_debtor, both_creditors, cents, warned):
        first = self.choose(self.debtors, debtor)
        debtors = [first] + ([d for d in self.debtors if d is not first][:1] if second_debtor else [])
        creditors = self.creditors if both_creditors else self.creditors[:1]
        self.cases.append(new_case(self.today, debtors=debtors, creditors=creditors, warned=warned,
                                   amount=f"{cents // 100}.{cents % 100:02d}"))

    def propose(self, pick, grounds, applicant):
        case, debtor_id = self.choose(self.unlisted_debtors(), pick)
        applicant_id = case.creditors[applicant % len(case.creditors)].party.id if applicant is not None else None
        listing = self.attempt("propose", case, lambda: case.propose_listing(
            debtor_id, sorted(grounds), at(self.today), OFFICER, POLICY, applicant_id, blocks=self.blocks()))
        if listing is not None:
            self.proposed_step[listing.id] = self.step

    def relisting_chances(self):
        """(case, debtor, creditor who had the debtor deleted) for open cases that hold both parties."""
        requested = [l for _, l in self.listings("deleted") if l.deletion_condition == "creditor_request"]
        return [(c, l.debtor_id, l.deletion_requested_by) for l in requested for c in self.open_cases()
                if l.debtor_id in {p.party.id for p in c.debtors}
                and l.deletion_requested_by in {p.party.id for p in c.creditors}]

    def relist(self, pick, grounds, applicant):
        """Propose again a debtor deleted at a creditor's request: by that creditor, another, or the court."""
        case, debtor_id, requester = self.choose(self.relisting_chances(), pick)
        others = [p.party.id for p in case.creditors if p.party.id != requester]
        applicant_id = {"requester": requester, "court": None}.get(applicant, others[0] if others else requester)
        listing = self.attempt("relist", case, lambda: case.propose_listing(
            debtor_id, sorted(grounds), at(self.today), OFFICER, POLICY, applicant_id, blocks=self.blocks()))
        if listing is not None:
            self.proposed_step[listing.id] = self.step

    def decide_or_serve(self, pick, grace, role, days_back):
        case, listing = self.choose(self.listings("proposed", "decided"), pick)
        if listing.state == "proposed":
            if self.attempt("decide", case, lambda: case.decide_listing(
                    listing.id, at(self.today), PRESIDENT, role, "reasons", POLICY, grace, self.blocks())):
                self.decided_step[listing.id] = self.step
        else:
            served_on = max(listing.decided_on, self.today - timedelta(days=days_back))
            self.attempt("serve", case, lambda: case.serve_decision(listing.id, served_on, at(self.today), OFFICER,
                                                                    POLICY))

    def advance_and_tick(self, days):
        """Let time pass, then do what services/tick.py does for each case."""
        self.today = min(self.today + timedelta(days=days), LAST_DAY)
        for case in self.cases:
            case.publish_due(at(self.today), OFFICER, POLICY)
            case.expire_terms(at(self.today), OFFICER, POLICY)
            case.carry_out_due_deletions(at(self.today), OFFICER, POLICY)
        self.step += 1
        self.note_deletions()
        for case in self.cases:
            for listing in case.listings:
                if listing.deletion_due and listing.deletion_due <= self.today:
                    assert not listing.in_force, "still in force after its deletion deadline"

    def pay(self, pick, full, share):
        case = self.choose(self.open_cases(), pick)
        cents = int(case.outstanding.amount * 100) if full else max(1, int(case.outstanding.amount * share))
        amount = Money(Decimal(cents) / 100)
        self.attempt("pay full" if full else "pay part", case,
                     lambda: case.record_payment(amount, self.today, at(self.today), OFFICER, POLICY))

    def end_listing(self, pick, how, creditor, at_once):
        case, listing = self.choose(self.listings(*IN_FORCE), pick)
        if how == "revoke":
            action = lambda: case.revoke_listing(listing.id, "wrongful", at(self.today), PRESIDENT, POLICY)
        else:
            requester = case.creditors[creditor % len(case.creditors)].party.id
            step = case.delete_listing if at_once else case.schedule_listing_deletion
            action = lambda: step(listing.id, how, at(self.today), OFFICER, POLICY, requester)
        self.attempt(how, case, action)

    def objection_step(self, pick, kind, upheld, appeal):
        """File an objection, or take the next step on one: decide it, appeal, decide the appeal."""
        pending = self.pending_objections()
        if not pending:
            case, listing = self.choose(self.listings(*IN_FORCE), pick)
            self.attempt("object", case, lambda: case.file_objection(listing.id, kind, "wrong", at(self.today),
                                                                     "debtor", POLICY))
            return
        case, listing, obj = self.choose(pending, pick)
        if obj.decided_on is None:
            label, action = "decide objection", lambda: case.decide_objection(
                listing.id, obj.id, upheld, "note", at(self.today), PRESIDENT, POLICY)
        elif obj.appealed_on is None and appeal:
            label, action = "appeal", lambda: case.appeal_objection(listing.id, obj.id, at(self.today), "debtor",
                                                                    POLICY)
        else:
            label, action = "decide appeal", lambda: case.decide_appeal(
                listing.id, obj.id, upheld, at(self.today), "judge:higher", POLICY)
        self.attempt(label, case, action)

    def case_step(self, pick, action, outcome, months):
        case = self.choose(self.open_cases(), pick)
        when = at(self.today)
        if action.startswith("search"):
            found = action.endswith("found")
            step = lambda: case.order_measure("asset_search", when, OFFICER, POLICY, assets_found=found)
        elif action == "warn":
            step = lambda: case.issue_warning(when, OFFICER, POLICY)
        elif action == "extend" and case.listings:
            listing = self.choose(case.listings, pick)
            step = lambda: case.extend_listing_term(listing.id, months, "threats", when, PRESIDENT, POLICY)
        else:
            action, step = f"close {outcome}", lambda: case.close(outcome, when, OFFICER, POLICY)
        self.attempt(action, case, step)

    # ---- invariants ---------------------------------------------------------------------------
    @invariant()
    def nothing_published_without_decision_and_service(self):
        for case in self.cases:
            seen: dict[str, set[str]] = {}
            for recorded in case.events:
                listing_id = getattr(recorded, "listing_id", None)
                seen.setdefault(listing_id, set()).add(recorded.type)
                if recorded.type == "DebtorListed":
                    assert {"ListingDecided", "DecisionServed"} <= seen[listing_id]
            for listing in case.listings:
                if listing.published_on:
                    assert listing.decided_on <= listing.served_on <= listing.published_on
                    assert listing.publish_on <= listing.published_on
                    assert case.warned_on is not None and case.warned_on <= listing.decided_on
                if listing.is_published:
                    assert case.active_restriction(listing.debtor_id), "a listed debtor must be restricted"
                if not case.is_open:
                    assert not listing.in_force, "a closed case keeps a listing in force"

    @invariant()
    def a_fully_paid_debtor_is_relieved_of_everything(self):
        for case in self.cases:
            if case.outstanding.amount == 0:
                assert case.outcome == "fulfilled"
                assert not any(l.in_force for l in case.listings), "a fully paid case keeps a listing"
                assert not any(r.active for r in case.restrictions), "a fully paid case keeps a restriction"

    @invariant()
    def no_minor_is_ever_listed(self):
        for case, listing in self.listings():
            party = case.debtor(listing.debtor_id).party
            for day in (listing.decided_on, listing.published_on):
                if day and party.is_person:
                    assert party.age_on(day) >= POLICY.minimum_age, f"a minor ({party.birth_date}) listed on {day}"

    @invariant()
    def deadlines_fall_on_working_days(self):
        working = POLICY.calendar.is_working_day
        for _, listing in self.listings():
            if listing.deletion_due:
                assert working(listing.deletion_due), f"deletion due on {listing.deletion_due}"
            if listing.publish_on:
                # Without a grace period publication is immediate: publish_on is the day of service, not a deadline.
                assert working(listing.publish_on) if listing.grace_months else listing.publish_on == listing.served_on
            for obj in listing.objections:
                for name in ("review_due", "fix_due", "appeal_until", "appeal_due"):
                    day = getattr(obj, name)
                    assert day is None or working(day), f"{name} on {day}"

    @invariant()
    def relisting_block_holds(self):
        requested = [l for _, l in self.listings("deleted") if l.deletion_condition == "creditor_request"]
        for _, listing in self.listings():
            for old in requested:
                if (old.deletion_requested_by, old.debtor_id) != (listing.applicant_id, listing.debtor_id):
                    continue
                until = add_months(old.deleted_on, POLICY.relisting_block_months)
                for day, step in ((listing.proposed_on, self.proposed_step.get(listing.id)),
                                  (listing.decided_on, self.decided_step.get(listing.id))):
                    if day and step is not None and step > self.deleted_step[old.id]:
                        assert day >= until, f"re-listed on {day} by the creditor blocked until {until}"


ListingLifecycle.TestCase.settings = settings(max_examples=80, stateful_step_count=50, deadline=None,
                                              suppress_health_check=[HealthCheck.too_slow])
TestListingLifecycle = ListingLifecycle.TestCase
