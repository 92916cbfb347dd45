"""The partner screening API: one decision per record from the in-memory index, scoped, audited."""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api_support import Api, add_courts, framework_only
from api_support import test_settings as settings_for_tests
from factories import credit_code, id_number
from feed_support import listed_debtor
from keepword.accounts.partners import create_partner
from keepword.bootstrap import build_context
from keepword.screening import IndexHolder, RegistryEntry, ScreeningIndex, hmac_key
from keepword.store import tables as t
from keepword.store.database import make_engine, migrate
from keepword.web.app import create_app

CHECK = "/api/v1/screening/check"
BATCH = "/api/v1/screening/batch"
SECRET = "partner-shared-secret-for-tests"
LISTED_ID = id_number(date(1980, 5, 17))
REVIEW_BIRTH = date(1975, 6, 7)
ORG_CODE = credit_code()
REPRESENTATIVE_ID = id_number(date(1970, 4, 5))
UNLISTED_ID = id_number(date(1990, 1, 2))
PURPOSE = {"purpose": "account opening"}


def registry() -> list[RegistryEntry]:
    return [
        RegistryEntry("E-ZHANG", "person", "张三", LISTED_ID, date(1980, 5, 17)),
        RegistryEntry("E-LI", "person", "李四", "", REVIEW_BIRTH),
        RegistryEntry("E-ORG", "organization", "杭州某某贸易有限公司", ORG_CODE,
                      bound_persons=(("legal_representative", REPRESENTATIVE_ID),)),
    ]


def screening_api(engine, clock, holder: IndexHolder | None, **settings) -> Api:
    settings = settings_for_tests(**settings)
    app = create_app(settings, engine=engine, clock=clock, screening_holder=holder)
    return Api(client=TestClient(app, base_url="https://testserver"), app=app,
               accounts=app.state.keepword.accounts, settings=settings)


@pytest.fixture
def sqlite_engine(tmp_path, clock):
    engine = make_engine(f"sqlite:///{tmp_path / 'screening.db'}")
    migrate(engine)
    add_courts(build_context(engine, clock=clock))
    yield engine
    engine.dispose()


@pytest.fixture
def api(sqlite_engine, clock) -> Api:
    """The app on SQLite with an injected index (privacy mode on): for what does not depend on the database."""
    return screening_api(sqlite_engine, clock, IndexHolder(ScreeningIndex.build(registry(), secret=SECRET)))


@pytest.fixture
def bank(api) -> dict:
    return {"X-API-Key": api.partner_key("bank")}


