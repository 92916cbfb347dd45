"""Who is looking at a page: the principal from keepword.web.auth, and the page's answer to the wrong one.

Pages do not raise on a missing sign-in (that would answer with JSON problem details): a view asks
``gate`` and returns what it gives, a redirect to the sign-in page or a plain refusal page.
"""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response
from urllib.parse import quote

from keepword.services.access import ANONYMOUS, Principal
from keepword.web.auth import csrf_token, current_principal, is_anonymous
from keepword.web.pages.rendering import gettext_for, render, see_other


async def viewer(request: Request, principal: Principal = Depends(current_principal)) -> Principal:
    """The page's principal (ANONYMOUS for the public), with the CSRF token its forms must carry."""
    request.state.principal = principal
    request.state.csrf_token = "" if is_anonymous(principal) else csrf_token(request)
    return principal


def gate(request: Request, principal: Principal, *roles: str, login: str = "/login") -> Response | None:
    """None when ``principal`` holds one of ``roles``; else the page to show instead."""
    if principal.has(*roles) and (principal.party_id is None or "debtor" in roles):
        return None
    if is_anonymous(principal) or principal is ANONYMOUS:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return see_other(f"{login}?next={quote(target, safe='')}")
    _ = gettext_for(request)
    return render(request, "error.html", {"title": _("Not for your role"),
                                          "message": _("Your account may not open this page.")}, status_code=403)


def staff_courts(principal: Principal) -> list[str]:
    """The courts whose records a staff member may read: their own, or their subtree (supervisors)."""
    courts = set(principal.court_ids)
    if principal.court_id:
        courts.add(principal.court_id)
    return sorted(courts)


_PUBLIC = frozenset({"public", "debtor", "clerk", "officer", "judge", "supervisor", "auditor", "admin", "partner"})
_STAFF = frozenset({"clerk", "officer", "judge"})
_CASE_READERS = _STAFF | {"supervisor"}
_DEBTOR = frozenset({"debtor"})
_JUDGE = frozenset({"judge"})

#: Who may open each page: (method, path) -> roles. Everyone else is sent to sign in (anonymous) or
#: refused (403). Views enforce it with ``gate``; tests walk the route table against it.
PAGE_ACCESS: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/"): _PUBLIC,
    ("GET", "/static/{name}"): _PUBLIC,
    ("GET", "/language/{locale}"): _PUBLIC,
    ("GET", "/search"): _PUBLIC,
    ("POST", "/search"): _PUBLIC,
    ("POST", "/search/challenge"): _PUBLIC,
    ("GET", "/login"): _PUBLIC,
    ("POST", "/login"): _PUBLIC,
    ("POST", "/logout"): _PUBLIC,
    ("GET", "/debtor/sign-in"): _PUBLIC,
    ("POST", "/debtor/code"): _PUBLIC,
    ("POST", "/debtor/sign-in"): _PUBLIC,
    ("POST", "/debtor/sign-out"): _PUBLIC,
    ("GET", "/debtor"): _DEBTOR,
    ("GET", "/debtor/evidence"): _DEBTOR,
    ("POST", "/debtor/evidence"): _DEBTOR,
    ("GET", "/debtor/objection"): _DEBTOR,
    ("POST", "/debtor/objection"): _DEBTOR,
    ("GET", "/debtor/appeal"): _DEBTOR,
    ("POST", "/debtor/appeal"): _DEBTOR,
    ("GET", "/officer"): _STAFF,
    ("GET", "/officer/cases"): _CASE_READERS,
    ("GET", "/officer/cases/{case_id}"): _CASE_READERS,
    ("POST", "/officer/cases/{case_id}/bars"): frozenset({"officer", "judge"}),
    ("GET", "/officer/cases/{case_id}/act/{key}"): _STAFF,
    ("POST", "/officer/cases/{case_id}/act/{key}/edit"): _STAFF,
    ("POST", "/officer/cases/{case_id}/act/{key}/confirm"): _STAFF,
    ("POST", "/officer/cases/{case_id}/act/{key}"): _STAFF,
    ("GET", "/officer/cases/{case_id}/done"): _STAFF,
    ("GET", "/officer/evidence/{evidence_id}/file"): frozenset({"clerk", "officer"}),
    ("GET", "/officer/evidence/{evidence_id}/review"): frozenset({"clerk", "officer"}),
    ("POST", "/officer/evidence/{evidence_id}/review/edit"): frozenset({"clerk", "officer"}),
    ("POST", "/officer/evidence/{evidence_id}/review/confirm"): frozenset({"clerk", "officer"}),
    ("POST", "/officer/evidence/{evidence_id}/review"): frozenset({"clerk", "officer"}),
    # Appeals from the courts below: judges only, and each view keeps to the judge's courts below.
    ("GET", "/officer/appeals"): _JUDGE,
    ("GET", "/officer/appeals/{objection_id}/decide"): _JUDGE,
    ("POST", "/officer/appeals/{objection_id}/decide/edit"): _JUDGE,
    ("POST", "/officer/appeals/{objection_id}/decide/confirm"): _JUDGE,
    ("POST", "/officer/appeals/{objection_id}/decide"): _JUDGE,
    ("GET", "/officer/appeals/{objection_id}/done"): _JUDGE,
    ("GET", "/supervisor"): frozenset({"supervisor"}),
}


def is_page_route(route) -> bool:
    """Whether ``route`` is a portal page (it checks access itself, against PAGE_ACCESS)."""
    methods = getattr(route, "methods", None) or ()
    path = getattr(route, "path", "")
    return bool(methods) and all((m, path) in PAGE_ACCESS for m in methods if m != "HEAD")
