"""The published list, partner checks, a debtor's own record and the audit log."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from keepword.web.schemas.common import Strict


class PublishedListing(BaseModel):
    """Published fields only (RULES.md §1 rule 6); which ones depends on the policy and the kind of party."""

    model_config = ConfigDict(extra="allow")
    listing_id: str
    kind: str
    name: str | None = None
    case_number: str | None = None
    court: str | None = None
    obligation: str | None = None
    currency: str | None = None
    performed: str | None = None
    published_on: str | None = None


class PublishedPage(BaseModel):
    items: list[PublishedListing]
    next_cursor: str | None


class CheckIn(Strict):
    identifier: str = Field(min_length=1, max_length=30, description="ID number or Unified Social Credit Code")
    purpose: str = Field(min_length=3, max_length=200, examples=["air ticket sale"])


class CheckOut(BaseModel):
    listed: bool
    restricted_categories: list[str]
    listings: list[PublishedListing]


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    subject_type: str | None
    subject_id: str | None
    purpose: str | None
    details: dict
    hash: str


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None


class VerifyOut(BaseModel):
    ok: bool
    entries: int
    checkpoints: int
    unsigned_tail: int
    problem: dict | None = None
