"""The SQL side of a bulk import: look-ups in bulk and batched Core inserts.

Everything runs in the unit of work's session, so the whole import is one transaction. Rows are
written with one ``executemany`` per table and batch instead of the ORM's object-at-a-time flush:
a batch of thousands of cases is written at close to the speed of a raw insert.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from keepword.domain.cases import CREDITOR, DEBTOR, OPEN
from keepword.domain.errors import AlreadyExists
from keepword.domain.ids import new_id
from keepword.domain.parties import PERSON
from keepword.importing.rows import PartyRecord
from keepword.services.imports import NewCase
from keepword.store import tables as t


class SqlImportStore:
    """The :class:`~keepword.services.imports.CaseImportStore` on SQLAlchemy: bulk reads and Core inserts."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def existing_courts(self, court_ids: Iterable[str]) -> set[str]:
        """Which of these court ids are registered."""
        ids = list(set(court_ids))
        if not ids:
            return set()
        return set(self.session.scalars(select(t.courts.c.id).where(t.courts.c.id.in_(ids))))

    def registered_case_numbers(self, court_id: str, numbers: Iterable[str]) -> set[str]:
        """Which of these case numbers the court has registered already."""
        wanted = list(set(numbers))
        if not wanted:
            return set()
        c = t.cases.c
        return set(self.session.scalars(select(c.case_number).where(c.court_id == court_id, c.case_number.in_(wanted))))

    def parties_by_identifier(self, id_numbers: Iterable[str], credit_codes: Iterable[str]) -> dict[str, PartyRecord]:
        """Registered parties with these identifiers (one query), keyed by identifier."""
        ids, codes = list(set(id_numbers)), list(set(credit_codes))
        p = t.parties.c
        conditions = ([p.id_number.in_(ids)] if ids else []) + ([p.credit_code.in_(codes)] if codes else [])
        if not conditions:
            return {}
        query = select(p.id, p.kind, p.name, p.id_number, p.credit_code, p.phones).where(or_(*conditions))
        found = {}
        for row in self.session.execute(query):
            identifier = row.id_number if row.kind == PERSON else row.credit_code
            found[identifier] = PartyRecord(row.kind, row.name, identifier, phones=list(row.phones or []), id=row.id)
        return found

    def insert(self, parties: list[PartyRecord], cases: list[NewCase], *, policy_id: str, at: datetime,
               warned_on: date) -> None:
        """Insert new parties (with their legal representatives), then open, warned cases and their parties."""
        party_rows = [_party_row(p) for p in parties]
        bound_rows = [{"id": new_id(), "party_id": p.id, "role": "legal_representative", "name": r.name,
                       "id_number": r.id_number} for p in parties if (r := p.legal_representative) is not None]
        case_rows = [_case_row(case, policy_id, at, warned_on) for case in cases]
        link_rows = [row for case in cases for row in _case_party_rows(case)]
        for table, rows in ((t.parties, party_rows), (t.bound_persons, bound_rows), (t.cases, case_rows),
                            (t.case_parties, link_rows)):
            if rows:
                self._execute(insert(table), rows)

    def update_phones(self, parties: list[PartyRecord]) -> None:
        """Store the phone numbers the import added to parties written earlier."""
        if parties:
            statement = update(t.parties).where(t.parties.c.id == bindparam("party_id")).values(
                phones=bindparam("new_phones"))
            self._execute(statement, [{"party_id": p.id, "new_phones": list(p.phones)} for p in parties])

    def _execute(self, statement, rows: list[dict]) -> None:
        try:
            # Core executemany on the session's connection: same transaction, no ORM bookkeeping per call.
            self.session.connection().execute(statement, rows)
        except IntegrityError as exc:
            # Only a concurrent writer can cause this: every row was checked against the database first.
            raise AlreadyExists(f"a case or party in this file was registered by someone else during the import; "
                                f"nothing was written, run the import again ({_constraint(exc)})") from None


def _party_row(p: PartyRecord) -> dict:
    person = p.kind == PERSON
    return {"id": p.id, "kind": p.kind, "name": p.name, "id_number": p.identifier if person else None,
            "credit_code": None if person else p.identifier, "birth_date": p.birth_date, "sex": p.sex,
            "phones": list(p.phones)}


def _case_row(case: NewCase, policy_id: str, at: datetime, warned_on: date) -> dict:
    # The state EnforcementCase.register followed by issue_warning leaves a case in.
    return {"id": case.id, "court_id": case.court_id, "case_number": case.case_number, "policy_id": policy_id,
            "obligation_cents": case.obligation.amount, "currency": case.obligation.currency,
            "obligation_text": case.obligation_text, "filed_on": case.filed_on, "judgment_date": case.judgment_date,
            "effective_date": case.effective_date, "warned_on": warned_on, "status": OPEN, "created_at": at,
            "updated_at": at, "version": 1}


def _case_party_rows(case: NewCase) -> tuple[dict, dict]:
    return ({"id": new_id(), "case_id": case.id, "party_id": case.creditor_id, "role": CREDITOR,
             "performance_order": 1, "guarantee_given": False},
            {"id": new_id(), "case_id": case.id, "party_id": case.debtor_id, "role": DEBTOR,
             "performance_order": 1, "guarantee_given": False})


def _constraint(exc: IntegrityError) -> str:
    text = str(exc.orig).splitlines()[0]
    return text[:200]


def case_import_store(uow) -> SqlImportStore:
    """The bulk store working in ``uow``'s session (pass it to ``import_cases``)."""
    return SqlImportStore(uow.session)
