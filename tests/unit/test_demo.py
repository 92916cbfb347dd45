"""The demo generator, in memory: reproducible from its seed, realistic, and lawful in every object."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest
from stdnum.cn import ric

from keepword.demo.courts import SUPREME_ID, demo_courts
from keepword.demo.generator import DemoGenerator
from keepword.domain.cases import OUTCOME_DELETION_CONDITION
from keepword.domain.errors import ValidationFailed
from keepword.domain.identifiers import is_valid_credit_code, parse_id_number

AS_OF = date(2026, 6, 30)
ALL_LISTING_STATES = {"proposed", "rejected", "decided", "served", "published", "deleted", "revoked"}
ALL_OUTCOMES = {"open", *OUTCOME_DELETION_CONDITION}
CASE_NUMBER = re.compile(r"^（(20\d\d)）(京|沪|浙|粤|川|鄂|苏)(\d\d|\d{4})?执(\d+)号$")


@pytest.fixture(scope="module")
def demo_cases():
    return list(DemoGenerator(1, AS_OF).cases(300))


def fingerprint(cases) -> list[tuple]:
    """What a user sees of each case: number, court, parties, identifiers, amounts, dates, states, ids."""
    return [(c.id, c.case_number, c.court_id, str(c.obligation), c.filed_on, c.status, c.outcome,
             tuple((p.party.id, p.party.name, p.party.identifier, tuple(p.party.phones)) for p in c.parties),
             tuple((l.id, l.state, l.published_on, l.deleted_on) for l in c.listings),
             tuple((p.id, str(p.amount), p.paid_on) for p in c.payments))
            for c in cases]


def parties_of(cases) -> list:
    return list({id(cp.party): cp.party for case in cases for cp in case.parties}.values())


# ---- reproducible ---------------------------------------------------------------------------------

def test_the_same_seed_gives_the_same_cases_names_identifiers_ids_and_amounts():
    first = fingerprint(DemoGenerator(7, AS_OF).cases(80))
    second = fingerprint(DemoGenerator(7, AS_OF).cases(80))
    assert first == second


def test_another_seed_gives_other_data():
    first = fingerprint(DemoGenerator(7, AS_OF).cases(40))
    other = fingerprint(DemoGenerator(8, AS_OF).cases(40))
    assert [row[1] for row in first] != [row[1] for row in other]
    assert {row[7][0][1] for row in first} != {row[7][0][1] for row in other}


# ---- every state a user can meet ----------------------------------------------------------------------

def test_a_small_demo_has_every_listing_state_and_every_outcome(demo_cases):
    states = Counter(listing.state for case in demo_cases for listing in case.listings)
    outcomes = Counter(case.outcome or "open" for case in demo_cases)
    assert set(states) == ALL_LISTING_STATES
    assert set(outcomes) == ALL_OUTCOMES
    # served listings wait in their grace period: publication is after the demo's today
    assert all(l.publish_on > AS_OF for c in demo_cases for l in c.listings if l.state == "served")


def test_deletions_happen_on_several_conditions_some_late_and_some_still_pending(demo_cases):
    listings = [l for c in demo_cases for l in c.listings]
    conditions = {l.deletion_condition for l in listings if l.state == "deleted"}
    assert {"full_performance", "settlement_performed", "creditor_request", "fruitless_after_searches",
            "term_expired", "suspended", "terminated", "not_enforced"} <= conditions
    assert any(l.deleted_on > l.deletion_due for l in listings if l.state == "deleted")
    assert any(l.deletion_pending and l.deletion_due < AS_OF for l in listings)


def test_objections_are_open_decided_and_appealed(demo_cases):
    objections = [o for c in demo_cases for l in c.listings for o in l.objections]
    assert any(o.decided_on is None for o in objections)
    assert any(o.decided_on and o.upheld for o in objections)
    assert any(o.decided_on and o.upheld is False and o.appealed_on is None for o in objections)
    assert any(o.appealed_on and o.appeal_decided_on is None for o in objections)
    assert any(o.appeal_decided_on for o in objections)


def test_restrictions_with_exemptions_of_both_kinds_and_lifted_ones(demo_cases):
    orders = [r for c in demo_cases for r in c.restrictions]
    kinds = {e.kind for r in orders for e in r.exemptions}
    assert kinds == {"approved", "one_off"}
    assert any(r.active for r in orders) and any(r.lift_reason in ("guarantee", "creditor_consent") for r in orders)
    assert any(r.lift_reason == "payment" for r in orders)


def test_payments_none_partial_and_full(demo_cases):
    paid = Counter("none" if not c.payments else "full" if c.outstanding.amount == 0 else "partial"
                   for c in demo_cases)
    assert set(paid) == {"none", "partial", "full"}
    assert all(c.outstanding.amount == 0 for c in demo_cases if c.outcome == "fulfilled")
    assert all(c.fruitless_searches() >= 2 for c in demo_cases if c.outcome == "fruitless")


# ---- valid, unique identifiers -----------------------------------------------------------------------

def test_every_id_number_and_credit_code_is_valid_even_for_strict_validators(demo_cases):
    parties = parties_of(demo_cases)
    persons = [p for p in parties if p.is_person]
    organisations = [p for p in parties if not p.is_person]
    assert persons and organisations
    for person in persons:
        assert parse_id_number(person.id_number).number == person.id_number
        # stdnum also demands that the region code existed in the birth year
        assert ric.is_valid(person.id_number), person.id_number
    for organisation in organisations:
        assert is_valid_credit_code(organisation.credit_code), organisation.credit_code
        assert organisation.bound_persons, f"{organisation.name} has nobody responsible"
        for bound in organisation.bound_persons:
            assert ric.is_valid(bound.id_number), bound.id_number
    companies = [o for o in organisations if "银行" not in o.name]
    assert all(o.legal_representative is not None for o in companies)


def test_identifiers_and_ids_are_unique_and_debtors_recur(demo_cases):
    parties = parties_of(demo_cases)
    identifiers = [p.identifier for p in parties]
    assert len(identifiers) == len(set(identifiers))
    ids = [c.id for c in demo_cases] + [p.id for p in parties] + [l.id for c in demo_cases for l in c.listings]
    assert len(ids) == len(set(ids))
    debtor_cases = Counter(id(cp.party) for c in demo_cases for cp in c.debtors)
    assert any(n > 1 for n in debtor_cases.values()), "some debtors should owe in several cases"
    assert all(cp.party.phones for c in demo_cases for cp in c.debtors)


def test_debtors_are_adults_and_names_are_chinese(demo_cases):
    for case in demo_cases:
        for cp in case.debtors:
            assert re.fullmatch(r"[\u4e00-\u9fff（）()]+", cp.party.name), cp.party.name
            if cp.party.is_person:
                assert cp.party.age_on(case.filed_on) >= 18


# ---- case numbers, courts, dates, amounts ---------------------------------------------------------------

def test_case_numbers_look_real_and_are_unique_per_court(demo_cases):
    seen = set()
    for case in demo_cases:
        match = CASE_NUMBER.match(case.case_number)
        assert match, case.case_number
        assert int(match.group(1)) == case.filed_on.year
        assert (case.court_id, case.case_number) not in seen
        seen.add((case.court_id, case.case_number))
    assert any(c.case_number.startswith("（") and "浙" in c.case_number for c in demo_cases)


def test_the_court_hierarchy_runs_from_the_supreme_court_down_to_basic_courts():
    courts = {c.id: c.court for c in demo_courts()}
    assert courts[SUPREME_ID].parent_id is None and courts[SUPREME_ID].level == "supreme"
    expected_parent_level = {"high": "supreme", "intermediate": "high", "basic": "intermediate"}
    for court in courts.values():
        if court.level != "supreme":
            parent = courts[court.parent_id]
            assert parent.level == expected_parent_level[court.level]
            assert court.level == "high" or parent.province == court.province
        assert court.name.endswith("法院")
    provinces = {c.province for c in courts.values() if c.level == "high"}
    assert {"北京", "上海", "浙江", "广东", "四川", "湖北", "江苏"} <= provinces
    assert courts["330102"].name == "杭州市上城区人民法院" and courts["330102"].parent_id == "330100"


def test_dates_fall_between_2019_and_the_demo_day_in_a_lawful_order(demo_cases):
    for case in demo_cases:
        assert date(2019, 1, 1) <= case.judgment_date <= case.effective_date <= case.filed_on <= AS_OF
        assert all(case.filed_on <= p.paid_on <= AS_OF for p in case.payments)
        assert case.closed_on is None or case.filed_on <= case.closed_on <= AS_OF
        for listing in case.listings:
            for day in (listing.proposed_on, listing.decided_on, listing.served_on, listing.published_on,
                        listing.deleted_on, listing.revoked_on):
                assert day is None or case.filed_on <= day <= AS_OF
    years = Counter(c.filed_on.year for c in demo_cases)
    assert set(range(2019, 2027)) <= set(years)


def test_amounts_run_from_hundreds_of_yuan_to_millions(demo_cases):
    amounts = sorted(c.obligation.amount for c in demo_cases)
    assert amounts[0] < 2_000 and amounts[-1] > 1_000_000
    assert all(a == a.quantize(a.__class__("0.01")) and a >= 300 for a in amounts)
    median = amounts[len(amounts) // 2]
    assert 10_000 < median < 300_000


def test_events_are_recorded_for_every_step(demo_cases):
    types = Counter(e.type for c in demo_cases for e in c.events)
    assert types["JudgmentRegistered"] == len(demo_cases)
    for kind in ("DebtorListed", "ListingDeleted", "ListingRevoked", "ObjectionFiled", "PaymentRecorded",
                 "CaseClosed", "RestrictionOrdered", "RestrictionExemptionGranted"):
        assert types[kind] > 0, kind


# ---- bad input ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("as_of", [date(2019, 6, 1), date(2027, 12, 31), date(2031, 1, 1)])
def test_a_demo_day_outside_the_calendar_is_refused_naming_the_field(as_of):
    with pytest.raises(ValidationFailed) as info:
        DemoGenerator(1, as_of)
    assert info.value.field == "as_of"


@pytest.mark.parametrize("count", [0, -5, 2_000_000])
def test_a_case_count_out_of_range_is_refused_before_anything_is_generated(count):
    with pytest.raises(ValidationFailed) as info:
        DemoGenerator(1, AS_OF).cases(count)
    assert info.value.field == "cases"


def test_the_demo_day_bounds_everything_even_if_it_is_a_weekend():
    sunday = date(2026, 3, 1)
    cases = list(DemoGenerator(3, sunday).cases(40))
    latest = max(max([c.filed_on, c.closed_on or c.filed_on] + [p.paid_on for p in c.payments]) for c in cases)
    assert latest <= sunday - timedelta(days=1)
