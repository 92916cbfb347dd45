"""Sign-in bodies and who-am-I."""

from __future__ import annotations

from pydantic import BaseModel, Field

from keepword.web.schemas.common import Strict


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class SessionOut(BaseModel):
    csrf_token: str = Field(description="Send back as the X-CSRF-Token header (or csrf_token form field) "
                                        "on every unsafe request made with the session cookie")


class PrincipalOut(BaseModel):
    id: str
    kind: str
    name: str
    roles: list[str]
    court_id: str | None
    court_ids: list[str]
    partner_type: str | None
    scopes: list[str]
