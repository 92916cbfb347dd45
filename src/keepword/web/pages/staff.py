"""Staff sign-in and sign-out for the portal (accounts and sessions are keepword.accounts / web.auth)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request

from keepword.accounts.users import authenticate
from keepword.domain.errors import AuthenticationFailed
from keepword.services.access import CLERK, JUDGE, OFFICER, SUPERVISOR, Principal
from keepword.web.auth import end_session, is_anonymous, start_session
from keepword.web.pages.access import viewer
from keepword.web.pages.rendering import gettext_for, render, safe_next, see_other
from keepword.web.state import web_state

router = APIRouter()


def _home_of(principal: Principal) -> str:
    if principal.has(CLERK, OFFICER, JUDGE):
        return "/officer"
    if principal.has(SUPERVISOR):
        return "/supervisor"
    return "/"


@router.get("/login", include_in_schema=False)
def login_form(request: Request, next: str = "", me: Principal = Depends(viewer)):
    if not is_anonymous(me) and me.party_id is None:
        return see_other(safe_next(next, _home_of(me)))
    return render(request, "staff/login.html", {"next": safe_next(next, ""), "username": "", "errors": {}})


@router.post("/login", include_in_schema=False)
def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form(""),
          _v: Principal = Depends(viewer)):
    _ = gettext_for(request)
    try:
        user = authenticate(web_state(request).accounts, username, password)
    except AuthenticationFailed as exc:
        message = _("Too many failed attempts: the account is locked for a while.") \
            if exc.code == "account_locked" else _("The user name or the password is wrong.")
        return render(request, "staff/login.html", {"next": safe_next(next, ""), "username": username,
                                                    "errors": {"username": message}}, status_code=401)
    principal = Principal(id=user.id, name=user.display_name, roles=frozenset(user.roles), court_id=user.court_id)
    response = see_other(safe_next(next, _home_of(principal)))
    start_session(response, principal, request)
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, _v: Principal = Depends(viewer)):
    response = see_other("/")
    end_session(request, response)
    return response
