"""Repositories: load and add aggregates; queries the services need."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from keepword.domain.case_listing import RelistingBlock
from keepword.domain.cases import EnforcementCase
from keepword.domain.courts import Court
from keepword.domain.dates import add_months
from keepword.domain.errors import NotFound
from keepword.domain.listings import Listing
from keepword.domain.parties import Party
from keepword.store import tables as t


class CaseRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: dict[str, EnforcementCase] = {}

    def add(self, case: EnforcementCase) -> None:
        self.session.add(case)
        self.seen[case.id] = case

    def get(self, case_id: str) -> EnforcementCase:
        case = self.session.get(EnforcementCase, case_id)
        if case is None:
            raise NotFound(f"case {case_id} not found", case_id=case_id)
        self.seen[case.id] = case
        return case

    def by_number(self, court_id: str, case_number: str) -> EnforcementCase | None:
        case = self.session.scalars(select(EnforcementCase).where(
            t.cases.c.court_id == court_id, t.cases.c.case_number == case_number)).first()
        if case is not None:
            self.seen[case.id] = case
        return case

    def exists(self, court_id: str, case_number: str) -> bool:
        return self.session.execute(select(t.cases.c.id).where(
            t.cases.c.court_id == court_id, t.cases.c.case_number == case_number)).first() is not None

    def with_listing(self, listing_id: str) -> EnforcementCase:
        case_id = self.session.execute(select(t.listings.c.case_id).where(t.listings.c.id == listing_id)).scalar()
        if case_id is None:
            raise NotFound(f"listing {listing_id} not found", listing_id=listing_id)
        return self.get(case_id)

    def ids_with_due_work(self, today: date) -> list[str]:
        """Cases with a listing to publish, a term that expired, or a deletion not yet carried out."""
        l = t.listings.c
        query = select(l.case_id).where(or_(
            (l.state == "served") & (l.publish_on <= today) & l.deletion_due.is_(None),
            (l.state == "published") & (l.expires_on <= today) & l.deletion_due.is_(None),
            l.state.in_(("decided", "served", "published")) & l.deletion_due.is_not(None),
        )).distinct()
        return list(self.session.scalars(query))

    def relisting_blocks(self, debtor_id: str, months: int, today: date) -> tuple[RelistingBlock, ...]:
        l = t.listings.c
        rows = self.session.execute(select(l.deletion_requested_by, l.deleted_on).where(
            l.debtor_id == debtor_id, l.deletion_condition == "creditor_request", l.deleted_on.is_not(None),
            l.deletion_requested_by.is_not(None)))
        blocks = (RelistingBlock(r.deletion_requested_by, debtor_id, add_months(r.deleted_on, months)) for r in rows)
        return tuple(b for b in blocks if b.until > today)

    def listing(self, listing_id: str) -> Listing:
        listing = self.session.get(Listing, listing_id)
        if listing is None:
            raise NotFound(f"listing {listing_id} not found", listing_id=listing_id)
        return listing


class PartyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_identifier(self, identifier: str) -> Party | None:
        return self.session.scalars(select(Party).where(
            or_(t.parties.c.id_number == identifier, t.parties.c.credit_code == identifier))).first()

    def get(self, party_id: str) -> Party:
        party = self.session.get(Party, party_id)
        if party is None:
            raise NotFound(f"party {party_id} not found", party_id=party_id)
        return party

    def add(self, party: Party) -> None:
        self.session.add(party)


class CourtRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, court_id: str) -> Court:
        court = self.session.get(Court, court_id)
        if court is None:
            raise NotFound(f"court {court_id} not found", court_id=court_id)
        return court

    def find(self, court_id: str) -> Court | None:
        return self.session.get(Court, court_id)

    def add(self, court: Court) -> None:
        self.session.add(court)

    def all(self) -> list[Court]:
        return list(self.session.scalars(select(Court).order_by(t.courts.c.id)))

    def subtree_ids(self, court_id: str) -> list[str]:
        """The court and every court below it."""
        rows = self.session.execute(select(t.courts.c.id, t.courts.c.parent_id)).all()
        children: dict[str | None, list[str]] = {}
        for cid, parent in rows:
            children.setdefault(parent, []).append(cid)
        found, stack = [], [court_id]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(children.get(current, []))
        return found
