"""Sign-in and credentials: lockout, API keys shown once and kept hashed, CSRF, rate limits, sign-out."""

from __future__ import annotations

import hashlib
import time

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from api_support import PASSWORD, api, api_sqlite, make_api, person_body, register  # noqa: F401
from keepword.accounts.partner_types import PARTNER_SCOPES
from keepword.cli import _load_commands, app as cli_app
from keepword.store import tables as t

V1 = "/api/v1"


def login(api, username: str, password: str):
    return api.client.post(f"{V1}/auth/token", json={"username": username, "password": password})


def test_five_failed_logins_lock_the_account_for_fifteen_minutes(api, clock):
    username = api.user("officer")
    for attempt in range(1, 5):
        response = login(api, username, "wrong password!")
        assert (response.status_code, response.json()["code"]) == (401, "authentication_failed"), attempt
    fifth = login(api, username, "wrong password!")
    assert (fifth.status_code, fifth.json()["code"]) == (423, "account_locked")
    right_but_locked = login(api, username, PASSWORD)
    assert right_but_locked.status_code == 423
    assert 14 * 60 < int(right_but_locked.headers["retry-after"]) <= 15 * 60
    clock.advance(minutes=15, seconds=1)
    assert login(api, username, PASSWORD).status_code == 200
    with api.accounts.engine.connect() as conn:
        actions = [r.action for r in conn.execute(select(t.audit_log.c.action, t.audit_log.c.details)
                                                  .where(t.audit_log.c.action.like("login.%")))]
        details = str(list(conn.execute(select(t.audit_log.c.details))))
    assert actions.count("login.failure") == 5 and actions.count("login.refused") == 1
    assert "wrong password!" not in details and PASSWORD not in details


def test_an_unknown_user_is_told_the_same_as_a_wrong_password(api_sqlite):
    api_sqlite.user("clerk", username="known-user")
    unknown = login(api_sqlite, "nobody-here", PASSWORD).json()
    wrong = login(api_sqlite, "known-user", "not the password").json()
    assert unknown["detail"] == wrong["detail"] and unknown["code"] == wrong["code"] == "authentication_failed"


def _cli(*args: str, input: str | None = None, db: str) -> tuple[int, str]:
    _load_commands()
    result = CliRunner().invoke(cli_app, [*args, "--db", db], input=input,
                                env={"KEEPWORD_SECRET_KEY": "test-secret-key-0123456789", "KEEPWORD_ARGON2_TIME_COST": "1",
                                     "KEEPWORD_ARGON2_MEMORY_KIB": "8", "KEEPWORD_ARGON2_PARALLELISM": "1"})
    return result.exit_code, result.output


def test_an_api_key_is_shown_once_kept_hashed_rotatable_and_revocable(api_sqlite):
    """Keys changed through the CLI (another process) count on the server once its cache of verified
    keys lets them go: here after 0.2 s (KEEPWORD_TOKEN_CACHE_SECONDS, 10 s by default)."""
    db = str(api_sqlite.accounts.engine.url)
    api_sqlite.accounts.verified_tokens.ttl_seconds = 0.2
    code, output = _cli("partners", "create", "中国某航空公司", "--type", "transport", db=db)
    assert code == 0, output
    key = next(line for line in output.splitlines() if line.startswith("kwp_"))
    with api_sqlite.accounts.engine.connect() as conn:
        stored = conn.execute(select(t.api_keys)).one()
        partner = conn.execute(select(t.partners)).one()
        everything = str(list(conn.execute(select(t.api_keys)))) + str(list(conn.execute(select(t.audit_log))))
    assert key not in everything and stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert sorted(partner.scopes) == sorted(PARTNER_SCOPES["transport"])

    def check(with_key: str) -> int:
        return api_sqlite.client.post(f"{V1}/partner/checks", headers={"X-API-Key": with_key},
                                      json={"identifier": "110101198005170029", "purpose": "air ticket sale"}).status_code

    def refused_soon(with_key: str) -> bool:
        deadline = time.monotonic() + 5
        while check(with_key) == 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        return check(with_key) == 401

    assert check(key) == 200
    code, output = _cli("partners", "rotate-key", partner.id, db=db)
    new_key = next(line for line in output.splitlines() if line.startswith("kwp_"))
    assert code == 0 and new_key != key
    assert refused_soon(key) and check(new_key) == 200
    code, output = _cli("partners", "revoke-key", partner.id, db=db)
    assert code == 0 and refused_soon(new_key)
    feed = api_sqlite.client.get(f"{V1}/feed", headers={"X-API-Key": new_key})
    assert feed.status_code == 401


