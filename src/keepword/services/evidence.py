"""Proof of payment a debtor submits: kept as a record for an officer to review.

Accepting a proof records the payment in the same transaction (so a full payment deletes the
listing at once); rejecting it keeps the reason for the debtor to read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable, Protocol

from keepword.domain.errors import TransitionNotAllowed, ValidationFailed
from keepword.domain.ids import new_id
from keepword.domain.money import Money
from keepword.services.context import ServiceContext

SUBMITTED = "submitted"
ACCEPTED = "accepted"
REJECTED = "rejected"

MAX_FILE_BYTES = 5 * 1024 * 1024
FILE_TYPES = ("application/pdf", "image/jpeg", "image/png")


@dataclass
class PaymentEvidence:
    case_id: str
    party_id: str
    amount: Money
    paid_on: date
    reference: str
    submitted_at: datetime
    note: str = ""
    file_name: str | None = None
    content_type: str | None = None
    content: bytes | None = None
    status: str = SUBMITTED
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    review_note: str | None = None
    payment_id: str | None = None
    id: str = field(default_factory=new_id)

    def review(self, accepted: bool, by: str, at: datetime, note: str, payment_id: str | None = None) -> None:
        if self.status != SUBMITTED:
            raise TransitionNotAllowed(f"evidence: already {self.status}", state=self.status, action="review")
        if not accepted and not note.strip():
            raise ValidationFailed("note", "say why the proof is not accepted")
        self.status = ACCEPTED if accepted else REJECTED
        self.reviewed_by, self.reviewed_at, self.review_note, self.payment_id = by, at, note.strip(), payment_id


class EvidenceRepository(Protocol):
    """Storage of payment evidence, inside a unit of work."""

    def add(self, evidence: PaymentEvidence) -> None: ...

    def get(self, evidence_id: str) -> PaymentEvidence: ...

    def of_case(self, case_id: str, party_id: str | None = None) -> list[PaymentEvidence]: ...

    def save(self, evidence: PaymentEvidence) -> None: ...


def submit_evidence(ctx: ServiceContext, evidence_for: Callable[[object], EvidenceRepository], *, case_id: str,
                    party_id: str, amount: str, paid_on: date, reference: str, note: str = "",
                    file_name: str | None = None, content_type: str | None = None,
                    content: bytes | None = None) -> PaymentEvidence:
    """A debtor's proof of payment: amount, date, bank reference and optionally a scan (PDF, JPEG, PNG)."""
    reference = " ".join((reference or "").split())
    if not reference:
        raise ValidationFailed("reference", "give the bank or payment reference")
    if len(reference) > 200:
        raise ValidationFailed("reference", "longer than 200 characters")
    if content:
        if len(content) > MAX_FILE_BYTES:
            raise ValidationFailed("file", f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        if content_type not in FILE_TYPES:
            raise ValidationFailed("file", "must be a PDF, JPEG or PNG file")
    else:
        file_name = content_type = content = None
    with ctx.uow() as uow:
        case = uow.cases.get(case_id)
        case.debtor(party_id)
        money = Money.parse(amount, case.obligation.currency)
        if not money.is_positive():
            raise ValidationFailed("amount", "must be greater than zero")
        at = ctx.clock.now()
        if paid_on > case.local_day(at, ctx.policy):
            raise ValidationFailed("paid_on", "in the future")
        evidence = PaymentEvidence(case_id=case_id, party_id=party_id, amount=money, paid_on=paid_on,
                                   reference=reference, note=note.strip(), submitted_at=at,
                                   file_name=(file_name or "")[:200] or None, content_type=content_type,
                                   content=content)
        evidence_for(uow).add(evidence)
        uow.commit()
        return evidence


def accept_evidence(ctx: ServiceContext, evidence_for: Callable[[object], EvidenceRepository], evidence_id: str, *,
                    amount: str, paid_on: date, by: str, note: str = ""):
    """Record the payment the proof shows (the officer may correct amount and date) and mark it accepted."""
    with ctx.uow() as uow:
        repo = evidence_for(uow)
        evidence = repo.get(evidence_id)
        case = uow.cases.get(evidence.case_id)
        at = ctx.clock.now()
        payment = case.record_payment(Money.parse(amount, case.obligation.currency), paid_on, at, by, ctx.policy,
                                      payer_id=evidence.party_id, note=note or f"proof {evidence.reference}")
        evidence.review(True, by, at, note, payment.id)
        repo.save(evidence)
        uow.commit()
        return case


def reject_evidence(ctx: ServiceContext, evidence_for: Callable[[object], EvidenceRepository], evidence_id: str, *,
                    by: str, note: str) -> PaymentEvidence:
    """Mark a proof as not accepted, with the reason the debtor will read."""
    with ctx.uow() as uow:
        repo = evidence_for(uow)
        evidence = repo.get(evidence_id)
        evidence.review(False, by, ctx.clock.now(), note)
        repo.save(evidence)
        uow.commit()
        return evidence
