"""Jurisdiction policies: the SPC rules as data, and a loader that names the field of a malformed file."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from keepword.domain.errors import PolicyInvalid
from keepword.domain.policy import load_policy, load_policy_file, parse_policy

BUNDLED = resources.files("keepword.policies").joinpath("cn-spc.toml").read_text(encoding="utf-8")


def test_default_policy_carries_the_spc_rules():
    policy = load_policy("cn-spc")
    assert sorted(policy.grounds) == [1, 2, 3, 4, 5, 6]
    ground1 = policy.ground(1)
    assert not ground1.fixed_term
    assert set(ground1.bars) == {"guarantee_given", "frozen_assets_sufficient", "later_in_order_of_performance"}
    assert all(policy.ground(n).fixed_term for n in range(2, 7))
    assert [n for n in policy.grounds if policy.ground(n).extension_allowed] == [2]
    assert policy.minimum_age == 18
    assert policy.warning_required
    assert "court_president" in policy.decision_signer_roles
    assert (policy.default_term_months, policy.extension_min_months, policy.extension_max_months) == (24, 12, 36)
    assert policy.grace_max_months == 3 and policy.relisting_block_months == 6
    assert (policy.deletion_working_days, policy.revocation_working_days, policy.correction_working_days) == (3, 3, 3)
    assert (policy.objection_review_days, policy.appeal_days, policy.appeal_decision_days) == (15, 10, 15)
    assert policy.minimum_asset_searches == 2
    assert set(policy.deletion_conditions) == {
        "full_performance", "settlement_performed", "creditor_request", "fruitless_after_searches",
        "suspended", "not_enforced", "terminated", "term_expired"}
    assert len(policy.restriction_categories) == 9
    assert policy.restrict_every_listed_debtor
    assert set(policy.one_off_reasons) == {"serious_illness", "funeral", "official_duty", "exam"}
    assert policy.calendar.name == "cn" and policy.timezone == "Asia/Shanghai" and policy.currency == "CNY"


def test_published_fields_are_those_of_article_6_only():
    policy = load_policy("cn-spc")
    assert "id_number_masked" in policy.published_person_fields
    assert "id_number" not in policy.published_person_fields
    assert "address" not in policy.published_person_fields and "phones" not in policy.published_person_fields
    assert {"credit_code", "legal_representative"} <= set(policy.published_organization_fields)


def test_unknown_ground_is_named():
    with pytest.raises(PolicyInvalid) as info:
        load_policy("cn-spc").ground(7)
    assert info.value.details["field"] == "grounds"


def test_unknown_policy_name_is_rejected():
    with pytest.raises(PolicyInvalid) as info:
        load_policy("xx-none")
    assert info.value.details["field"] == "policy"


def test_a_policy_file_given_by_path_loads(tmp_path):
    path = tmp_path / "copy.toml"
    path.write_text(BUNDLED.replace('id = "cn-spc"', 'id = "cn-copy"'), encoding="utf-8")
    assert load_policy(str(path)).id == "cn-copy"


def _edited(old: str, new: str) -> str:
    assert old in BUNDLED, f"the bundled policy no longer contains {old!r}"
    return BUNDLED.replace(old, new, 1)


@pytest.mark.parametrize(("text", "field"), [
    (_edited("minimum_age = 18", ""), "listing.minimum_age"),
    (_edited("minimum_age = 18", 'minimum_age = "18"'), "listing.minimum_age"),
    (_edited("minimum_age = 18", "minimum_age = true"), "listing.minimum_age"),
    (_edited("deletion_working_days = 3", "deletion_working_days = -3"), "deadlines.deletion_working_days"),
    (_edited('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"'), "policy.timezone"),
    (_edited('calendar = "cn"', 'calendar = "atlantis"'), "policy.calendar"),
    (_edited("in_force_from = 2017-05-01", 'in_force_from = "2017"'), "policy.in_force_from"),
    (_edited("extension_min_months = 12", "extension_min_months = 48"), "listing.extension_min_months"),
    (_edited("number = 6", "number = 5"), "grounds[5].number"),
    (_edited('title = "Violates the asset-reporting system"', ""), "grounds[3].title"),
    (_edited("fixed_term = true", 'fixed_term = "yes"'), "grounds[1].fixed_term"),
    (_edited("terminated = ", "paid_twice = \"x\"\nterminated = "), "deletion_conditions"),
    (_edited('decision_signer_roles = ["court_president", "judge"]', 'decision_signer_roles = "judge"'),
     "listing.decision_signer_roles"),
    (_edited("[deadlines]", "[deadlines_typo]"), "policy.deadlines"),
    (_edited("deleted_listing_years = 5", 'deleted_listing_years = "five"'), "retention.deleted_listing_years"),
])
def test_malformed_policy_file_names_the_field(tmp_path, text, field):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyInvalid) as info:
        load_policy_file(path)
    assert info.value.details["field"] == field
    assert field in info.value.message
    assert info.value.message.startswith("bad.toml: ")


def test_file_that_is_not_toml_is_rejected_naming_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(BUNDLED + "\nthis is = = not toml\n", encoding="utf-8")
    with pytest.raises(PolicyInvalid) as info:
        load_policy_file(path)
    assert "broken.toml" in info.value.message and "not valid TOML" in info.value.message


@pytest.mark.parametrize(("change", "field"), [
    (lambda d: d.update(grounds=[]), "grounds"),
    (lambda d: d.update(grounds=[1, 2]), "grounds[0]"),
    (lambda d: d.update(retention="forever"), "policy.retention"),
    (lambda d: d.update(listing=[1]), "policy.listing"),
])
def test_malformed_structure_is_named(change, field):
    data = tomllib.loads(BUNDLED)
    change(data)
    with pytest.raises(PolicyInvalid) as info:
        parse_policy(data)
    assert info.value.details["field"] == field