def test_a_partner_check_answers_by_identifier_and_is_audited_with_its_purpose(api):
    clerk = api.headers("clerk")
    debtor = person_body(name="钱七")
    case = register(api, clerk, debtor=debtor)
    party = next(p["party_id"] for p in case["parties"] if p["role"] == "debtor")
    api.client.post(f"{V1}/cases/{case['id']}/restrictions", headers=api.headers("officer"),
                    json={"debtor_id": party, "categories": ["air_and_berth"]})
    key = api.partner_key("transport")
    answer = api.client.post(f"{V1}/partner/checks", headers={"X-API-Key": key},
                             json={"identifier": debtor["identifier"], "purpose": "air ticket sale"})
    assert answer.status_code == 200
    assert answer.json() == {"listed": False, "restricted_categories": ["air_and_berth"], "listings": []}
    carrier = api.client.post(f"{V1}/partner/checks", headers={"X-API-Key": api.partner_key("carrier")},
                            json={"identifier": debtor["identifier"], "purpose": "check-in"})
    assert (carrier.status_code, carrier.json()["code"]) == (403, "scope_missing")
    with api.accounts.engine.connect() as conn:
        entry = conn.execute(select(t.audit_log).where(t.audit_log.c.action == "partner.check")).one()
    assert entry.actor.startswith("partner:") and entry.subject_id == party and entry.purpose == "air ticket sale"
    assert debtor["identifier"] not in str(entry) and "钱七" not in str(entry)


def test_session_cookies_are_secure_and_unsafe_requests_need_the_csrf_token(api_sqlite):
    username = api_sqlite.user("clerk")
    browser = TestClient(api_sqlite.app, base_url="https://testserver")
    signed_in = browser.post(f"{V1}/auth/session", json={"username": username, "password": PASSWORD})
    assert signed_in.status_code == 200
    cookie = next(h for h in signed_in.headers.get_list("set-cookie") if h.startswith("keepword_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    csrf = signed_in.json()["csrf_token"]
    assert browser.get(f"{V1}/cases").status_code == 200  # safe methods need no token

    from api_support import case_body
    without = browser.post(f"{V1}/cases", json=case_body())
    assert (without.status_code, without.json()["code"]) == (403, "csrf_failed")
    forged = browser.post(f"{V1}/cases", json=case_body(), headers={"X-CSRF-Token": "0" * 64})
    assert forged.status_code == 403
    assert browser.post(f"{V1}/cases", json=case_body(), headers={"X-CSRF-Token": csrf}).status_code == 201

    browser.post(f"{V1}/auth/logout", headers={"X-CSRF-Token": csrf})
    assert browser.get(f"{V1}/cases").status_code == 401


def test_bearer_tokens_are_rejected_once_revoked_or_unknown(api_sqlite):
    username = api_sqlite.user("officer")
    token = api_sqlite.tokens[username]
    headers = {"Authorization": f"Bearer {token}"}
    assert api_sqlite.client.get(f"{V1}/auth/whoami", headers=headers).json()["roles"] == ["officer"]
    assert api_sqlite.client.post(f"{V1}/auth/logout", headers=headers).status_code == 204
    after = api_sqlite.client.get(f"{V1}/cases", headers=headers)
    assert (after.status_code, after.json()["code"]) == (401, "authentication_failed")
    assert after.headers["www-authenticate"].startswith("Bearer")
    assert api_sqlite.client.get(f"{V1}/cases", headers={"Authorization": "Basic abc"}).status_code == 401


def test_public_and_partner_routes_are_rate_limited_with_retry_after(ctx, engine, clock):
    api = make_api(engine, clock, rate_limit_public_per_minute=3, rate_limit_partner_per_minute=2)
    answers = [api.client.get(f"{V1}/public/listings").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = api.client.get(f"{V1}/public/listings")
    assert limited.json()["code"] == "rate_limited" and 1 <= int(limited.headers["retry-after"]) <= 20
    key = {"X-API-Key": api.partner_key("bank")}
    partner = [api.client.get(f"{V1}/public/listings", headers=key).status_code for _ in range(3)]
    assert partner == [200, 200, 429], "a partner has its own bucket"
    assert api.client.get("/health").status_code == 200, "health is not limited"
