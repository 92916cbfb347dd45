"""The listing procedure of RULES.md section 1 on the domain objects: grounds, bars, decision, service,
publication, term, extension, deletion, revocation and the re-listing block."""

from __future__ import annotations

from datetime import date

import pytest
from factories import (OFFICER, POLICY, PRESIDENT, at, creditor_id, debtor_id, decided, new_case, organization,
                       person, published)

from keepword.domain.case_listing import RelistingBlock
from keepword.domain.errors import ListingBarred, TransitionNotAllowed, ValidationFailed
from keepword.domain.ids import new_id
from keepword.domain.money import Money

D = date(2024, 3, 4)  # a Monday, a working day


def bar_of(case, grounds=(3,), on=D, applicant_id=None, blocks=(), debtor=None):
    with pytest.raises(ListingBarred) as info:
        case.propose_listing(debtor or debtor_id(case), list(grounds), at(on), OFFICER, POLICY,
                             applicant_id=applicant_id, blocks=blocks)
    return info.value.bar


def test_records_made_one_after_another_sort_in_creation_order():
    ids = [new_id() for _ in range(2000)]  # many within one millisecond
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


# ---- grounds -----------------------------------------------------------------------------------

@pytest.mark.parametrize("ground", [1, 2, 3, 4, 5, 6])
def test_each_of_the_six_grounds_can_be_proposed(ground):
    case = new_case(D)
    listing = case.propose_listing(debtor_id(case), [ground], at(D), OFFICER, POLICY)
    assert listing.grounds == [ground] and listing.state == "proposed"
    assert case.events[-1].type == "ListingProposed" and case.events[-1].grounds == (ground,)


def test_several_grounds_are_kept_once_each_in_order():
    case = new_case(D)
    assert case.propose_listing(debtor_id(case), [5, 2, 5], at(D), OFFICER, POLICY).grounds == [2, 5]


@pytest.mark.parametrize("grounds", [[], [0], [7], [3, 9]])
def test_a_proposal_needs_real_grounds(grounds):
    case = new_case(D)
    with pytest.raises(ValidationFailed) as info:
        case.propose_listing(debtor_id(case), grounds, at(D), OFFICER, POLICY)
    assert info.value.field == "grounds"


def test_only_a_creditor_of_the_case_can_apply():
    case = new_case(D)
    with pytest.raises(ValidationFailed) as info:
        case.propose_listing(debtor_id(case), [3], at(D), OFFICER, POLICY, applicant_id=debtor_id(case))
    assert info.value.field == "applicant_id"


# ---- bars ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("ground", [1, 2, 3, 4, 5, 6])
def test_a_minor_is_never_listed_on_any_ground(ground):
    case = new_case(D, debtors=[person(birth=date(2006, 3, 5))])  # turns 18 the day after D
    assert bar_of(case, [ground]) == "minor"


def test_a_debtor_is_listable_from_the_18th_birthday():
    case = new_case(D, debtors=[person(birth=date(2006, 3, 5))])
    listing = case.propose_listing(debtor_id(case), [3], at(date(2024, 3, 5)), OFFICER, POLICY)
    assert listing.state == "proposed"


@pytest.mark.parametrize(("setup", "bar"), [
    (lambda case: setattr(case.debtors[0], "guarantee_given", True), "guarantee_given"),
    (lambda case: setattr(case.debtors[0], "performance_order", 2), "later_in_order_of_performance"),
    (lambda case: case.order_measure("asset_freeze", at(D), OFFICER, POLICY, debtor_id=debtor_id(case),
                                     value=Money.parse("100000.00")), "frozen_assets_sufficient"),
])
def test_ground_1_is_barred_but_other_grounds_are_not(setup, bar):
    case = new_case(D, amount="100000.00")
    setup(case)
    assert bar_of(case, [1]) == bar
    assert bar_of(case, [1, 3]) == bar
    assert case.propose_listing(debtor_id(case), [3], at(D), OFFICER, POLICY).grounds == [3]


