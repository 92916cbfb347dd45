"""SQL adapters for the portal's own records: debtors' one-time codes and proofs of payment.

Each repository works inside the unit of work's session, so its writes commit (or roll back)
together with the case changes of the same use case.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from keepword.domain.errors import NotFound
from keepword.domain.money import Money
from keepword.services.debtor_access import DebtorOnCase, OneTimeCode
from keepword.services.evidence import PaymentEvidence
from keepword.store import tables as t


class SqlCodeRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def debtor_on_case(self, case_number: str, identifier: str) -> DebtorOnCase | None:
        c, cp, p = t.cases.c, t.case_parties.c, t.parties.c
        row = self.session.execute(
            select(c.id, p.id.label("party_id"), p.name, p.phones).join(t.case_parties, cp.case_id == c.id)
            .join(t.parties, p.id == cp.party_id)
            .where(c.case_number == case_number, cp.role == "debtor",
                   or_(p.id_number == identifier, p.credit_code == identifier))).first()
        if row is None:
            return None
        return DebtorOnCase(case_id=row.id, party_id=row.party_id, name=row.name, phones=tuple(row.phones or ()))

    def add(self, code: OneTimeCode) -> None:
        self.session.execute(insert(t.debtor_codes).values(
            id=code.id, case_id=code.case_id, party_id=code.party_id, code_hash=code.code_hash,
            created_at=code.created_at, expires_at=code.expires_at, attempts=code.attempts, used_at=code.used_at))

    def latest(self, case_id: str, party_id: str) -> OneTimeCode | None:
        d = t.debtor_codes.c
        row = self.session.execute(select(t.debtor_codes).where(d.case_id == case_id, d.party_id == party_id)
                                   .order_by(d.created_at.desc(), d.id.desc()).limit(1)).first()
        return OneTimeCode(**row._mapping) if row else None

    def issued_since(self, party_id: str, since: datetime) -> int:
        d = t.debtor_codes.c
        return self.session.execute(select(func.count()).select_from(t.debtor_codes)
                                    .where(d.party_id == party_id, d.created_at >= since)).scalar_one()

    def save(self, code: OneTimeCode) -> None:
        self.session.execute(update(t.debtor_codes).where(t.debtor_codes.c.id == code.id)
                             .values(attempts=code.attempts, used_at=code.used_at))


class SqlEvidenceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, evidence: PaymentEvidence) -> None:
        self.session.execute(insert(t.payment_evidence).values(**_row(evidence)))

    def get(self, evidence_id: str) -> PaymentEvidence:
        row = self.session.execute(select(t.payment_evidence).where(t.payment_evidence.c.id == evidence_id)).first()
        if row is None:
            raise NotFound(f"evidence {evidence_id} not found", evidence_id=evidence_id)
        return _evidence(row)

    def of_case(self, case_id: str, party_id: str | None = None) -> list[PaymentEvidence]:
        e = t.payment_evidence.c
        # The scans stay in the database until someone opens one.
        columns = [col for col in t.payment_evidence.c if col.name != "content"]
        query = select(*columns).where(e.case_id == case_id).order_by(e.submitted_at.desc())
        if party_id is not None:
            query = query.where(e.party_id == party_id)
        return [_evidence(r) for r in self.session.execute(query)]

    def save(self, evidence: PaymentEvidence) -> None:
        self.session.execute(update(t.payment_evidence).where(t.payment_evidence.c.id == evidence.id).values(
            status=evidence.status, reviewed_by=evidence.reviewed_by, reviewed_at=evidence.reviewed_at,
            review_note=evidence.review_note, payment_id=evidence.payment_id))


def _row(e: PaymentEvidence) -> dict:
    return {"id": e.id, "case_id": e.case_id, "party_id": e.party_id, "amount_cents": e.amount.amount,
            "currency": e.amount.currency, "paid_on": e.paid_on, "reference": e.reference, "note": e.note,
            "file_name": e.file_name, "content_type": e.content_type, "content": e.content,
            "submitted_at": e.submitted_at, "status": e.status, "reviewed_by": e.reviewed_by,
            "reviewed_at": e.reviewed_at, "review_note": e.review_note, "payment_id": e.payment_id}


def _evidence(row) -> PaymentEvidence:
    m = dict(row._mapping)
    amount = Money(m.pop("amount_cents"), m.pop("currency"))
    m.setdefault("content", None)
    return PaymentEvidence(amount=amount, **m)


def code_repository(uow) -> SqlCodeRepository:
    return SqlCodeRepository(uow.session)


def evidence_repository(uow) -> SqlEvidenceRepository:
    return SqlEvidenceRepository(uow.session)
