"""Enforcement cases in and out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from keepword.web.schemas.common import Amount, Strict

Text = Field(default="", max_length=4000)


class BoundPersonIn(Strict):
    role: Literal["legal_representative", "principal_in_charge", "directly_responsible", "actual_controller"]
    name: str = Field(min_length=1, max_length=200)
    id_number: str | None = Field(default=None, max_length=30)


class PartyIn(Strict):
    kind: Literal["person", "organization"]
    name: str = Field(min_length=1, max_length=200)
    identifier: str = Field(min_length=1, max_length=30, description="ID number (person) or credit code")
    phones: list[str] = Field(default_factory=list, max_length=10)
    address: str | None = Field(default=None, max_length=500)
    bound_persons: list[BoundPersonIn] = Field(default_factory=list, max_length=10)


class RegisterCaseIn(Strict):
    court_id: str = Field(min_length=1, max_length=32)
    case_number: str = Field(min_length=1, max_length=100, examples=["（2024）浙0102执123号"])
    creditors: list[PartyIn] = Field(min_length=1, max_length=20)
    debtors: list[PartyIn] = Field(min_length=1, max_length=20)
    amount: str = Amount
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    judgment_date: date
    effective_date: date
    filed_on: date
    obligation_text: str = Text
    warn: bool = True


class PaymentIn(Strict):
    amount: str = Amount
    paid_on: date
    payer_id: str | None = Field(default=None, max_length=32)
    note: str = Text


class MeasureIn(Strict):
    kind: str = Field(max_length=40, examples=["asset_search"])
    debtor_id: str | None = Field(default=None, max_length=32)
    value: str | None = Field(default=None, pattern=r"^\s*\d{1,13}(\.\d{1,2})?\s*$", max_length=20)
    assets_found: bool | None = None
    note: str = Text


class CloseIn(Strict):
    outcome: str = Field(max_length=30, examples=["settled"])
    reason: str = Text


class PartyOut(BaseModel):
    id: str
    kind: str
    name: str
    id_number: str | None
    credit_code: str | None
    birth_date: date | None
    sex: str | None
    phones: list[str]
    address: str | None
    bound_persons: list[dict]


class CasePartyOut(BaseModel):
    party_id: str
    role: str
    kind: str
    name: str
    identifier: str
    performance_order: int
    guarantee_given: bool


class PaymentOut(BaseModel):
    id: str
    amount: str
    currency: str
    paid_on: date
    payer_id: str | None
    recorded_by: str
    recorded_at: datetime
    note: str


class MeasureOut(BaseModel):
    id: str
    kind: str
    ordered_on: date
    ordered_by: str
    debtor_id: str | None
    value: str | None
    assets_found: bool | None
    note: str
    ended_on: date | None


class ObjectionOut(BaseModel):
    id: str
    kind: str
    statement: str
    filed_on: date
    review_due: date
    decided_on: date | None
    decided_by: str | None
    upheld: bool | None
    decision_note: str | None
    fix_due: date | None
    appeal_until: date | None
    appealed_on: date | None
    appeal_due: date | None
    appeal_decided_on: date | None
    appeal_upheld: bool | None
    appeal_decided_by: str | None


class ListingOut(BaseModel):
    id: str
    debtor_id: str
    grounds: list[int]
    state: str
    applicant_id: str | None
    proposed_on: date
    proposed_by: str
    decided_on: date | None
    decided_by: str | None
    decision_reason: str | None
    term_months: int | None
    grace_months: int
    served_on: date | None
    publish_on: date | None
    published_on: date | None
    expires_on: date | None
    extension_months: int
    deletion_condition: str | None
    deletion_due: date | None
    deleted_on: date | None
    revoked_on: date | None
    revocation_reason: str | None
    rejected_reason: str | None
    objections: list[ObjectionOut]


class ExemptionOut(BaseModel):
    id: str
    category: str
    kind: str
    reason: str
    valid_from: date
    valid_until: date
    approved_by: str


class RestrictionOut(BaseModel):
    id: str
    debtor_id: str
    categories: list[str]
    ordered_on: date
    ordered_by: str
    reason: str
    lifted_on: date | None
    lift_reason: str | None
    exemptions: list[ExemptionOut]


class CaseOut(BaseModel):
    id: str
    court_id: str
    case_number: str
    status: str
    outcome: str | None
    obligation: str
    currency: str
    paid: str
    outstanding: str
    obligation_text: str
    filed_on: date
    judgment_date: date
    effective_date: date
    warned_on: date | None
    closed_on: date | None
    version: int
    parties: list[CasePartyOut]
    payments: list[PaymentOut]
    measures: list[MeasureOut]
    listings: list[ListingOut]
    restrictions: list[RestrictionOut]


class DebtorRef(BaseModel):
    party_id: str
    name: str
    identifier: str


class CaseSummary(BaseModel):
    id: str
    court_id: str
    case_number: str
    status: str
    obligation: str
    currency: str
    filed_on: date
    version: int
    debtors: list[DebtorRef]


class CasePage(BaseModel):
    items: list[CaseSummary]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page")
