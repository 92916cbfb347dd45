"""What the public may see of a listing: the published fields of RULES.md §1 rule 6, nothing more."""

from __future__ import annotations

from datetime import date

from keepword.domain.identifiers import mask_id_number
from keepword.domain.policy import Policy


def published_record(case, listing, party, policy: Policy, on: date, court_name: str | None = None) -> dict:
    """The published fields of one listing, as the policy names them (amounts as strings)."""
    conduct = [policy.ground(n).title for n in sorted(listing.grounds)]
    values = {
        "name": party.name,
        "sex": party.sex,
        "age": party.age_on(on),
        "id_number_masked": mask_id_number(party.id_number) if party.id_number else None,
        "credit_code": party.credit_code,
        "legal_representative": party.legal_representative.name if party.legal_representative else None,
        "obligation": case.obligation.as_string(),
        "currency": case.obligation.currency,
        "performed": case.paid.as_string(),
        "conduct": conduct,
        "case_number": case.case_number,
        "filed_on": case.filed_on.isoformat(),
        "court": court_name or case.court_id,
        "address": party.address,
        "birth_date_year": party.birth_date.year if party.birth_date else None,
    }
    fields = policy.published_person_fields if party.is_person else policy.published_organization_fields
    record = {"listing_id": listing.id, "kind": party.kind}
    record.update({f: values.get(f) for f in fields})
    if "obligation" in fields:
        record["currency"] = values["currency"]
    if listing.published_on:
        record["published_on"] = listing.published_on.isoformat()
    return record
