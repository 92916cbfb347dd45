"""Administration: staff accounts and partner systems, through the same account services as the CLI.

Admins only (keepword.web.access_rules). Every change is audited by the account services, with the
admin as the actor; reading the lists is audited as a read. An API key is in the answer that issues
it and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import APIRouter, Depends, Request, Response

from keepword.accounts import partners as partner_accounts
from keepword.accounts import users as user_accounts
from keepword.audit.entries import AuditEntry
from keepword.domain.errors import ValidationFailed
from keepword.services.access import Principal
from keepword.web.auth import current_principal
from keepword.web.problems import problem_responses
from keepword.web.schemas.admin import (IssuedKeyOut, PartnerIn, PartnerOut, RevocationIn, RevocationOut, RolesIn,
                                        UserIn, UserOut)
from keepword.web.state import WebState, web_state

router = APIRouter(prefix="/api/v1/admin", tags=["administration"],
                   responses=problem_responses(401, 403, 404, 409, 422))

# The account services name fields as the CLI options do; the API answers with its own field names.
_API_FIELDS = {"role": "roles", "court": "court_id"}


@contextmanager
def _api_field_names() -> Iterator[None]:
    try:
        yield
    except ValidationFailed as exc:
        field = _API_FIELDS.get(exc.field)
        if field is None:
            raise
        raise ValidationFailed(field, exc.reason) from None


def _user_out(user: user_accounts.User) -> UserOut:
    return UserOut(id=user.id, username=user.username, display_name=user.display_name, roles=list(user.roles),
                   court_id=user.court_id, active=user.active, locked_until=user.locked_until)


def _audit_read(state: WebState, principal: Principal, action: str, count: int) -> None:
    state.record_read(AuditEntry(at=state.clock.now(), actor=principal.actor, action=action,
                                 purpose="administration", details={"count": count}))


# ---- staff accounts -----------------------------------------------------------------------------------
@router.get("/users", response_model=list[UserOut], summary="Every staff account, by username")
def list_users(request: Request, principal: Principal = Depends(current_principal)) -> list[UserOut]:
    state = web_state(request)
    users = user_accounts.list_users(state.accounts)
    _audit_read(state, principal, "read.users", len(users))
    return [_user_out(u) for u in users]


@router.post("/users", response_model=UserOut, status_code=201, summary="Create a staff account")
def create_user(body: UserIn, request: Request, response: Response,
                principal: Principal = Depends(current_principal)) -> UserOut:
    state = web_state(request)
    with _api_field_names():
        user = user_accounts.create_user(state.accounts, body.username, body.password, body.roles, body.court_id,
                                         actor=principal.actor, display_name=body.display_name)
    response.headers["Location"] = f"/api/v1/admin/users/{user.id}"
    return _user_out(user)


@router.post("/users/{user_id}/roles", response_model=UserOut, summary="Replace a user's roles (and court)")
def set_roles(user_id: str, body: RolesIn, request: Request,
              principal: Principal = Depends(current_principal)) -> UserOut:
    state = web_state(request)
    user = user_accounts.get_user(state.accounts, user_id)
    with _api_field_names():
        changed = user_accounts.set_roles(state.accounts, user.username, body.roles, actor=principal.actor,
                                          court_id=body.court_id)
    return _user_out(changed)


@router.post("/users/{user_id}/disable", response_model=UserOut,
             summary="Disable an account: no sign-in, its tokens and sessions stop working")
def disable_user(user_id: str, request: Request, principal: Principal = Depends(current_principal)) -> UserOut:
    state = web_state(request)
    return _user_out(user_accounts.disable_user(state.accounts, user_id, actor=principal.actor))


# ---- partner systems ----------------------------------------------------------------------------------
@router.get("/partners", response_model=list[PartnerOut], summary="Every partner, with its keys' prefixes")
def list_partners(request: Request, principal: Principal = Depends(current_principal)) -> list[PartnerOut]:
    state = web_state(request)
    found = partner_accounts.list_partners(state.accounts)
    _audit_read(state, principal, "read.partners", len(found))
    return [PartnerOut(id=p.id, name=p.name, type=p.type, scopes=list(p.scopes), active=p.active,
                       created_at=p.created_at, keys=[vars(k) for k in p.keys]) for p in found]


@router.post("/partners", response_model=IssuedKeyOut, status_code=201,
             summary="Register a partner system; its API key is in this answer only")
def create_partner(body: PartnerIn, request: Request, response: Response,
                   principal: Principal = Depends(current_principal)) -> IssuedKeyOut:
    state = web_state(request)
    issued = partner_accounts.create_partner(state.accounts, body.name, body.type, body.scopes, actor=principal.actor)
    response.headers["Location"] = f"/api/v1/admin/partners/{issued.partner_id}"
    return IssuedKeyOut(partner_id=issued.partner_id, key=issued.key, prefix=issued.prefix)


@router.post("/partners/{partner_id}/key-rotation", response_model=IssuedKeyOut, status_code=201,
             summary="A new API key (in this answer only); every earlier key of the partner stops working")
def rotate_key(partner_id: str, request: Request, principal: Principal = Depends(current_principal)) -> IssuedKeyOut:
    state = web_state(request)
    issued = partner_accounts.rotate_key(state.accounts, partner_id, actor=principal.actor)
    return IssuedKeyOut(partner_id=issued.partner_id, key=issued.key, prefix=issued.prefix)


@router.post("/partners/{partner_id}/key-revocation", response_model=RevocationOut,
             summary="Revoke one key (by prefix) or every live key of a partner")
def revoke_keys(partner_id: str, request: Request, body: RevocationIn | None = None,
                principal: Principal = Depends(current_principal)) -> RevocationOut:
    state = web_state(request)
    count = partner_accounts.revoke_keys(state.accounts, partner_id, actor=principal.actor,
                                         prefix=body.prefix if body else None)
    return RevocationOut(partner_id=partner_id, revoked=count)
