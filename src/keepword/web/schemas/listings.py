"""Listing steps, objections, appeals and restrictions in."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from keepword.web.schemas.common import Strict

Reason = Field(min_length=1, max_length=4000)


class ProposeIn(Strict):
    debtor_id: str = Field(max_length=32)
    grounds: list[int] = Field(min_length=1, max_length=6)
    applicant_id: str | None = Field(default=None, max_length=32)
    note: str = Field(default="", max_length=4000)


class ReasonIn(Strict):
    reason: str = Reason


class DecideIn(Strict):
    reason: str = Reason
    grace_months: int = Field(default=0, ge=0, le=12)
    signer_role: str = Field(default="judge", max_length=40, examples=["court_president", "judge"])


class ServeIn(Strict):
    served_on: date


class ExtendIn(Strict):
    months: int = Field(ge=1, le=120)
    reason: str = Reason


class DeleteIn(Strict):
    condition: str = Field(max_length=40, examples=["full_performance"])
    requested_by: str | None = Field(default=None, max_length=32, description="the creditor party, for creditor_request")


class CorrectIn(Strict):
    correction: str = Reason


class ObjectionIn(Strict):
    kind: str = Field(max_length=30, examples=["wrong_details"])
    statement: str = Reason


class ObjectionDecisionIn(Strict):
    upheld: bool
    note: str = Field(default="", max_length=4000)
    correction: str = Field(default="", max_length=4000)


class AppealDecisionIn(Strict):
    upheld: bool
    reason: str = Field(default="", max_length=4000, description="The higher court's reasons")
    correction: str = Field(default="", max_length=4000)


class RestrictionIn(Strict):
    debtor_id: str = Field(max_length=32)
    categories: list[str] | None = Field(default=None, max_length=20)
    reason: str = Field(default="", max_length=4000)


class ExemptionIn(Strict):
    category: str = Field(max_length=40)
    kind: str = Field(max_length=20, examples=["approved", "one_off"])
    reason: str = Reason
    valid_from: date
    valid_until: date


class LiftIn(Strict):
    reason: str = Field(max_length=40, examples=["guarantee", "creditor_consent"])


class BarOut(BaseModel):
    code: str
    message: str


class BarsOut(BaseModel):
    bars: list[BarOut]
    allowed: bool
