"""Words for the codes the domain uses (states, grounds, conditions, events), marked for translation.

The domain speaks in stable codes and English titles; pages show these labels through gettext.
"""

from __future__ import annotations

from keepword.web.i18n import N_

LISTING_STATES = {
    "proposed": N_("Proposed"),
    "rejected": N_("Proposal rejected"),
    "decided": N_("Decided, awaiting service"),
    "served": N_("Served, grace period"),
    "published": N_("Published"),
    "deleted": N_("Deleted"),
    "revoked": N_("Revoked"),
}

CASE_STATUSES = {"open": N_("Open"), "closed": N_("Closed")}

OUTCOMES = {
    "fulfilled": N_("Fulfilled"),
    "settled": N_("Settled"),
    "fruitless": N_("Ended as fruitless"),
    "suspended": N_("Suspended"),
    "not_enforced": N_("Not enforced"),
    "terminated": N_("Terminated"),
}

#: Listing grounds by number (RULES.md section 1 rule 1), in plain words.
GROUNDS = {
    1: N_("Able to perform but refuses"),
    2: N_("Obstructs or resists enforcement by forged evidence, violence or threats"),
    3: N_("Evades enforcement by sham litigation or arbitration, or by hiding or transferring assets"),
    4: N_("Violates the asset-reporting system"),
    5: N_("Violates a consumption-restriction order"),
    6: N_("Refuses without good reason to carry out a settlement agreement"),
}

DELETION_CONDITIONS = {
    "full_performance": N_("Full performance of the obligation"),
    "settlement_performed": N_("A settlement agreement fully carried out"),
    "creditor_request": N_("The creditor asked in writing and the court agreed"),
    "fruitless_after_searches": N_("Enforcement ended as fruitless after two or more asset searches"),
    "suspended": N_("Enforcement suspended for retrial or bankruptcy"),
    "not_enforced": N_("A ruling not to enforce"),
    "terminated": N_("Enforcement terminated"),
    "term_expired": N_("The fixed term expired"),
}

BARS = {
    "minor": N_("The debtor is a minor: minors are never listed"),
    "guarantee_given": N_("Ground 1 is barred: the debtor gave an adequate guarantee"),
    "frozen_assets_sufficient": N_("Ground 1 is barred: frozen assets cover the amount outstanding"),
    "later_in_order_of_performance": N_("Ground 1 is barred: the debtor is later in the order of performance"),
    "relisting_blocked": N_("This creditor had the debtor delisted less than six months ago"),
    "no_warning": N_("The execution notice has not warned that listing may follow"),
    "already_listed": N_("The debtor is already listed in this case"),
}

OBJECTION_KINDS = {
    "should_not_be_listed": N_("I should not be on the list"),
    "wrong_details": N_("My details are wrong"),
    "should_be_deleted": N_("My entry should already have been deleted"),
}

LIFT_REASONS = {
    "payment": N_("Payment"),
    "guarantee": N_("A guarantee was given"),
    "creditor_consent": N_("The creditor consents"),
    "case_closed": N_("The case was closed"),
}

RESTRICTION_CATEGORIES = {
    "air_and_berth": N_("Flights, soft sleepers, ship cabins"),
    "star_hotel_nightclub_golf": N_("Star hotels, nightclubs, golf"),
    "property": N_("Buying, building or renovating property"),
    "office_rental": N_("Renting high-end offices"),
    "vehicle": N_("Vehicles not needed for business"),
    "travel_holiday": N_("Travel and holidays"),
    "private_school": N_("High-fee private schools"),
    "high_premium_insurance": N_("High-premium insurance"),
    "high_speed_rail": N_("High-speed rail (G-series, first class)"),
}

MEASURE_KINDS = {
    "asset_search": N_("Asset search"),
    "asset_freeze": N_("Asset freeze"),
    "forced_sale": N_("Forced sale"),
    "detention": N_("Detention"),
    "consumption_restriction": N_("Consumption restriction"),
    "listing": N_("Listing"),
    "ringback_notice": N_("Ringback notice"),
    "credit_bureau_report": N_("Credit bureau report"),
}

EVENTS = {
    "JudgmentRegistered": N_("Judgment registered"),
    "WarningIssued": N_("Execution notice with listing warning"),
    "PaymentRecorded": N_("Payment recorded"),
    "CaseFulfilled": N_("Obligation fully performed"),
    "CaseClosed": N_("Case closed"),
    "MeasureOrdered": N_("Measure ordered"),
    "MeasureEnded": N_("Measure ended"),
    "ListingProposed": N_("Listing proposed"),
    "ListingProposalRejected": N_("Proposal rejected"),
    "ListingDecided": N_("Listing decided and signed"),
    "DecisionServed": N_("Decision served"),
    "DebtorListed": N_("Published on the list"),
    "ListingTermExtended": N_("Term extended"),
    "DeletionScheduled": N_("Deletion scheduled"),
    "ListingDeleted": N_("Deleted from the list"),
    "ListingRevoked": N_("Listing revoked"),
    "ListingCorrected": N_("Details corrected"),
    "ObjectionFiled": N_("Objection filed"),
    "ObjectionDecided": N_("Objection decided"),
    "AppealFiled": N_("Appeal filed"),
    "AppealDecided": N_("Appeal decided"),
    "RestrictionOrdered": N_("Consumption restriction ordered"),
    "RestrictionExemptionGranted": N_("Restriction exemption granted"),
    "RestrictionLifted": N_("Consumption restriction lifted"),
    "RingbackOrdered": N_("Ringback notice ordered"),
}

EVIDENCE_STATUSES = {"submitted": N_("Awaiting review"), "accepted": N_("Accepted"), "rejected": N_("Not accepted")}

SEX = {"M": N_("Male"), "F": N_("Female")}

ERRORS = {
    "validation_failed": N_("Please check your input"),
    "invalid_identifier": N_("The identifier is not valid"),
    "invalid_amount": N_("The amount is not valid"),
    "transition_not_allowed": N_("This step is not possible now"),
    "listing_barred": N_("A rule bars this listing"),
    "deadline_passed": N_("The time limit has passed"),
    "not_found": N_("Not found"),
    "already_exists": N_("It exists already"),
    "concurrency_conflict": N_("Someone else changed this record; reload and try again"),
    "permission_denied": N_("You may not do this"),
    "authentication_failed": N_("Sign-in failed"),
}


def label(table: dict, key, gettext) -> str:
    """The translated label of ``key``, or the key itself when the table has none."""
    text = table.get(key)
    return gettext(text) if text else str(key)

DETAILS = {
    "amount": N_("amount"), "outstanding": N_("outstanding"), "paid_on": N_("paid on"), "grounds": N_("grounds"),
    "term_months": N_("term (months)"), "grace_months": N_("grace (months)"), "served_on": N_("served on"),
    "publish_on": N_("publication on"), "published_on": N_("published on"), "expires_on": N_("expires on"),
    "condition": N_("condition"), "due_on": N_("deadline"), "deleted_on": N_("deleted on"), "kind": N_("kind"),
    "review_due": N_("review by"), "upheld": N_("upheld"), "fix_due": N_("fix by"), "appeal_until": N_("appeal until"),
    "decision_due": N_("decision by"), "months": N_("months"), "reason": N_("reason"),
    "correction": N_("correction"), "lifted_on": N_("lifted on"),
    "start_on": N_("starts on"), "categories": N_("categories"), "outcome": N_("outcome"),
}
