"""Published records and partner checks read straight from the tables, without loading whole cases.

A published record shows a listing, a few fields of its case (number, court, obligation, amount
performed) and of its debtor (name, masked ID number, legal representative). Loading each case as
an aggregate through the ORM costs a query per collection and most of a millisecond of mapping per
object; these reads take one statement for the listings with their cases, parties and courts, one
for the amounts performed and one for legal representatives, and hand the values to the same
``published_record`` the aggregate uses (tests/integration/test_published_records.py compares the two).
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import Connection, and_, bindparam, func, or_, select

from keepword.domain.money import Money
from keepword.domain.parties import ORGANIZATION, BoundPerson, Party
from keepword.domain.policy import Policy
from keepword.domain.publication import published_record
from keepword.domain.restrictions import Exemption, RestrictionOrder
from keepword.store import tables as t
from keepword.store.compiled_reads import CompiledRead, Steps, run_steps

_LEGAL_REPRESENTATIVE = "legal_representative"


_lst, _c, _p, _ct, _pay, _b, _r, _e = (t.listings.c, t.cases.c, t.parties.c, t.courts.c, t.payments.c,
                                       t.bound_persons.c, t.restrictions.c, t.exemptions.c)
_LISTINGS = CompiledRead(lambda member: (
    select(_lst.id, _lst.grounds, _lst.published_on, _lst.case_id, _c.case_number, _c.court_id, _c.filed_on,
           _c.obligation_cents, _c.currency, _ct.name.label("court_name"), _p.id.label("party_id"), _p.kind, _p.name,
           _p.id_number, _p.credit_code, _p.birth_date, _p.sex, _p.address)
    .select_from(t.listings.join(t.cases, _c.id == _lst.case_id).join(t.parties, _p.id == _lst.debtor_id)
                 .outerjoin(t.courts, _ct.id == _c.court_id))
    .where(member(_lst.id, "listing_ids"))))
_PAID = CompiledRead(lambda member: (
    select(_pay.case_id, func.sum(_pay.amount_cents).label("paid")).where(member(_pay.case_id, "case_ids"))
    .group_by(_pay.case_id)))
_REPRESENTATIVES = CompiledRead(lambda member: (
    select(_b.party_id, _b.id, _b.name, _b.id_number)
    .where(member(_b.party_id, "party_ids"), _b.role == _LEGAL_REPRESENTATIVE).order_by(_b.id)))
_IDENTIFIER = bindparam("identifier")
_PARTY_LISTINGS = CompiledRead(lambda member: (
    select(_p.id, _lst.id.label("listing_id"))
    .select_from(t.parties.outerjoin(t.listings, and_(_lst.debtor_id == _p.id, _lst.state == "published")))
    .where(or_(_p.id_number == _IDENTIFIER, _p.credit_code == _IDENTIFIER)).order_by(_p.id, _lst.id)))
_RESTRICTIONS = CompiledRead(lambda member: (
    select(_r.id, _r.categories, _r.ordered_on, _r.ordered_by, _e.id.label("exemption_id"), _e.category, _e.kind,
           _e.reason, _e.valid_from, _e.valid_until, _e.approved_by)
    .select_from(t.restrictions.outerjoin(t.exemptions, _e.restriction_id == _r.id))
    .where(_r.debtor_id == bindparam("party_id"), _r.lifted_on.is_(None))))


class PublishedListingView(NamedTuple):
    """What a published record shows of a listing."""

    id: str
    grounds: list[int]
    published_on: date | None


class PublishedCaseView(NamedTuple):
    """What a published record shows of a case."""

    case_number: str
    court_id: str
    filed_on: date
    obligation: Money
    paid: Money


class PartyCheck(NamedTuple):
    """A partner check's findings: the party (None: not on file), what restricts them today, their records."""

    party_id: str | None
    restricted_categories: list[str]
    records: list[dict]


def published_records(conn: Connection, policy: Policy, today: date, listing_ids: list[str]) -> list[dict]:
    """The published records of these listings, in the given order."""
    return run_steps(conn, _published_records(policy, today, listing_ids))


def _published_records(policy: Policy, today: date, listing_ids: list[str]) -> Steps:
    if not listing_ids:
        return []
    rows = yield _LISTINGS, {"listing_ids": listing_ids}
    case_ids = {row.case_id for row in rows}
    paid = dict((yield _PAID, {"case_ids": list(case_ids)}))
    organizations = {row.party_id for row in rows if row.kind == ORGANIZATION}
    representatives = (yield from _legal_representatives(organizations)) if organizations else {}
    by_id = {row.id: row for row in rows}
    records = []
    for listing_id in listing_ids:
        row = by_id[listing_id]
        performed = paid.get(row.case_id)
        case = PublishedCaseView(row.case_number, row.court_id, row.filed_on, Money(row.obligation_cents, row.currency),
                                 Money.zero(row.currency) if performed is None else Money(performed, row.currency))
        party = Party(kind=row.kind, name=row.name, id_number=row.id_number, credit_code=row.credit_code,
                      birth_date=row.birth_date, sex=row.sex, address=row.address,
                      bound_persons=representatives.get(row.party_id, []), id=row.party_id)
        listing = PublishedListingView(row.id, row.grounds, row.published_on)
        records.append(published_record(case, listing, party, policy, today, row.court_name))
    return records


def _legal_representatives(party_ids: set[str]) -> Steps:
    found: dict[str, list[BoundPerson]] = {}
    for row in (yield _REPRESENTATIVES, {"party_ids": list(party_ids)}):
        found.setdefault(row.party_id, []).append(BoundPerson(_LEGAL_REPRESENTATIVE, row.name, row.id_number, row.id))
    return found


def check_party(conn: Connection, policy: Policy, today: date, identifier: str) -> PartyCheck:
    """Whether the party with this (normalised) ID number or credit code is listed or restricted today."""
    return run_steps(conn, party_check(policy, today, identifier))


def party_check(policy: Policy, today: date, identifier: str) -> Steps:
    """The steps of :func:`check_party`, for :func:`run_steps` or :func:`run_steps_on_loop`."""
    rows = yield _PARTY_LISTINGS, {"identifier": identifier}
    if not rows:
        return PartyCheck(None, [], [])
    party_id = rows[0].id
    listing_ids = [row.listing_id for row in rows if row.id == party_id and row.listing_id is not None]
    categories = yield from _restricted_categories(party_id, today)
    return PartyCheck(party_id, categories, (yield from _published_records(policy, today, listing_ids)))


def _restricted_categories(party_id: str, day: date) -> Steps:
    orders: dict[str, RestrictionOrder] = {}
    for row in (yield _RESTRICTIONS, {"party_id": party_id}):
        order = orders.get(row.id)
        if order is None:
            order = orders[row.id] = RestrictionOrder(debtor_id=party_id, categories=row.categories,
                                                      ordered_on=row.ordered_on, ordered_by=row.ordered_by, id=row.id)
        if row.exemption_id is not None:
            order.exemptions.append(Exemption(row.category, row.kind, row.reason, row.valid_from, row.valid_until,
                                              row.approved_by, row.exemption_id))
    return sorted({c for order in orders.values() for c in order.categories if order.restricts(c, day)})
