"""Staff accounts and partner systems, for administrators."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from keepword.web.schemas.common import Strict

Roles = Field(min_length=1, max_length=6, examples=[["officer"]],
              description="clerk, officer, judge, supervisor, auditor or admin; all but auditor and admin act "
                          "within a court")
CourtId = Field(default=None, min_length=1, max_length=32, description="the court the user acts in")


class UserIn(Strict):
    username: str = Field(min_length=1, max_length=100, examples=["li.officer"],
                          description="3-100 characters: lower-case letters, digits, '.', '_' or '-'")
    password: str = Field(min_length=1, max_length=1000, description="at least 10 characters; kept hashed (argon2id)")
    roles: list[str] = Roles
    court_id: str | None = CourtId
    display_name: str | None = Field(default=None, min_length=1, max_length=200)


class RolesIn(Strict):
    roles: list[str] = Roles
    court_id: str | None = Field(default=None, min_length=1, max_length=32,
                                 description="the court the user acts in (default: unchanged)")


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    roles: list[str]
    court_id: str | None
    active: bool
    locked_until: datetime | None = Field(description="too many failed logins: no sign-in before this")


class PartnerIn(Strict):
    name: str = Field(min_length=1, max_length=200, examples=["某银行股份有限公司"])
    type: str = Field(min_length=1, max_length=30, examples=["bank"],
                      description="credit_bureau, transport, hotel, carrier, bank or government")
    scopes: list[str] | None = Field(default=None, max_length=10,
                                     description="a subset of what the type allows (default: all of it)")


class KeyOut(BaseModel):
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


class PartnerOut(BaseModel):
    id: str
    name: str
    type: str
    scopes: list[str]
    active: bool
    created_at: datetime
    keys: list[KeyOut] = Field(description="newest first; the keys themselves are never stored, only their hashes")


class IssuedKeyOut(BaseModel):
    partner_id: str
    key: str = Field(description="shown once: store it now, it cannot be read back")
    prefix: str


class RevocationIn(Strict):
    prefix: str | None = Field(default=None, min_length=12, max_length=12,
                               description="revoke only this key (default: every live key of the partner)")


class RevocationOut(BaseModel):
    partner_id: str
    revoked: int
