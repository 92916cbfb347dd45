"""Objections and appeals (RULES.md §1 rule 11): review within 15 days, fix within 3 working days,
appeal within 10 days; the listing stays in force meanwhile."""

from __future__ import annotations

from datetime import date

import pytest
from factories import OFFICER, POLICY, PRESIDENT, at, debtor_id, new_case, published

from keepword.domain.errors import DeadlinePassed, TransitionNotAllowed, ValidationFailed

LISTED = date(2024, 9, 2)
FILED = date(2024, 9, 20)      # + 15 days = 5 October, a National Day holiday
DECIDED = date(2024, 9, 27)    # a Friday; Sunday 29 September is a make-up working day


@pytest.fixture
def listed():
    case = new_case(LISTED)
    return case, published(case, LISTED)


def objection(case, listing, kind="should_not_be_listed", on=FILED):
    return case.file_objection(listing.id, kind, "I paid in 2023", at(on), "debtor", POLICY)


def dismissed(case, listing, kind="should_not_be_listed"):
    obj = objection(case, listing, kind)
    case.decide_objection(listing.id, obj.id, False, "no proof", at(DECIDED), PRESIDENT, POLICY)
    return obj


def test_review_is_due_15_days_later_rolled_to_a_working_day(listed):
    case, listing = listed
    obj = objection(case, listing)
    assert obj.review_due == date(2024, 10, 8)
    event = case.events[-1]
    assert (event.type, event.kind, event.review_due) == ("ObjectionFiled", "should_not_be_listed", date(2024, 10, 8))
    assert listing.is_published and case.active_restriction(debtor_id(case)) is not None


def test_an_upheld_complaint_about_details_is_fixed_within_3_working_days(listed):
    case, listing = listed
    obj = objection(case, listing, "wrong_details")
    case.decide_objection(listing.id, obj.id, True, "name misspelt", at(DECIDED), PRESIDENT, POLICY,
                          correction="name: 张叁")
    assert obj.fix_due == date(2024, 10, 8)  # 29 Sept (make-up day), 30 Sept, then 8 Oct
    assert [e.type for e in case.events[-2:]] == ["ObjectionDecided", "ListingCorrected"]
    assert case.events[-1].correction == "name: 张叁" and listing.is_published


@pytest.mark.parametrize(("kind", "state", "last_event"), [
    ("should_not_be_listed", "revoked", "ListingRevoked"),
    ("should_be_deleted", "deleted", "ListingDeleted"),
])
def test_an_upheld_objection_ends_the_listing(listed, kind, state, last_event):
    case, listing = listed
    obj = objection(case, listing, kind)
    case.decide_objection(listing.id, obj.id, True, "right", at(DECIDED), PRESIDENT, POLICY)
    assert listing.state == state and case.events[-1].type == last_event


def test_a_dismissed_objection_can_be_appealed_within_10_days(listed):
    case, listing = listed
    obj = dismissed(case, listing)
    assert obj.appeal_until == date(2024, 10, 8) and obj.fix_due is None
    assert listing.is_published and not obj.open
    case.appeal_objection(listing.id, obj.id, at(date(2024, 10, 8)), "debtor", POLICY)
    assert obj.appealed_on == date(2024, 10, 8) and obj.appeal_due == date(2024, 10, 23) and obj.open
    assert case.events[-1].type == "AppealFiled" and case.events[-1].decision_due == date(2024, 10, 23)
    assert listing.is_published  # in force while the higher court decides


def test_an_appeal_after_the_time_limit_is_refused(listed):
    case, listing = listed
    obj = dismissed(case, listing)
    with pytest.raises(DeadlinePassed) as info:
        case.appeal_objection(listing.id, obj.id, at(date(2024, 10, 9)), "debtor", POLICY)
    assert info.value.details["deadline"] == "2024-10-08" and obj.appealed_on is None


@pytest.mark.parametrize(("upheld", "state"), [(True, "revoked"), (False, "published")])
def test_the_appeal_decision_revokes_or_keeps_the_listing(listed, upheld, state):
    case, listing = listed
    obj = dismissed(case, listing)
    case.appeal_objection(listing.id, obj.id, at(date(2024, 9, 30)), "debtor", POLICY)
    case.decide_appeal(listing.id, obj.id, upheld, at(date(2024, 10, 8)), "judge:higher", POLICY)
    assert obj.appeal_upheld is upheld and listing.state == state and not obj.open
    assert obj.fix_due == (date(2024, 10, 11) if upheld else None)
    assert "AppealDecided" in [e.type for e in case.events[-2:]]
    with pytest.raises(TransitionNotAllowed):
        case.decide_appeal(listing.id, obj.id, upheld, at(date(2024, 10, 8)), "judge:higher", POLICY)


def test_only_one_objection_at_a_time_and_no_second_decision(listed):
    case, listing = listed
    obj = objection(case, listing)
    with pytest.raises(TransitionNotAllowed):
        objection(case, listing, "wrong_details")
    case.decide_objection(listing.id, obj.id, False, "no", at(DECIDED), PRESIDENT, POLICY)
    with pytest.raises(TransitionNotAllowed):
        case.decide_objection(listing.id, obj.id, True, "yes", at(DECIDED), PRESIDENT, POLICY)
    assert objection(case, listing, "wrong_details", on=DECIDED).open  # the first is closed now


def test_an_upheld_objection_cannot_be_appealed_and_an_undecided_one_neither(listed):
    case, listing = listed
    obj = objection(case, listing, "wrong_details")
    with pytest.raises(TransitionNotAllowed):
        case.appeal_objection(listing.id, obj.id, at(DECIDED), "debtor", POLICY)
    case.decide_objection(listing.id, obj.id, True, "fixed", at(DECIDED), PRESIDENT, POLICY)
    with pytest.raises(TransitionNotAllowed):
        case.appeal_objection(listing.id, obj.id, at(DECIDED), "debtor", POLICY)


@pytest.mark.parametrize(("kind", "statement", "field"), [("it_is_unfair", "x", "kind"),
                                                          ("wrong_details", " ", "statement")])
def test_an_objection_names_a_known_kind_and_says_why(listed, kind, statement, field):
    case, listing = listed
    with pytest.raises(ValidationFailed) as info:
        case.file_objection(listing.id, kind, statement, at(FILED), "debtor", POLICY)
    assert info.value.field == field and listing.objections == []


def test_no_objection_against_a_deleted_listing(listed):
    case, listing = listed
    case.delete_listing(listing.id, "settlement_performed", at(FILED), OFFICER, POLICY)
    with pytest.raises(TransitionNotAllowed):
        objection(case, listing)
