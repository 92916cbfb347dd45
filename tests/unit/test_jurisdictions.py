"""Other jurisdictions are policy files, not code forks."""

from datetime import date, datetime, timezone

import pytest

from keepword.domain.cases import EnforcementCase
from keepword.domain.errors import ValidationFailed
from keepword.domain.identifiers import make_credit_code, make_id_number
from keepword.domain.money import Money
from keepword.domain.parties import Party
from keepword.domain.policy import load_policy


@pytest.mark.parametrize("policy_id, calendar, currency, term", [
    ("cn-spc", "cn", "CNY", 24), ("de-zpo", "de", "EUR", 36), ("gb-ewrjof", "gb-ew", "GBP", 72)])
def test_bundled_policies_load_with_their_calendar_and_terms(policy_id, calendar, currency, term):
    policy = load_policy(policy_id)
    assert (policy.calendar_name, policy.currency, policy.default_term_months) == (calendar, currency, term)
    assert policy.calendar.is_working_day(date(2024, 12, 25)) is (policy_id == "cn-spc")


def _case(policy, currency):
    debtor = Party.person("王五", make_id_number("110101", date(1970, 1, 2), 11))
    creditor = Party.organization("北京某某有限公司", make_credit_code("9", "1", "110000", "60003734"))
    return EnforcementCase.register(
        court_id="X1", case_number="K-1", creditors=[creditor], debtors=[debtor],
        obligation=Money.parse("1000.00", currency), judgment_date=date(2024, 1, 10),
        effective_date=date(2024, 1, 20), filed_on=date(2024, 2, 1),
        at=datetime(2024, 3, 1, 10, tzinfo=timezone.utc), by="u1", policy=policy)


def test_german_entry_lasts_three_years_and_needs_no_warning():
    policy = load_policy("de-zpo")
    case = _case(policy, "EUR")
    at = datetime(2024, 3, 4, 10, tzinfo=timezone.utc)
    debtor_id = case.debtors[0].party.id
    listing = case.propose_listing(debtor_id, [1], at, "bailiff-7", policy)
    case.decide_listing(listing.id, at, "bailiff-7", "bailiff", "refused the asset disclosure", policy)
    case.serve_decision(listing.id, date(2024, 3, 4), at, "bailiff-7", policy)
    assert listing.state == "published"
    assert listing.expires_on == date(2027, 3, 4)
    assert not case.restrictions  # no consumption restrictions in German law


def test_a_case_in_one_currency_cannot_be_registered_under_a_policy_of_another():
    with pytest.raises(ValidationFailed) as err:
        _case(load_policy("gb-ewrjof"), "CNY")
    assert err.value.field == "currency"