def test_frozen_assets_bar_only_when_they_cover_what_is_outstanding():
    case = new_case(D, amount="100000.00")
    freeze = case.order_measure("asset_freeze", at(D), OFFICER, POLICY, value=Money.parse("60000.00"))
    assert case.propose_listing(debtor_id(case), [1], at(D), OFFICER, POLICY)  # 60000 < 100000
    case.reject_proposal(case.listings[0].id, "try again", at(D), OFFICER)
    case.record_payment(Money.parse("40000.00"), D, at(D), OFFICER, POLICY)
    assert bar_of(case, [1]) == "frozen_assets_sufficient"  # 60000 covers the 60000 left
    case.end_measure(freeze.id, at(D), OFFICER, POLICY)  # an ended freeze no longer counts
    assert case.propose_listing(debtor_id(case), [1], at(D), OFFICER, POLICY).grounds == [1]


def test_no_listing_without_the_warning():
    case = new_case(D, warned=False)
    assert bar_of(case) == "no_warning"
    case.issue_warning(at(D), OFFICER, POLICY)
    assert case.propose_listing(debtor_id(case), [3], at(D), OFFICER, POLICY).state == "proposed"


def test_a_listed_debtor_is_not_listed_twice_but_may_be_again_after_deletion():
    case = new_case(D)
    listing = published(case, D)
    assert bar_of(case, [4]) == "already_listed"
    case.delete_listing(listing.id, "settlement_performed", at(D), OFFICER, POLICY)
    assert case.propose_listing(debtor_id(case), [4], at(D), OFFICER, POLICY).state == "proposed"


def test_every_bar_is_shown_at_once():
    case = new_case(D, warned=False, debtors=[person(birth=date(2010, 1, 1))])
    case.debtors[0].guarantee_given = True
    codes = [b.code for b in case.listing_bars(debtor_id(case), [1], at(D), POLICY)]
    assert codes == ["minor", "guarantee_given", "no_warning"]


def test_bars_are_checked_again_at_the_decision():
    case = new_case(D)
    listing = case.propose_listing(debtor_id(case), [1], at(D), OFFICER, POLICY)
    case.debtors[0].guarantee_given = True
    with pytest.raises(ListingBarred) as info:
        case.decide_listing(listing.id, at(D), PRESIDENT, "court_president", "refuses", POLICY)
    assert info.value.bar == "guarantee_given" and listing.state == "proposed"


# ---- decision and service ------------------------------------------------------------------------

@pytest.mark.parametrize(("signed_by", "role", "reason", "field"), [
    (PRESIDENT, "court_president", "  ", "reason"),
    (PRESIDENT, "clerk", "refuses", "signer_role"),
    ("", "court_president", "refuses", "signed_by"),
])
def test_the_decision_is_reasoned_and_signed_by_a_role_the_policy_names(signed_by, role, reason, field):
    case = new_case(D)
    listing = case.propose_listing(debtor_id(case), [3], at(D), OFFICER, POLICY)
    with pytest.raises(ValidationFailed) as info:
        case.decide_listing(listing.id, at(D), signed_by, role, reason, POLICY)
    assert info.value.field == field and listing.state == "proposed"


def test_a_decision_records_who_signed_its_reason_and_its_term():
    case = new_case(D)
    listing = case.propose_listing(debtor_id(case), [2, 3], at(D), OFFICER, POLICY)
    case.decide_listing(listing.id, at(D), "judge:zhou", "judge", " hid assets ", POLICY)
    assert (listing.state, listing.decided_on, listing.decided_by) == ("decided", D, "judge:zhou")
    event = case.events[-1]
    assert (event.type, event.signed_by, event.reason, event.term_months) == ("ListingDecided", "judge:zhou",
                                                                               "hid assets", 24)


