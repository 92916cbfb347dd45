"""Payments, case outcomes and the events a case records."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from factories import OFFICER, POLICY, at, debtor_id, new_case, organization, person, published

from keepword.domain import events as ev
from keepword.domain.cases import OUTCOME_DELETION_CONDITION
from keepword.domain.errors import InvalidAmount, TransitionNotAllowed, ValidationFailed
from keepword.domain.money import Money

D = date(2024, 3, 4)


def pay(case, amount, on=D):
    return case.record_payment(Money.parse(amount), on, at(on), OFFICER, POLICY)


# ---- payments -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "error", "field"), [
    ("0", ValidationFailed, "amount"),
    ("1000.01", ValidationFailed, "amount"),
])
def test_zero_and_over_payment_are_refused(amount, error, field):
    case = new_case(D, amount="1000.00")
    with pytest.raises(error) as info:
        pay(case, amount)
    assert info.value.field == field and case.payments == [] and case.is_open


@pytest.mark.parametrize(("raw", "reason"), [("-5.00", "negative"), (5.0, "float not accepted")])
def test_negative_and_float_amounts_never_reach_the_case(raw, reason):
    with pytest.raises(InvalidAmount) as info:
        Money.parse(raw)
    assert (info.value.field, info.value.reason) == ("amount", reason)


def test_payment_in_another_currency_in_the_future_or_by_a_stranger_is_refused():
    case = new_case(D, amount="1000.00")
    cases = [
        (lambda: case.record_payment(Money.parse("1", "USD"), D, at(D), OFFICER, POLICY), "currency"),
        (lambda: case.record_payment(Money.parse("1"), date(2024, 3, 5), at(D), OFFICER, POLICY), "paid_on"),
        (lambda: case.record_payment(Money.parse("1"), D, at(D), OFFICER, POLICY, payer_id="nobody"), "debtor_id"),
    ]
    for attempt, field in cases:
        with pytest.raises(ValidationFailed) as info:
            attempt()
        assert info.value.field == field
    assert case.payments == []


def test_partial_payment_leaves_the_listing_and_restriction_in_force():
    case = new_case(D, amount="1000.00")
    listing = published(case, D)
    pay(case, "999.99")
    assert case.outstanding == Money.parse("0.01") and case.paid == Money.parse("999.99")
    assert listing.is_published and case.active_restriction(debtor_id(case)) is not None
    assert case.events[-1].type == "PaymentRecorded"
    assert case.events[-1].payload()["outstanding"] == "0.01"


def test_full_payment_fulfils_deletes_and_lifts():
    case = new_case(D, amount="1000.00")
    listing = published(case, D)
    pay(case, "400.00")
    pay(case, "600.00", on=date(2024, 3, 8))
    assert (case.status, case.outcome, case.closed_on) == ("closed", "fulfilled", date(2024, 3, 8))
    assert (listing.state, listing.deletion_condition, listing.deletion_due) == (
        "deleted", "full_performance", date(2024, 3, 13))
    restriction = case.restrictions[0]
    assert not restriction.active and restriction.lift_reason == "payment"
    assert not restriction.restricts("air_and_berth", date(2024, 3, 9))
    assert [e.type for e in case.events[-6:]] == ["PaymentRecorded", "CaseFulfilled", "CaseClosed",
                                                  "DeletionScheduled", "ListingDeleted", "RestrictionLifted"]
    with pytest.raises(TransitionNotAllowed):
        pay(case, "1.00", on=date(2024, 3, 8))


# ---- outcomes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("outcome", "lifted"), [
    ("settled", True), ("not_enforced", True), ("terminated", True), ("suspended", False), ("fruitless", False),
])
def test_closing_deletes_listings_on_the_matching_condition(outcome, lifted):
    case = new_case(D)
    listing = published(case, D)
    for _ in range(2):
        case.order_measure("asset_search", at(D), OFFICER, POLICY, assets_found=False)
    case.close(outcome, at(D), OFFICER, POLICY, reason="as ruled")
    assert listing.state == "deleted" and listing.deletion_condition == OUTCOME_DELETION_CONDITION[outcome]
    assert case.restrictions[0].active is not lifted
    with pytest.raises(TransitionNotAllowed):
        case.propose_listing(debtor_id(case), [3], at(D), OFFICER, POLICY)


def test_fruitless_needs_two_asset_searches_that_found_nothing():
    case = new_case(D)
    case.order_measure("asset_search", at(D), OFFICER, POLICY, assets_found=False)
    case.order_measure("asset_search", at(D), OFFICER, POLICY, assets_found=True)
    with pytest.raises(ValidationFailed) as info:
        case.close("fruitless", at(D), OFFICER, POLICY)
    assert info.value.field == "outcome" and "recorded: 1" in info.value.message and case.is_open
    case.order_measure("asset_search", at(D), OFFICER, POLICY, assets_found=False)
    case.close("fruitless", at(D), OFFICER, POLICY)
    assert case.outcome == "fruitless"


@pytest.mark.parametrize("outcome", ["fulfilled", "forgiven"])
def test_an_outcome_must_be_true_and_known(outcome):
    case = new_case(D)
    with pytest.raises(ValidationFailed) as info:
        case.close(outcome, at(D), OFFICER, POLICY)
    assert info.value.field == "outcome" and case.is_open


def test_closing_withdraws_a_pending_proposal_and_cannot_be_repeated():
    case = new_case(D)
    listing = case.propose_listing(debtor_id(case), [3], at(D), OFFICER, POLICY)
    case.close("terminated", at(D), OFFICER, POLICY)
    assert listing.state == "rejected" and listing.rejected_reason.startswith("withdrawn")
    with pytest.raises(TransitionNotAllowed):
        case.close("settled", at(D), OFFICER, POLICY)


# ---- events -------------------------------------------------------------------------------------------

def test_every_event_type_is_named_in_the_past_tense():
    names = [cls.__name__ for cls in vars(ev).values()
             if isinstance(cls, type) and issubclass(cls, ev.Event) and cls is not ev.Event]
    assert len(names) >= 20
    assert [n for n in names if not n.endswith("ed")] == []


def _lifecycle():
    case = new_case(D, amount="1000.00", debtors=[person("李四", phones=["13800138000"])])
    listing = published(case, D, (2, 3))
    pay(case, "1000.00", on=date(2024, 3, 5))
    return case, listing


def test_a_lifecycle_records_its_events_in_order():
    case, _ = _lifecycle()
    assert [e.type for e in case.events] == [
        "JudgmentRegistered", "WarningIssued", "ListingProposed", "ListingDecided", "DecisionServed",
        "DebtorListed", "RestrictionOrdered", "PaymentRecorded", "CaseFulfilled", "CaseClosed",
        "DeletionScheduled", "ListingDeleted", "RestrictionLifted"]
    assert all(e.case_id == case.id and e.actor and e.occurred_at.utcoffset().total_seconds() == 0
               for e in case.events)


def test_event_payloads_are_json_ready_with_amounts_as_strings():
    case, listing = _lifecycle()
    payloads = {e.type: e.payload() for e in case.events}
    json.dumps(list(payloads.values()))  # nothing that JSON cannot carry
    assert payloads["JudgmentRegistered"]["amount"] == "1000.00"
    assert payloads["PaymentRecorded"]["amount"] == "1000.00" and payloads["PaymentRecorded"]["outstanding"] == "0.00"
    assert payloads["ListingDecided"]["grounds"] == [2, 3] and payloads["ListingDecided"]["term_months"] == 24
    assert payloads["DeletionScheduled"] == {**payloads["DeletionScheduled"], "condition": "full_performance",
                                             "due_on": "2024-03-08", "listing_id": listing.id}
    assert datetime.fromisoformat(payloads["ListingDeleted"]["occurred_at"]).tzinfo is not None


def test_the_published_record_holds_the_article_6_fields_only():
    case, listing = _lifecycle()
    debtor = case.debtors[0].party
    record = next(e for e in case.events if e.type == "DebtorListed").payload()["published"]
    assert set(record) == {"listing_id", "kind", "published_on", "currency", *POLICY.published_person_fields}
    assert record["id_number_masked"] == debtor.id_number[:10] + "****" + debtor.id_number[14:17] + "*"
    assert debtor.id_number not in json.dumps(record) and "13800138000" not in json.dumps(record)
    assert record["obligation"] == "1000.00" and record["performed"] == "0.00" and record["age"] == 43
    assert record["conduct"] == [POLICY.ground(2).title, POLICY.ground(3).title]


def test_an_organisation_is_published_with_its_credit_code_and_legal_representative_only():
    company = organization()
    case = new_case(D, debtors=[company])
    published(case, D)
    record = next(e for e in case.events if e.type == "DebtorListed").payload()["published"]
    assert set(record) == {"listing_id", "kind", "published_on", "currency", *POLICY.published_organization_fields}
    assert (record["credit_code"], record["legal_representative"]) == (company.credit_code, "李四")
    text = json.dumps(record, ensure_ascii=False)
    assert "李四" in text and not any(b.id_number and b.id_number in text for b in company.bound_persons)
    assert company.address not in text and "赵六" not in text
