"""Administration over HTTP: staff accounts and partner systems, admins only, every step audited."""

from __future__ import annotations

from sqlalchemy import select

from api_support import PASSWORD, api, api_sqlite  # noqa: F401
from factories import id_number
from keepword.store import tables as t

V1 = "/api/v1"
ADMIN = f"{V1}/admin"


def admin_headers(api) -> dict:
    return api.headers("admin", court=None)


def audit_entries(api, action: str) -> list:
    with api.accounts.engine.connect() as conn:
        return list(conn.execute(select(t.audit_log).where(t.audit_log.c.action == action)
                                 .order_by(t.audit_log.c.seq)))


def whoami(api, token: str):
    return api.client.get(f"{V1}/auth/whoami", headers={"Authorization": f"Bearer {token}"})


def sign_in(api, username: str, password: str = PASSWORD):
    return api.client.post(f"{V1}/auth/token", json={"username": username, "password": password})


def test_an_admin_creates_a_user_who_can_then_sign_in_and_the_lists_are_audited(api):
    admin = admin_headers(api)
    created = api.client.post(f"{ADMIN}/users", headers=admin, json={
        "username": "Wang.Officer", "password": PASSWORD, "roles": ["officer"], "court_id": "330102",
        "display_name": "王警官"})
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["username"] == "wang.officer" and user["roles"] == ["officer"] and user["active"] is True
    assert created.headers["location"] == f"{ADMIN}/users/{user['id']}"
    assert "password" not in created.text

    token = sign_in(api, "wang.officer").json()["access_token"]
    assert whoami(api, token).json()["roles"] == ["officer"]

    listed = api.client.get(f"{ADMIN}/users", headers=admin)
    assert listed.status_code == 200
    assert "wang.officer" in [u["username"] for u in listed.json()]
    assert "password_hash" not in listed.text

    admin_id = whoami(api, admin["Authorization"].split()[1]).json()["id"]
    [entry] = audit_entries(api, "user.created")[-1:]
    assert entry.actor == f"user:{admin_id}" and entry.subject_id == user["id"]
    [read] = audit_entries(api, "read.users")
    assert read.actor == f"user:{admin_id}" and read.purpose == "administration"


def test_bad_input_is_refused_naming_the_field(api_sqlite):
    admin = admin_headers(api_sqlite)

    def create(**body) -> dict:
        payload = {"username": "zhao.clerk", "password": PASSWORD, "roles": ["clerk"], "court_id": "330102", **body}
        response = api_sqlite.client.post(f"{ADMIN}/users", headers=admin, json=payload)
        assert response.headers["content-type"].startswith("application/problem+json"), response.text
        return {"status": response.status_code, **response.json()}

    assert create(password="short")["field"] == "password"
    unknown_role = create(roles=["sheriff"])
    assert (unknown_role["status"], unknown_role["field"]) == (422, "roles") and "sheriff" in unknown_role["detail"]
    no_court = create(court_id=None)
    assert (no_court["field"], no_court["status"]) == ("court_id", 422)
    assert create(court_id="999999")["field"] == "court_id"
    assert create(username="x")["field"] == "username"
    assert create(roles=[])["field"] == "roles"
    assert create(extra="field")["field"] == "extra"
    missing = api_sqlite.client.post(f"{ADMIN}/users", headers=admin, json={"username": "qian.clerk"})
    assert missing.status_code == 422 and missing.json()["field"] in ("password", "roles")

    assert api_sqlite.client.post(f"{ADMIN}/users", headers=admin, json={
        "username": "zhao.clerk", "password": PASSWORD, "roles": ["clerk"], "court_id": "330102"}).status_code == 201
    again = create()
    assert (again["status"], again["code"], again["field"]) == (409, "already_exists", "username")

    partner = api_sqlite.client.post(f"{ADMIN}/partners", headers=admin, json={"name": "某酒店", "type": "casino"})
    assert (partner.status_code, partner.json()["field"]) == (422, "type")
    scopes = api_sqlite.client.post(f"{ADMIN}/partners", headers=admin,
                                    json={"name": "某酒店", "type": "hotel", "scopes": ["ringback:read"]})
    assert (scopes.status_code, scopes.json()["field"]) == (422, "scopes")
    nameless = api_sqlite.client.post(f"{ADMIN}/partners", headers=admin, json={"name": "   ", "type": "hotel"})
    assert (nameless.status_code, nameless.json()["field"]) == (422, "name")