def check(api: Api, headers: dict, **record) -> dict:
    response = api.client.post(CHECK, json={**PURPOSE, **record}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_listed_id_number_matches_and_the_answer_names_the_index(api, bank):
    answer = check(api, bank, record_id="c-1", id_number=LISTED_ID, name="张三")
    assert (answer["decision"], answer["entry_id"], answer["score"], answer["code"]) == (
        "match", "E-ZHANG", 100.0, "identifier_listed")
    assert answer["record_id"] == "c-1" and "ID number is on the list" in answer["reason"]
    assert answer["index"] == {"generation": 0, "feed_position": None, "entries": 3}
    bound = check(api, bank, id_number=REPRESENTATIVE_ID)
    assert (bound["decision"], bound["entry_id"]) == ("match", "E-ORG")
    assert "legal representative" in bound["reason"]
    assert check(api, bank, id_number=ORG_CODE)["decision"] == "match"
    assert check(api, bank, id_number=UNLISTED_ID)["decision"] == "no_match"


def test_the_same_name_and_birth_date_is_a_review_and_a_namesake_is_no_match(api, bank):
    review = check(api, bank, name="李四", birth_date=REVIEW_BIRTH.isoformat())
    assert (review["decision"], review["entry_id"], review["code"]) == ("review", "E-LI", "name_and_birth")
    assert review["score"] >= 85 and "human review" in review["reason"]
    namesake = check(api, bank, name="李四", birth_date="1991-01-01")
    assert (namesake["decision"], namesake["code"], namesake["entry_id"]) == ("no_match", "namesake_other_birth", "")
    assert check(api, bank, name="李四")["code"] == "name_only", "a name alone never reviews"


def test_an_invalid_check_digit_is_answered_invalid_with_the_field_and_the_reason(api, bank):
    wrong = LISTED_ID[:17] + ("0" if LISTED_ID[17] != "0" else "1")
    answer = check(api, bank, id_number=wrong)
    assert (answer["decision"], answer["code"]) == ("invalid", "invalid_checksum")
    assert answer["reason"].startswith("id_number is not valid (checksum)") and LISTED_ID[17] in answer["reason"]
    bad_date = check(api, bank, name="李四", birth_date="1975-13-07")
    assert (bad_date["decision"], bad_date["code"]) == ("invalid", "invalid_birth_date")
    assert "birth_date" in bad_date["reason"]


def test_a_batch_of_ten_thousand_is_answered_in_order_and_one_more_is_refused(api, bank):
    records = [{"record_id": f"r{i}", "id_number": UNLISTED_ID} for i in range(10_000)]
    records[17] = {"record_id": "listed", "id_number": LISTED_ID}
    records[42] = {"record_id": "typo", "kind": "robot", "name": "王五"}
    records[43] = {"record_id": "extra", "id_number": LISTED_ID, "phone": "13812345678"}
    records[44] = "not an object"
    records[45] = {"record_id": 'a "quoted"\\ 客户\n', "id_number": UNLISTED_ID}
    response = api.client.post(BATCH, json={**PURPOSE, "records": records}, headers=bank)
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    assert [r["record_id"] for r in body["results"][:3]] == ["r0", "r1", "r2"] and len(body["results"]) == 10_000
    assert body["results"][17]["decision"] == "match"
    assert (body["results"][42]["decision"], body["results"][42]["code"]) == ("invalid", "invalid_kind")
    assert body["results"][42]["reason"].startswith("kind:")
    assert body["results"][43]["reason"].startswith("phone: unknown field")
    assert body["results"][44]["decision"] == "invalid"
    assert body["results"][45]["record_id"] == 'a "quoted"\\ 客户', "echoed as sent (trimmed)"
    assert body["counts"] == {"match": 1, "invalid": 3, "no_match": 9_996}

    too_many = api.client.post(BATCH, json={**PURPOSE, "records": records + [records[0]]}, headers=bank)
    assert too_many.status_code == 422
    problem = too_many.json()
    assert problem["field"] == "records" and "at most 10,000 records per request, got 10,001" in problem["detail"]


def test_privacy_mode_finds_a_listed_identifier_by_its_keyed_digest(api, bank, sqlite_engine, clock):
    answer = check(api, bank, record_id="p-1", digest=hmac_key(SECRET, LISTED_ID))
    assert (answer["decision"], answer["entry_id"]) == ("match", "E-ZHANG")
    assert check(api, bank, digest=hmac_key(SECRET, UNLISTED_ID))["decision"] == "no_match"
    assert check(api, bank, digest=hmac_key("another secret", LISTED_ID))["decision"] == "no_match"
    mixed = check(api, bank, digest=hmac_key(SECRET, LISTED_ID), name="张三")
    assert (mixed["decision"], mixed["code"]) == ("invalid", "invalid_digest")

    without_secret = screening_api(sqlite_engine, clock, IndexHolder(ScreeningIndex.build(registry())))
    refused = without_secret.client.post(CHECK, json={**PURPOSE, "digest": hmac_key(SECRET, LISTED_ID)}, headers=bank)
    assert refused.status_code == 422 and refused.json()["code"] == "digest_lookup_unavailable"


def test_only_partners_with_the_check_scope_may_screen(api, bank):
    carrier = {"X-API-Key": create_partner(api.accounts, "a carrier", "carrier", actor="test").key}
    refused = api.client.post(CHECK, json={**PURPOSE, "id_number": LISTED_ID}, headers=carrier)
    assert refused.status_code == 403 and refused.json()["code"] == "scope_missing"
    for role in ("officer", "judge"):
        staff = api.client.post(BATCH, json={**PURPOSE, "records": []}, headers=api.headers(role))
        assert staff.status_code == 403 and staff.json()["code"] == "permission_denied"
    assert api.client.post(CHECK, json={**PURPOSE, "id_number": LISTED_ID}).status_code == 401


def test_every_request_is_audited_without_the_identifiers_sent(engine, clock):
    api = screening_api(engine, clock, IndexHolder(ScreeningIndex.build(registry(), secret=SECRET)))
    key = api.partner_key("bank")
    records = [{"record_id": "cust-1", "id_number": LISTED_ID, "name": "张三"},
               {"record_id": "cust-2", "name": "李四", "birth_date": REVIEW_BIRTH.isoformat()},
               {"record_id": "cust-3", "id_number": UNLISTED_ID},
               {"record_id": LISTED_ID, "id_number": LISTED_ID},   # a partner keying records by ID number
               {"record_id": "cust-5", "digest": hmac_key(SECRET, REPRESENTATIVE_ID)}]
    response = api.client.post(BATCH, json={"purpose": "loan application", "records": records},
                               headers={"X-API-Key": key})
    assert response.status_code == 200
    check(api, {"X-API-Key": key}, id_number=LISTED_ID)

    with engine.connect() as conn:
        rows = conn.execute(select(t.audit_log).where(t.audit_log.c.action.like("screening.%"))
                            .order_by(t.audit_log.c.seq)).all()
    assert [row.action for row in rows] == ["screening.batch", "screening.check"]
    batch, single = rows
    assert batch.actor.startswith("partner:") and batch.purpose == "loan application"
    assert batch.details["records"] == 5
    assert batch.details["decisions"] == {"match": 3, "no_match": 1, "review": 1}
    assert batch.details["match"] == [{"record": "cust-1", "entry": "E-ZHANG"}, {"record": "#4", "entry": "E-ZHANG"},
                                      {"record": "cust-5", "entry": "E-ORG"}]
    assert batch.details["review"] == [{"record": "cust-2", "entry": "E-LI"}]
    assert (single.subject_type, single.subject_id, single.purpose) == ("party", "E-ZHANG", "account opening")
    written = json.dumps([dict(row._mapping) for row in rows], default=str, ensure_ascii=False)
    for personal in (LISTED_ID, UNLISTED_ID, REPRESENTATIVE_ID, "张三", "李四", REVIEW_BIRTH.isoformat(),
                     hmac_key(SECRET, REPRESENTATIVE_ID)):
        assert personal not in written


def test_the_app_loads_the_index_from_the_database_and_answers_503_until_then(engine, ctx, clock):
    debtor = listed_debtor(ctx, ringback=False).debtors[0].party
    api = screening_api(engine, clock, None, screening_live_index=True)
    bank = {"X-API-Key": api.partner_key("bank")}
    loading = api.client.post(CHECK, json={**PURPOSE, "id_number": debtor.id_number}, headers=bank)
    assert loading.status_code == 503 and loading.headers["Retry-After"] == "5"
    assert loading.json()["code"] == "screening_unavailable"

    with api.client:  # the app starts: the index is built from the database in the background
        deadline = time.monotonic() + 30
        while (answer := api.client.post(CHECK, json={**PURPOSE, "id_number": debtor.id_number},
                                         headers=bank)).status_code == 503:
            assert time.monotonic() < deadline, "the index never loaded"
            time.sleep(0.05)
        body = answer.json()
        assert (body["decision"], body["entry_id"]) == ("match", debtor.id)
        assert body["index"]["feed_position"] > 0 and body["index"]["generation"] == 1


def test_a_server_without_the_live_index_says_so(api_off):
    response = api_off.client.post(CHECK, json={**PURPOSE, "id_number": LISTED_ID},
                                   headers={"X-API-Key": api_off.partner_key("bank")})
    assert response.status_code == 503 and "Retry-After" not in response.headers
    assert "KEEPWORD_SCREENING_LIVE_INDEX" in response.json()["detail"]


@pytest.fixture
def api_off(sqlite_engine, clock) -> Api:
    return screening_api(sqlite_engine, clock, None)


def test_a_malformed_request_is_refused_naming_the_field(api, bank):
    wrong_type = api.client.post(CHECK, json={**PURPOSE, "name": 5}, headers=bank)
    assert wrong_type.status_code == 422 and wrong_type.json()["field"] == "name"
    no_purpose = api.client.post(BATCH, json={"records": []}, headers=bank)
    assert no_purpose.status_code == 422 and no_purpose.json()["field"] == "purpose"
    not_json = api.client.post(CHECK, content=b"{", headers={**bank, "Content-Type": "application/json"})
    assert not_json.status_code == 422 and not_json.json()["code"] == "validation_failed"


def test_the_lean_check_path_answers_as_the_framework_route_would(api, bank):
    """POST /check is answered in front of the framework's middleware; the route behind it stays the
    reference: same statuses, codes, bodies and headers."""
    route = framework_only(api)
    carrier = {"X-API-Key": create_partner(api.accounts, "a carrier", "carrier", actor="test").key}
    cases = [
        ({**PURPOSE, "id_number": LISTED_ID}, bank),
        ({**PURPOSE, "id_number": UNLISTED_ID}, bank),
        ({**PURPOSE, "id_number": LISTED_ID[:-1] + ("0" if LISTED_ID[-1] != "0" else "1")}, bank),
        ({**PURPOSE, "name": "李四", "birth_date": REVIEW_BIRTH.isoformat()}, bank),
        ({**PURPOSE, "name": 5}, bank),
        ({"id_number": LISTED_ID}, bank),
        ({**PURPOSE, "id_number": LISTED_ID}, {"X-API-Key": "kwp_unknown"}),
        ({**PURPOSE, "id_number": LISTED_ID}, {}),
        ({**PURPOSE, "id_number": LISTED_ID}, carrier),
        ({**PURPOSE, "id_number": LISTED_ID}, api.headers("judge")),
    ]
    for body, headers in cases:
        lean, framework = (client.post(CHECK, json=body, headers=headers) for client in (api.client, route))
        assert lean.status_code == framework.status_code, body
        assert lean.headers["content-type"] == framework.headers["content-type"]
        assert lean.headers["cache-control"] == framework.headers["cache-control"] == "no-store"
        assert lean.headers.get("www-authenticate") == framework.headers.get("www-authenticate")
        if lean.status_code == 200:
            assert lean.json() == framework.json()
        else:
            assert lean.json()["code"] == framework.json()["code"]
            assert lean.json().get("field") == framework.json().get("field")


def test_a_check_body_over_the_limit_is_refused_before_it_is_read(api, bank):
    body = json.dumps({**PURPOSE, "name": "张" * 40_000}).encode()
    response = api.client.post(CHECK, content=body, headers={**bank, "Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"
    assert "/batch" in response.json()["detail"]


def test_a_fault_in_a_check_is_a_500_problem_without_its_message(api, bank, monkeypatch, caplog):
    def broken_today():
        raise RuntimeError(f"secret detail {LISTED_ID}")

    monkeypatch.setattr(api.app.state.screening, "today", broken_today)
    response = api.client.post(CHECK, json={**PURPOSE, "id_number": LISTED_ID}, headers=bank)
    assert response.status_code == 500 and response.json()["code"] == "internal_error"
    assert response.headers["cache-control"] == "no-store"
    assert LISTED_ID not in response.text and LISTED_ID not in caplog.text
