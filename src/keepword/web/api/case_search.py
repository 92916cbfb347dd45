"""The case list query: filters an officer uses, keyset (cursor) pagination on the case id.

A read-side query on the tables: it returns ids in page order, the aggregates are loaded afterwards.
Ids are time-ordered and unique, so ``id < cursor`` neither repeats nor skips a case between pages.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from keepword.domain.errors import ValidationFailed
from keepword.domain.identifiers import normalize_identifier
from keepword.store import tables as t


@dataclass(frozen=True)
class CaseFilters:
    courts: frozenset[str]
    court: str | None = None
    status: str | None = None
    deadline_before: date | None = None
    identifier: str | None = None
    name: str | None = None

    def used(self) -> list[str]:
        return [f for f in ("court", "status", "deadline_before", "identifier", "name") if getattr(self, f)]


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["before"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise ValidationFailed("cursor", "not a cursor this API handed out") from None
    if not isinstance(value, str) or len(value) > 32:
        raise ValidationFailed("cursor", "not a cursor this API handed out")
    return value


def _debtor_party(condition):
    cp, p = t.case_parties.c, t.parties.c
    return exists(select(cp.id).select_from(t.case_parties.join(t.parties, p.id == cp.party_id))
                  .where(cp.case_id == t.cases.c.id, cp.role == "debtor", condition))


def _deadline_before(day: date):
    lst, o = t.listings.c, t.objections.c
    listing_due = exists(select(lst.id).where(lst.case_id == t.cases.c.id, or_(
        and_(lst.state.in_(("decided", "served", "published")), lst.deletion_due < day),
        and_(lst.state == "served", lst.publish_on < day),
        and_(lst.state == "published", lst.expires_on < day))))
    objection_due = exists(select(o.id).select_from(t.objections.join(t.listings, lst.id == o.listing_id)).where(
        lst.case_id == t.cases.c.id, or_(
            and_(o.decided_on.is_(None), o.review_due < day),
            and_(o.appealed_on.is_not(None), o.appeal_decided_on.is_(None), o.appeal_due < day))))
    return or_(listing_due, objection_due)


def search_case_ids(session: Session, filters: CaseFilters, cursor: str | None, limit: int) -> tuple[list[str], str | None]:
    """One page of case ids, newest first, and the cursor of the next page (None on the last)."""
    c = t.cases.c
    query = select(c.id).where(c.court_id.in_(filters.courts))
    if filters.court:
        query = query.where(c.court_id == filters.court)
    if filters.status:
        query = query.where(c.status == filters.status)
    if filters.deadline_before:
        query = query.where(_deadline_before(filters.deadline_before))
    if filters.identifier:
        key = normalize_identifier(filters.identifier)
        query = query.where(_debtor_party(or_(t.parties.c.id_number == key, t.parties.c.credit_code == key)))
    if filters.name:
        needle = filters.name.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(_debtor_party(t.parties.c.name.like(f"%{needle}%", escape="\\")))
    before = decode_cursor(cursor)
    if before:
        query = query.where(c.id < before)
    ids = list(session.scalars(query.order_by(c.id.desc()).limit(limit + 1)))
    if len(ids) > limit:
        return ids[:limit], encode_cursor(ids[limit - 1])
    return ids, None