def test_a_decided_listing_is_not_published_before_service():
    case = new_case(D)
    listing = decided(case, D)
    assert case.publish_due(at(date(2024, 6, 1)), OFFICER, POLICY) == []
    assert listing.state == "decided" and not case.restrictions


def test_a_rejected_proposal_cannot_be_decided():
    case = new_case(D)
    listing = case.propose_listing(debtor_id(case), [3], at(D), OFFICER, POLICY)
    case.reject_proposal(listing.id, "not proven", at(D), OFFICER)
    with pytest.raises(TransitionNotAllowed):
        case.decide_listing(listing.id, at(D), PRESIDENT, "court_president", "refuses", POLICY)


@pytest.mark.parametrize(("served_on", "today"), [(date(2024, 3, 5), D), (date(2024, 3, 1), D)])
def test_service_cannot_be_in_the_future_or_before_the_decision(served_on, today):
    case = new_case(date(2024, 3, 1))
    listing = decided(case, date(2024, 3, 4))
    with pytest.raises(ValidationFailed) as info:
        case.serve_decision(listing.id, served_on, at(today), OFFICER, POLICY)
    assert info.value.field == "served_on" and listing.state == "decided"


def test_service_without_grace_publishes_at_once_and_restricts():
    case = new_case(D)
    listing = decided(case, D)
    case.serve_decision(listing.id, D, at(D), OFFICER, POLICY, court_name="杭州市上城区人民法院")
    assert (listing.state, listing.published_on, listing.expires_on) == ("published", D, date(2026, 3, 4))
    assert [e.type for e in case.events[-3:]] == ["DecisionServed", "DebtorListed", "RestrictionOrdered"]
    assert case.active_restriction(debtor_id(case)).categories == sorted(POLICY.restriction_categories)
    assert case.events[-2].published["court"] == "杭州市上城区人民法院"


def test_grace_period_delays_publication_to_a_working_day_and_the_tick_publishes():
    case = new_case(D)
    listing = decided(case, D, grace_months=2)
    case.serve_decision(listing.id, D, at(D), OFFICER, POLICY)
    assert listing.state == "served" and listing.publish_on == date(2024, 5, 6)  # 4-5 May: Labour Day
    assert case.publish_due(at(date(2024, 5, 5)), OFFICER, POLICY) == [] and not case.restrictions
    assert case.publish_due(at(date(2024, 5, 6)), OFFICER, POLICY) == [listing]
    assert listing.published_on == date(2024, 5, 6)
    assert case.active_restriction(debtor_id(case)).ordered_on == date(2024, 5, 6)


@pytest.mark.parametrize("grace", [-1, 4])
def test_grace_is_at_most_three_months(grace):
    case = new_case(D)
    with pytest.raises(ValidationFailed) as info:
        decided(case, D, grace_months=grace)
    assert info.value.field == "grace_months"


def test_a_debtor_who_pays_during_the_grace_period_is_never_published():
    case = new_case(D, amount="500.00")
    listing = decided(case, D, grace_months=1)
    case.serve_decision(listing.id, D, at(D), OFFICER, POLICY)
    case.record_payment(Money.parse("500.00"), date(2024, 3, 20), at(date(2024, 3, 20)), OFFICER, POLICY)
    assert listing.state == "deleted" and listing.published_on is None
    assert "DebtorListed" not in [e.type for e in case.events]


# ---- term and extension -------------------------------------------------------------------------

@pytest.mark.parametrize(("grounds", "term", "expires"), [
    ((1,), None, None),
    ((2,), 24, date(2026, 3, 4)),
    ((6,), 24, date(2026, 3, 4)),
    ((1, 4), 24, date(2026, 3, 4)),
])
def test_term_is_two_years_except_for_ground_1_alone(grounds, term, expires):
    case = new_case(D)
    listing = published(case, D, grounds)
    assert (listing.term_months, listing.expires_on) == (term, expires)


