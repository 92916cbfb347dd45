"""Every route of the app against every role, generated from the app's own route table.

A route added without an entry in keepword.web.access_rules.ACCESS (API routes) or
keepword.web.pages.PAGE_ACCESS (portal pages, which answer with a sign-in redirect instead of
problem details) fails here; so does a route that lets in a role its rule does not name, or
refuses one it does (the expected answers come from the tables, the actual ones from requests made
with real credentials of each role).
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from api_support import api_sqlite, register  # noqa: F401
from keepword.services.access import (ADMIN, AUDITOR, CLERK, DEBTOR, JUDGE, OFFICER, PARTNER, PUBLIC, ROLES,
                                      SUPERVISOR)
from keepword.web.access_rules import ACCESS, PUBLIC_DOCUMENTS
from keepword.web.pages import PAGE_ACCESS

DUMMY_ID = "0" * 26


def app_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every API route, as the app routes requests; non-API routes must be public documents."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            # The rule is looked up by the route's own path: routers must carry their full prefix.
            assert context.path == route.path, f"{route.path}: include routers without an extra prefix"
            found.extend((method, route.path) for method in sorted(context.methods))
        else:
            assert context.path in PUBLIC_DOCUMENTS, f"{context.path}: not an API route and not a public document"
    return found


def rule(method: str, path: str) -> frozenset[str] | None:
    return ACCESS.get((method, path), PAGE_ACCESS.get((method, path)))


def test_every_route_has_an_access_rule_and_every_rule_a_route(api_sqlite):
    routes = app_routes(api_sqlite.app)
    missing = [r for r in routes if rule(*r) is None]
    assert not missing, f"routes without an access rule: {missing}"
    stale = (set(ACCESS) | set(PAGE_ACCESS)) - set(routes)
    assert not stale, f"access rules for routes that do not exist: {stale}"
    assert not set(ACCESS) & set(PAGE_ACCESS), "a route is in both tables"
    assert all(roles <= set(ROLES) for roles in [*ACCESS.values(), *PAGE_ACCESS.values()])


def _clients(api) -> dict[str, tuple[TestClient, dict]]:
    """One client and its headers per role, each with real credentials (a 500 is an answer here, not a crash)."""
    plain = TestClient(api.app, base_url="https://testserver", raise_server_exceptions=False)
    clients = {role: (plain, api.headers(role, court=None if role in (AUDITOR, ADMIN) else "330102"))
               for role in (CLERK, OFFICER, JUDGE, SUPERVISOR, AUDITOR, ADMIN)}
    clients[PARTNER] = (plain, {"X-API-Key": api.partner_key("bank")})
    case = register(api, clients[CLERK][1])
    debtor = next(p["party_id"] for p in case["parties"] if p["role"] == "debtor")
    clients[DEBTOR] = (api.debtor_client(debtor, case["id"], raise_server_exceptions=False), {})
    clients[PUBLIC] = (plain, {})
    return clients


def test_every_route_answers_every_role_as_its_rule_says(api_sqlite):
    clients = _clients(api_sqlite)
    wrong = []
    # Signing out revokes the credentials: those routes go last.
    signs_out = lambda route: any(w in route[1] for w in ("logout", "sign-out"))  # noqa: E731
    for method, path in sorted(app_routes(api_sqlite.app), key=signs_out):
        if signs_out((method, path)):
            clients = _clients(api_sqlite)
        url = re.sub(r"\{[^}]+\}", DUMMY_ID, path)
        allowed = rule(method, path)
        for role in ROLES:
            client, headers = clients[role]
            response = client.request(method, url, headers=headers, json={} if method in ("POST", "PUT", "PATCH") else None,
                                      follow_redirects=False)
            denied = _refused(response)
            if role in allowed and denied:
                wrong.append(f"{role} refused on {method} {path}: {response.status_code} {response.text[:120]}")
            if role not in allowed and not denied:
                wrong.append(f"{role} not refused on {method} {path}: {response.status_code}")
            if role not in allowed and (method, path) in ACCESS and response.status_code != (401 if role == PUBLIC else 403):
                wrong.append(f"{role} on {method} {path}: {response.status_code}, expected {401 if role == PUBLIC else 403}")
    assert not wrong, "\n".join(wrong)


def _refused(response) -> bool:
    """An API refusal (401/403 problem), or a page's: a 403 page or a redirect to a sign-in page."""
    if response.status_code in (301, 302, 303, 307):
        location = response.headers.get("location", "")
        return "login" in location or "sign-in" in location
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        return response.status_code in (401, 403) and response.json().get("code") in (
            "authentication_failed", "permission_denied", "scope_missing")
    return response.status_code == 403  # a page: a wrong password on /login (401) is an answer, not a refusal


@pytest.mark.parametrize("route", [("GET", "/api/v1/cases/{case_id}")])
def test_a_route_without_a_rule_is_refused(api_sqlite, route, monkeypatch):
    """Fail closed: if a rule went missing at run time, the route answers 403 to everyone."""
    monkeypatch.delitem(ACCESS, route)
    response = api_sqlite.client.get(f"/api/v1/cases/{DUMMY_ID}", headers=api_sqlite.headers(CLERK))
    assert response.status_code == 403
    assert "no access rule" in response.json()["detail"]
