"""Restriction of high consumption (RULES.md §2): the nine kinds, exemptions, lifting."""

from __future__ import annotations

from datetime import date

import pytest
from factories import OFFICER, POLICY, PRESIDENT, at, creditor_id, debtor_id, new_case, organization, published

from keepword.domain.errors import TransitionNotAllowed, ValidationFailed
from keepword.domain.money import Money
from keepword.domain.parties import BOUND_ROLES, BoundPerson

D = date(2024, 3, 4)
NINE = ["air_and_berth", "star_hotel_nightclub_golf", "property", "office_rental", "vehicle", "travel_holiday",
        "private_school", "high_premium_insurance", "high_speed_rail"]


def restricted(categories=None):
    case = new_case(D)
    return case, case.order_restriction(debtor_id(case), at(D), OFFICER, POLICY, categories, reason="did not pay")


def exempt(case, order, category="air_and_berth", kind="approved", reason="business trip",
           valid=(date(2024, 4, 1), date(2024, 4, 3))):
    return case.grant_exemption(order.id, category, kind, reason, valid[0], valid[1], at(D), PRESIDENT, POLICY)


def test_a_restriction_covers_the_nine_kinds_of_spending_without_any_listing():
    case, order = restricted()
    assert sorted(order.categories) == sorted(NINE) and case.listings == []
    assert all(order.restricts(c, D) for c in NINE)
    assert not order.restricts("groceries", D) and not order.restricts("vehicle", date(2024, 3, 3))
    event = case.events[-1]
    assert (event.type, event.ordered_on, sorted(event.categories)) == ("RestrictionOrdered", D, sorted(NINE))


def test_some_kinds_only_and_later_additions_join_the_same_order():
    case, order = restricted(["vehicle"])
    assert order.restricts("vehicle", D) and not order.restricts("property", D)
    again = case.order_restriction(debtor_id(case), at(D), OFFICER, POLICY, ["property", "vehicle"])
    assert again is order and set(order.categories) == {"vehicle", "property"} and len(case.restrictions) == 1
    events = len(case.events)
    case.order_restriction(debtor_id(case), at(D), OFFICER, POLICY, ["vehicle"])
    assert len(case.events) == events  # nothing new, nothing recorded


@pytest.mark.parametrize(("categories", "debtor", "field"), [(["yachts"], None, "categories"),
                                                              (None, "nobody", "debtor_id")])
def test_unknown_kinds_and_strangers_are_refused(categories, debtor, field):
    case = new_case(D)
    with pytest.raises(ValidationFailed) as info:
        case.order_restriction(debtor or debtor_id(case), at(D), OFFICER, POLICY, categories)
    assert info.value.field == field and case.restrictions == []


def test_publication_restricts_every_listed_debtor():
    case = new_case(D)
    published(case, D)
    assert case.active_restriction(debtor_id(case)).restricts("high_speed_rail", D)


def test_an_approved_exemption_opens_one_kind_for_its_days_only():
    case, order = restricted()
    exemption = exempt(case, order)
    assert not order.restricts("air_and_berth", date(2024, 4, 2))
    assert order.restricts("air_and_berth", date(2024, 4, 4)) and order.restricts("vehicle", date(2024, 4, 2))
    assert exemption.approved_by == PRESIDENT and case.events[-1].type == "RestrictionExemptionGranted"


@pytest.mark.parametrize("reason", ["serious_illness", "funeral", "official_duty", "exam"])
def test_a_one_off_lift_for_the_allowed_reasons(reason):
    case, order = restricted()
    exempt(case, order, "high_speed_rail", "one_off", reason, (D, D))
    assert not order.restricts("high_speed_rail", D)


@pytest.mark.parametrize(("category", "kind", "reason", "valid", "field"), [
    ("air_and_berth", "one_off", "holiday", (D, D), "reason"),
    ("air_and_berth", "standing", "business", (D, D), "kind"),
    ("air_and_berth", "approved", "business", (D, date(2024, 3, 3)), "valid_until"),
    ("property", "approved", "business", (D, D), "category"),
])
def test_exemptions_are_checked(category, kind, reason, valid, field):
    case, order = restricted(["air_and_berth"])
    with pytest.raises(ValidationFailed) as info:
        exempt(case, order, category, kind, reason, valid)
    assert info.value.field == field and order.exemptions == []


@pytest.mark.parametrize("reason", ["guarantee", "creditor_consent"])
def test_the_court_may_lift_on_a_guarantee_or_the_creditors_consent(reason):
    case, order = restricted()
    case.lift_restriction(order.id, reason, at(D), PRESIDENT, POLICY)
    assert not order.active and order.lift_reason == reason and not order.restricts("vehicle", D)
    assert case.events[-1].type == "RestrictionLifted" and case.active_restriction(debtor_id(case)) is None
    with pytest.raises(TransitionNotAllowed):
        case.lift_restriction(order.id, reason, at(D), PRESIDENT, POLICY)
    with pytest.raises(TransitionNotAllowed):
        exempt(case, order)


def test_lifting_needs_a_reason_the_policy_knows():
    case, order = restricted()
    with pytest.raises(ValidationFailed) as info:
        case.lift_restriction(order.id, "goodwill", at(D), PRESIDENT, POLICY)
    assert info.value.field == "reason" and order.active


def test_a_listed_debtor_stays_restricted_until_the_listing_ends():
    case = new_case(D)
    listing = published(case, D)
    order = case.active_restriction(debtor_id(case))
    with pytest.raises(ValidationFailed) as info:
        case.lift_restriction(order.id, "creditor_consent", at(D), PRESIDENT, POLICY)
    assert info.value.field == "restriction_id" and order.active
    case.delete_listing(listing.id, "creditor_request", at(D), OFFICER, POLICY, requested_by=creditor_id(case))
    case.lift_restriction(order.id, "creditor_consent", at(D), PRESIDENT, POLICY)
    assert not order.active


def test_payment_lifts_by_itself_partial_payment_does_not():
    case, order = restricted()
    case.record_payment(Money.parse("1.00"), D, at(D), OFFICER, POLICY)
    assert order.active
    case.record_payment(case.outstanding, D, at(D), OFFICER, POLICY)
    assert not order.active and order.lift_reason == "payment" and order.lifted_on == D


def test_a_restriction_on_an_organisation_binds_four_named_persons():
    assert set(BOUND_ROLES) == {"legal_representative", "principal_in_charge", "directly_responsible",
                                "actual_controller"}
    company = organization()
    assert {p.role for p in company.bound_persons} == set(BOUND_ROLES)
    assert company.legal_representative.name == "李四"
    with pytest.raises(ValidationFailed) as info:
        BoundPerson("shareholder", "某人")
    assert info.value.field == "role"