def test_an_expired_term_is_deleted_within_three_working_days_of_expiry():
    case = new_case(D)
    listing = published(case, D, (3,))
    assert case.expire_terms(at(date(2026, 3, 3)), OFFICER, POLICY) == []
    # The tick runs late (a Saturday): the deadline still counts from the day the term ended.
    assert case.expire_terms(at(date(2026, 3, 7)), OFFICER, POLICY) == [listing]
    assert (listing.deletion_condition, listing.deletion_triggered_on, listing.deletion_due) == (
        "term_expired", date(2026, 3, 4), date(2026, 3, 9))
    case.carry_out_due_deletions(at(date(2026, 3, 7)), OFFICER, POLICY)
    assert listing.state == "deleted"


def test_ground_1_alone_never_expires():
    case = new_case(D)
    listing = published(case, D, (1,))
    assert case.expire_terms(at(date(2027, 12, 1)), OFFICER, POLICY) == [] and listing.is_published


@pytest.mark.parametrize("grounds", [(2,), (3, 4), (1, 5)])
@pytest.mark.parametrize("months", [12, 36])
def test_extension_of_12_to_36_months_for_violence_or_several_grounds(grounds, months):
    case = new_case(D)
    listing = published(case, D, grounds)
    case.extend_listing_term(listing.id, months, "threatened the bailiff", at(D), PRESIDENT, POLICY)
    assert listing.expires_on == date(2026 + months // 12, 3, 4)
    assert case.events[-1].type == "ListingTermExtended" and case.events[-1].months == months


@pytest.mark.parametrize(("grounds", "months", "reason", "error", "field"), [
    ((2,), 11, "threats", ValidationFailed, "months"),
    ((2,), 37, "threats", ValidationFailed, "months"),
    ((2,), 12, " ", ValidationFailed, "reason"),
    ((3,), 12, "threats", TransitionNotAllowed, None),
    ((1,), 12, "threats", TransitionNotAllowed, None),
])
def test_extension_limits(grounds, months, reason, error, field):
    case = new_case(D)
    listing = published(case, D, grounds)
    before = listing.expires_on
    with pytest.raises(error) as info:
        case.extend_listing_term(listing.id, months, reason, at(D), PRESIDENT, POLICY)
    assert getattr(info.value, "field", None) == field and listing.expires_on == before


# ---- deletion and revocation --------------------------------------------------------------------

CONDITIONS = ["full_performance", "settlement_performed", "creditor_request", "fruitless_after_searches",
              "suspended", "not_enforced", "terminated"]


@pytest.mark.parametrize("condition", CONDITIONS)
def test_each_deletion_condition_is_due_three_working_days_later_over_holidays(condition):
    case = new_case(date(2024, 9, 2))
    listing = published(case, date(2024, 9, 2))
    for _ in range(2):
        case.order_measure("asset_search", at(date(2024, 9, 20)), OFFICER, POLICY, assets_found=False)
    condition_day = date(2024, 9, 30)  # National Day holidays run 1-7 October
    requested_by = creditor_id(case) if condition == "creditor_request" else None
    case.schedule_listing_deletion(listing.id, condition, at(condition_day), OFFICER, POLICY, requested_by)
    assert listing.deletion_due == date(2024, 10, 10) and listing.in_force
    scheduled = case.events[-1]
    assert (scheduled.type, scheduled.condition, scheduled.due_on) == ("DeletionScheduled", condition,
                                                                        date(2024, 10, 10))
    case.carry_out_due_deletions(at(date(2024, 10, 8)), OFFICER, POLICY)
    assert listing.state == "deleted" and not listing.in_force and listing.published_on  # sealed, kept
    assert case.events[-1].type == "ListingDeleted" and case.events[-1].deleted_on == date(2024, 10, 8)


def test_a_condition_on_a_friday_is_due_the_next_wednesday():
    case = new_case(D)
    listing = published(case, D)
    case.schedule_listing_deletion(listing.id, "terminated", at(date(2024, 3, 8)), OFFICER, POLICY)
    assert listing.deletion_due == date(2024, 3, 13)


@pytest.mark.parametrize(("condition", "requested_by", "searches", "field"), [
    ("creditor_request", None, 0, "requested_by"),
    ("fruitless_after_searches", None, 1, "condition"),
    ("paid_twice", None, 0, "condition"),
])
def test_deletion_conditions_are_checked(condition, requested_by, searches, field):
    case = new_case(D)
    listing = published(case, D)
    for _ in range(searches):
        case.order_measure("asset_search", at(D), OFFICER, POLICY, assets_found=False)
    with pytest.raises(ValidationFailed) as info:
        case.schedule_listing_deletion(listing.id, condition, at(D), OFFICER, POLICY, requested_by)
    assert info.value.field == field and listing.deletion_due is None


def test_a_wrongful_listing_is_revoked_with_a_reason():
    case = new_case(D)
    listing = published(case, D)
    with pytest.raises(ValidationFailed):
        case.revoke_listing(listing.id, "", at(D), PRESIDENT, POLICY)
    case.revoke_listing(listing.id, "wrong debtor", at(D), PRESIDENT, POLICY)
    assert (listing.state, listing.revoked_on, listing.revocation_reason) == ("revoked", D, "wrong debtor")
    assert case.events[-1].type == "ListingRevoked"
    with pytest.raises(TransitionNotAllowed):
        case.revoke_listing(listing.id, "again", at(D), PRESIDENT, POLICY)


# ---- re-listing block -----------------------------------------------------------------------------

def _deleted_at_request_of_first_creditor():
    case = new_case(D, creditors=[organization("甲银行", False), organization("乙银行", False)])
    listing = published(case, D, applicant_id=creditor_id(case, 0))
    case.delete_listing(listing.id, "creditor_request", at(D), OFFICER, POLICY, requested_by=creditor_id(case, 0))
    return case


def test_the_creditor_who_asked_for_deletion_cannot_relist_for_six_months():
    case = _deleted_at_request_of_first_creditor()
    assert case.relisting_blocks(POLICY)[0].until == date(2024, 9, 4)
    assert bar_of(case, on=date(2024, 9, 3), applicant_id=creditor_id(case, 0)) == "relisting_blocked"
    listing = case.propose_listing(debtor_id(case), [3], at(date(2024, 9, 4)), OFFICER, POLICY,
                                   applicant_id=creditor_id(case, 0))
    assert listing.state == "proposed"


@pytest.mark.parametrize("applicant", [1, None])
def test_another_creditor_or_the_court_itself_may_relist_at_once(applicant):
    case = _deleted_at_request_of_first_creditor()
    applicant_id = creditor_id(case, applicant) if applicant is not None else None
    assert case.propose_listing(debtor_id(case), [3], at(D), OFFICER, POLICY, applicant_id=applicant_id)


def test_a_block_from_another_case_holds_at_proposal_and_at_decision():
    first = _deleted_at_request_of_first_creditor()
    blocks = tuple(first.relisting_blocks(POLICY))
    second = new_case(D, creditors=[first.creditors[0].party], debtors=[first.debtors[0].party])
    assert bar_of(second, applicant_id=creditor_id(second), blocks=blocks) == "relisting_blocked"
    listing = second.propose_listing(debtor_id(second), [3], at(D), OFFICER, POLICY, applicant_id=creditor_id(second))
    with pytest.raises(ListingBarred):
        second.decide_listing(listing.id, at(D), PRESIDENT, "court_president", "refuses", POLICY, blocks=blocks)
    unrelated = (RelistingBlock(creditor_id(second), "someone-else", date(2025, 1, 1)),)
    assert second.decide_listing(listing.id, at(D), PRESIDENT, "court_president", "refuses", POLICY,
                                 blocks=unrelated).state == "decided"
