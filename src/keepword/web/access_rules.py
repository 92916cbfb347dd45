"""Every route's access rule, in one table: (method, path) -> the roles allowed.

The app enforces it for every API route (a route missing here is refused). Portal pages keep their
rules in keepword.web.pages.PAGE_ACCESS and enforce them themselves (a sign-in redirect rather than
problem details). The authorization test walks the app's own route table against both, so a new
route without a rule fails the suite.
Finer rules (own court, own record, partner scopes) are checked by the routes themselves. Admins
manage accounts and partners (the CLI or /api/v1/admin); no API route gives them case data.
"""

from __future__ import annotations

from fastapi import Depends, Request

from keepword.domain.errors import AuthenticationFailed, PermissionDenied
from keepword.services.access import (ADMIN, AUDITOR, CLERK, DEBTOR, JUDGE, OFFICER, PARTNER, PUBLIC, ROLES,
                                      SUPERVISOR, Principal)
from keepword.web.auth import current_principal, is_anonymous
from keepword.web.pages.access import is_page_route

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {PUBLIC}
CASE_READERS = frozenset({CLERK, OFFICER, JUDGE, SUPERVISOR})

V1 = "/api/v1"
ACCESS: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/health"): EVERYONE,
    # sign-in
    ("POST", f"{V1}/auth/token"): EVERYONE,
    ("POST", f"{V1}/auth/session"): EVERYONE,
    ("POST", f"{V1}/auth/logout"): SIGNED_IN,
    ("GET", f"{V1}/auth/whoami"): EVERYONE,
    # the published list and partner checks (rate-limited)
    ("GET", f"{V1}/public/listings"): EVERYONE,
    ("POST", f"{V1}/partner/checks"): frozenset({PARTNER}),
    # screening against the in-memory index (the route also needs the check scope)
    ("POST", f"{V1}/screening/check"): frozenset({PARTNER}),
    ("POST", f"{V1}/screening/batch"): frozenset({PARTNER}),
    # cases
    ("POST", f"{V1}/cases"): frozenset({CLERK}),
    ("GET", f"{V1}/cases"): CASE_READERS,
    ("GET", f"{V1}/cases/{{case_id}}"): CASE_READERS,
    ("GET", f"{V1}/cases/{{case_id}}/parties"): CASE_READERS,
    ("GET", f"{V1}/parties/{{party_id}}"): CASE_READERS,
    ("POST", f"{V1}/cases/{{case_id}}/payments"): frozenset({CLERK}),
    ("POST", f"{V1}/cases/{{case_id}}/measures"): frozenset({OFFICER}),
    ("POST", f"{V1}/cases/{{case_id}}/measures/{{measure_id}}/end"): frozenset({OFFICER}),
    ("POST", f"{V1}/cases/{{case_id}}/warning"): frozenset({CLERK, OFFICER}),
    ("POST", f"{V1}/cases/{{case_id}}/close"): frozenset({OFFICER, JUDGE}),
    # listing steps
    ("GET", f"{V1}/cases/{{case_id}}/listing-bars"): frozenset({OFFICER, JUDGE}),
    ("POST", f"{V1}/cases/{{case_id}}/listings"): frozenset({OFFICER}),
    ("POST", f"{V1}/listings/{{listing_id}}/reject"): frozenset({JUDGE}),
    ("POST", f"{V1}/listings/{{listing_id}}/decision"): frozenset({JUDGE}),
    ("POST", f"{V1}/listings/{{listing_id}}/service"): frozenset({OFFICER}),
    ("POST", f"{V1}/listings/{{listing_id}}/extension"): frozenset({JUDGE}),
    ("POST", f"{V1}/listings/{{listing_id}}/deletion"): frozenset({OFFICER, JUDGE}),
    ("POST", f"{V1}/listings/{{listing_id}}/revocation"): frozenset({JUDGE}),
    ("POST", f"{V1}/listings/{{listing_id}}/correction"): frozenset({OFFICER, JUDGE}),
    # objections and appeals: the debtor files, a judge decides (the appeal: a judge of a higher court)
    ("POST", f"{V1}/listings/{{listing_id}}/objections"): frozenset({DEBTOR, CLERK, OFFICER}),
    ("POST", f"{V1}/listings/{{listing_id}}/objections/{{objection_id}}/decision"): frozenset({JUDGE}),
    ("POST", f"{V1}/listings/{{listing_id}}/objections/{{objection_id}}/appeal"): frozenset({DEBTOR, CLERK, OFFICER}),
    ("POST", f"{V1}/listings/{{listing_id}}/objections/{{objection_id}}/appeal-decision"): frozenset({JUDGE}),
    # restrictions of high consumption
    ("POST", f"{V1}/cases/{{case_id}}/restrictions"): frozenset({OFFICER}),
    ("POST", f"{V1}/cases/{{case_id}}/restrictions/{{restriction_id}}/exemptions"): frozenset({JUDGE}),
    ("POST", f"{V1}/cases/{{case_id}}/restrictions/{{restriction_id}}/lift"): frozenset({OFFICER, JUDGE}),
    # the debtor's own record (data-subject rights)
    ("GET", f"{V1}/me"): frozenset({DEBTOR}),
    ("GET", f"{V1}/me/export"): frozenset({DEBTOR}),
    # partner feeds (issue 4): partners see their own; supervisors and admins watch every partner
    ("GET", f"{V1}/feed"): frozenset({PARTNER}),
    ("GET", f"{V1}/feed/snapshot"): frozenset({PARTNER}),
    ("POST", f"{V1}/feed/acks"): frozenset({PARTNER}),
    ("GET", f"{V1}/feed/endpoints"): frozenset({PARTNER, SUPERVISOR, ADMIN}),
    ("POST", f"{V1}/feed/endpoints"): frozenset({PARTNER}),
    ("POST", f"{V1}/feed/endpoints/{{endpoint_id}}/enable"): frozenset({PARTNER}),
    ("GET", f"{V1}/feed/lag"): frozenset({PARTNER, SUPERVISOR, ADMIN}),
    ("GET", f"{V1}/feed/unacknowledged"): frozenset({PARTNER, SUPERVISOR, ADMIN}),
    # the audit log
    ("GET", f"{V1}/audit"): frozenset({AUDITOR}),
    ("GET", f"{V1}/audit/verify"): frozenset({AUDITOR}),
    # administration: staff accounts and partner systems (no case data)
    ("GET", f"{V1}/admin/users"): frozenset({ADMIN}),
    ("POST", f"{V1}/admin/users"): frozenset({ADMIN}),
    ("POST", f"{V1}/admin/users/{{user_id}}/roles"): frozenset({ADMIN}),
    ("POST", f"{V1}/admin/users/{{user_id}}/disable"): frozenset({ADMIN}),
    ("GET", f"{V1}/admin/partners"): frozenset({ADMIN}),
    ("POST", f"{V1}/admin/partners"): frozenset({ADMIN}),
    ("POST", f"{V1}/admin/partners/{{partner_id}}/key-rotation"): frozenset({ADMIN}),
    ("POST", f"{V1}/admin/partners/{{partner_id}}/key-revocation"): frozenset({ADMIN}),
}

#: Routes that are not API routes and are public by nature: the OpenAPI document and its viewers.
PUBLIC_DOCUMENTS = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})


def allowed_roles(method: str, path: str) -> frozenset[str] | None:
    return ACCESS.get((method, path))


async def enforce_access_rule(request: Request, principal: Principal = Depends(current_principal)) -> None:
    """Applied to every API route: refuse a route without a rule, and roles the rule does not name."""
    route = request.scope.get("route")
    if is_page_route(route):
        return  # portal pages answer HTML and check access themselves, against pages.access.PAGE_ACCESS
    check_access(request.method, getattr(route, "path", ""), principal)


def check_access(method: str, path: str, principal: Principal) -> None:
    """Refuse ``principal`` the route ``method path`` (its path template) unless its rule names one of their roles."""
    roles = allowed_roles(method, path)
    if roles is None:
        raise PermissionDenied("this route has no access rule")
    if not principal.has(*roles):
        if is_anonymous(principal):
            raise AuthenticationFailed("sign in first: a bearer token, an API key or a session is needed")
        raise PermissionDenied("your role may not do this")