def test_disabling_an_account_stops_its_live_token_at_once_and_is_audited(api):
    admin = admin_headers(api)
    username = api.user("officer")
    token = api.tokens[username]
    assert whoami(api, token).json()["roles"] == ["officer"]  # verified once: now in the token cache
    user_id = whoami(api, token).json()["id"]

    disabled = api.client.post(f"{ADMIN}/users/{user_id}/disable", headers=admin)
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    after = api.client.get(f"{V1}/cases", headers={"Authorization": f"Bearer {token}"})
    assert (after.status_code, after.json()["code"]) == (401, "authentication_failed")
    assert sign_in(api, username).status_code == 401
    [entry] = audit_entries(api, "user.disabled")
    assert entry.subject_id == user_id and entry.details["tokens_revoked"] == 1

    admin_id = whoami(api, admin["Authorization"].split()[1]).json()["id"]
    own = api.client.post(f"{ADMIN}/users/{admin_id}/disable", headers=admin)
    assert (own.status_code, own.json()["field"]) == (422, "user_id")
    missing = api.client.post(f"{ADMIN}/users/{'0' * 26}/disable", headers=admin)
    assert missing.status_code == 404


def test_a_role_change_counts_at_once_for_a_live_token(api):
    admin = admin_headers(api)
    username = api.user("officer")
    token = api.tokens[username]
    user_id = whoami(api, token).json()["id"]
    changed = api.client.post(f"{ADMIN}/users/{user_id}/roles", headers=admin, json={"roles": ["clerk", "officer"]})
    assert changed.status_code == 200 and changed.json()["roles"] == ["clerk", "officer"]
    assert whoami(api, token).json()["roles"] == ["clerk", "officer"]
    [entry] = audit_entries(api, "user.roles_changed")
    assert entry.details["before"] == ["officer"] and entry.details["after"] == ["clerk", "officer"]
    unknown = api.client.post(f"{ADMIN}/users/{user_id}/roles", headers=admin, json={"roles": ["king"]})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "roles")


def test_partner_keys_are_shown_once_rotated_and_revoked_through_the_api(api):
    admin = admin_headers(api)
    created = api.client.post(f"{ADMIN}/partners", headers=admin, json={"name": "某银行", "type": "bank"})
    assert created.status_code == 201, created.text
    issued = created.json()
    partner_id, first_key = issued["partner_id"], issued["key"]

    def check(key: str) -> int:
        return api.client.post(f"{V1}/partner/checks", headers={"X-API-Key": key},
                               json={"identifier": id_number(), "purpose": "loan application"}).status_code

    assert check(first_key) == 200
    listed = api.client.get(f"{ADMIN}/partners", headers=admin)
    [partner] = [p for p in listed.json() if p["id"] == partner_id]
    assert partner["type"] == "bank" and [k["prefix"] for k in partner["keys"]] == [issued["prefix"]]
    assert first_key not in listed.text

    rotated = api.client.post(f"{ADMIN}/partners/{partner_id}/key-rotation", headers=admin)
    assert rotated.status_code == 201
    second_key = rotated.json()["key"]
    assert second_key != first_key and check(first_key) == 401 and check(second_key) == 200

    wrong_prefix = api.client.post(f"{ADMIN}/partners/{partner_id}/key-revocation", headers=admin,
                                   json={"prefix": "0" * 12})
    assert wrong_prefix.status_code == 404 and check(second_key) == 200
    revoked = api.client.post(f"{ADMIN}/partners/{partner_id}/key-revocation", headers=admin,
                              json={"prefix": rotated.json()["prefix"]})
    assert revoked.json() == {"partner_id": partner_id, "revoked": 1} and check(second_key) == 401

    admin_id = whoami(api, admin["Authorization"].split()[1]).json()["id"]
    actions = [e.action for e in audit_entries(api, "partner.created") + audit_entries(api, "partner.key_issued")
               + audit_entries(api, "partner.key_revoked") if e.actor == f"user:{admin_id}"]
    assert sorted(actions) == ["partner.created", "partner.key_issued", "partner.key_issued",
                               "partner.key_revoked", "partner.key_revoked"]
    assert first_key not in str(audit_entries(api, "partner.key_issued"))
    missing = api.client.post(f"{ADMIN}/partners/{'0' * 26}/key-rotation", headers=admin)
    assert missing.status_code == 404


def test_only_admins_manage_accounts(api_sqlite):
    for role in ("clerk", "supervisor", "auditor"):
        court = None if role == "auditor" else "330102"
        refused = api_sqlite.client.get(f"{ADMIN}/users", headers=api_sqlite.headers(role, court=court))
        assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied"), role
    anonymous = api_sqlite.client.post(f"{ADMIN}/partners", json={"name": "某银行", "type": "bank"})
    assert anonymous.status_code == 401
    with api_sqlite.accounts.engine.connect() as conn:
        assert conn.execute(select(t.partners)).first() is None
