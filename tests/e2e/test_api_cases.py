"""Cases over HTTP: register, read with ETag, If-Match, problem details, filters and cursor pagination."""

from __future__ import annotations

from api_support import api, case_body, person_body, register  # noqa: F401
from factories import id_number

V1 = "/api/v1"


def debtor_of(case: dict) -> str:
    return next(p["party_id"] for p in case["parties"] if p["role"] == "debtor")


def test_registered_case_reads_back_with_amounts_as_strings_and_its_version_as_etag(api):
    clerk = api.headers("clerk")
    case = register(api, clerk, amount="1234.50")
    response = api.client.get(f"{V1}/cases/{case['id']}", headers=clerk)
    assert response.status_code == 200
    assert response.headers["etag"] == f'"{case["version"]}"'
    body = response.json()
    assert (body["obligation"], body["paid"], body["outstanding"]) == ("1234.50", "0.00", "1234.50")
    assert body["warned_on"] == "2024-03-04"


def test_if_match_with_a_stale_version_is_refused_412_and_nothing_changes(api, clock):
    clerk = api.headers("clerk")
    case = register(api, clerk)
    clock.advance(minutes=1)  # the version moves with updated_at: a change at the same instant would not bump it
    url = f"{V1}/cases/{case['id']}/payments"
    first = api.client.post(url, json={"amount": "100.00", "paid_on": "2024-03-04"},
                            headers={**clerk, "If-Match": case_etag(case)})
    assert first.status_code == 201
    assert first.headers["etag"] == f'"{case["version"] + 1}"'
    stale = api.client.post(url, json={"amount": "200.00", "paid_on": "2024-03-04"},
                            headers={**clerk, "If-Match": case_etag(case)})
    assert stale.status_code == 412
    assert stale.json()["code"] == "concurrency_conflict"
    assert stale.json()["current_version"] == case["version"] + 1
    now = api.client.get(f"{V1}/cases/{case['id']}", headers=clerk).json()
    assert now["paid"] == "100.00"


def case_etag(case: dict) -> str:
    return f'"{case["version"]}"'


def test_errors_are_problem_details_with_a_stable_code_and_the_field(api):
    clerk = api.headers("clerk")
    good = id_number()
    wrong_check = good[:17] + ("1" if good[17] != "1" else "2")
    bad_id = api.client.post(f"{V1}/cases", headers=clerk, json=case_body(debtor=person_body(identifier=wrong_check)))
    assert bad_id.status_code == 422
    assert bad_id.headers["content-type"].startswith("application/problem+json")
    problem = bad_id.json()
    assert problem["code"] == "invalid_identifier"
    assert problem["field"] == "id_number" and problem["reason"] == "checksum"
    assert {"type", "title", "status", "detail", "instance"} <= problem.keys() and problem["status"] == 422

    missing = api.client.post(f"{V1}/cases", headers=clerk, json={**case_body(), "amount": 100.5})
    assert missing.status_code == 422
    assert missing.json()["code"] == "validation_failed" and missing.json()["field"] == "amount"

    unknown = api.client.get(f"{V1}/cases/nope", headers=clerk)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")

    duplicate = case_body()
    register(api, clerk, case_number=duplicate["case_number"])
    again = api.client.post(f"{V1}/cases", headers=clerk, json=duplicate)
    assert (again.status_code, again.json()["code"], again.json()["field"]) == (409, "already_exists", "case_number")

    not_listable = api.client.post(f"{V1}/cases/{register(api, clerk)['id']}/close", headers=api.headers("officer"),
                                   json={"outcome": "fulfilled"})
    assert (not_listable.status_code, not_listable.json()["code"]) == (422, "validation_failed")
    assert not_listable.json()["field"] == "outcome"


def test_staff_of_another_court_neither_see_nor_change_a_case(api):
    case = register(api, api.headers("clerk"))
    other = api.headers("officer", court="330100")
    assert api.client.get(f"{V1}/cases/{case['id']}", headers=other).status_code == 404
    response = api.client.post(f"{V1}/cases/{case['id']}/warning", headers=other)
    assert response.status_code == 404
    wrong_court = api.client.post(f"{V1}/cases", headers=api.headers("clerk", court="330100"), json=case_body())
    assert (wrong_court.status_code, wrong_court.json()["field"]) == (403, "court_id")


def test_cursor_pagination_returns_every_case_once_in_order(api):
    clerk = api.headers("clerk")
    created = {register(api, clerk)["id"] for _ in range(13)}
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = api.client.get(f"{V1}/cases", params=params, headers=clerk).json()
        seen.extend(item["id"] for item in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 4
    assert len(seen) == len(set(seen)) == 13 and set(seen) == created
    assert seen == sorted(seen, reverse=True)
    bad = api.client.get(f"{V1}/cases", params={"cursor": "garbage!"}, headers=clerk)
    assert (bad.status_code, bad.json()["field"]) == (422, "cursor")


def test_filters_an_officer_uses(api):
    clerk, officer = api.headers("clerk"), api.headers("officer")
    wang = person_body(name="王小明")
    target = register(api, clerk, debtor=wang)
    register(api, clerk, debtor=person_body(name="李四"))
    closed = register(api, clerk)
    api.client.post(f"{V1}/cases/{closed['id']}/payments", headers=clerk,
                    json={"amount": closed["obligation"], "paid_on": "2024-03-04"})

    def ids(**params):
        response = api.client.get(f"{V1}/cases", params=params, headers=officer)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids(identifier=wang["identifier"].lower()) == [target["id"]]
    assert ids(name="小明") == [target["id"]]
    assert ids(status="closed") == [closed["id"]]
    assert closed["id"] not in ids(status="open")
    assert ids(court="330102", name="王") == [target["id"]]
    # A published listing whose deletion falls due gives the case a deadline.
    listing = publish(api, target)
    api.client.post(f"{V1}/listings/{listing}/objections", headers=officer,
                    json={"kind": "wrong_details", "statement": "the amount is wrong"})
    assert ids(deadline_before="2024-04-30") == [target["id"]]
    assert ids(deadline_before="2024-03-05") == []
    assert api.client.get(f"{V1}/cases", params={"court": "330000"}, headers=officer).status_code == 403


def publish(api, case: dict) -> str:
    """Propose, decide (a judge) and serve a listing of the case's debtor; returns the listing id."""
    officer, judge = api.headers("officer"), api.headers("judge")
    proposed = api.client.post(f"{V1}/cases/{case['id']}/listings", headers=officer,
                               json={"debtor_id": debtor_of(case), "grounds": [3]})
    assert proposed.status_code == 201, proposed.text
    listing = proposed.json()["listings"][-1]["id"]
    decided = api.client.post(f"{V1}/listings/{listing}/decision", headers=judge, json={"reason": "hides assets"})
    assert decided.status_code == 200, decided.text
    served = api.client.post(f"{V1}/listings/{listing}/service", headers=officer, json={"served_on": "2024-03-04"})
    assert served.json()["listings"][-1]["state"] == "published"
    return listing


def test_the_listing_lifecycle_over_http_and_the_public_list(api):
    clerk, officer = api.headers("clerk"), api.headers("officer")
    debtor = person_body(name="赵六")
    case = register(api, clerk, debtor=debtor)
    bars = api.client.get(f"{V1}/cases/{case['id']}/listing-bars", headers=officer,
                          params={"debtor_id": debtor_of(case), "grounds": [1, 3]}).json()
    assert bars == {"bars": [], "allowed": True}
    proposed = api.client.post(f"{V1}/cases/{case['id']}/listings", headers=officer,
                               json={"debtor_id": debtor_of(case), "grounds": [3]}).json()
    listing = proposed["listings"][0]["id"]
    by_officer = api.client.post(f"{V1}/listings/{listing}/decision", headers=officer, json={"reason": "hides assets"})
    assert by_officer.status_code == 403, "only judges decide"
    api.client.post(f"{V1}/listings/{listing}/decision", headers=api.headers("judge"), json={"reason": "hides assets"})
    api.client.post(f"{V1}/listings/{listing}/service", headers=officer, json={"served_on": "2024-03-04"})

    public = api.client.get(f"{V1}/public/listings").json()["items"]
    assert [p["listing_id"] for p in public] == [listing]
    entry = public[0]
    assert entry["name"] == "赵六" and entry["court"] == "杭州市上城区人民法院"
    assert entry["id_number_masked"] == debtor["identifier"][:10] + "****" + debtor["identifier"][14:17] + "*"
    assert debtor["identifier"] not in str(public) and "phones" not in entry and "address" not in entry
    found = api.client.get(f"{V1}/public/listings", params={"identifier": debtor["identifier"]}).json()["items"]
    assert [p["listing_id"] for p in found] == [listing]

    paid = api.client.post(f"{V1}/cases/{case['id']}/payments", headers=clerk,
                           json={"amount": case["obligation"], "paid_on": "2024-03-04"}).json()
    assert paid["status"] == "closed" and paid["listings"][0]["state"] == "deleted"
    assert api.client.get(f"{V1}/public/listings").json()["items"] == []


def test_an_appeal_is_decided_by_a_judge_of_the_higher_court_only(api):
    clerk, officer = api.headers("clerk"), api.headers("officer")
    case = register(api, clerk)
    listing = publish(api, case)
    filed = api.client.post(f"{V1}/listings/{listing}/objections", headers=officer,
                            json={"kind": "should_not_be_listed", "statement": "the debtor has no means"}).json()
    objection = filed["listings"][0]["objections"][0]["id"]
    dismissed = api.client.post(f"{V1}/listings/{listing}/objections/{objection}/decision",
                                headers=api.headers("judge"), json={"upheld": False, "note": "means were found"})
    assert dismissed.status_code == 200, dismissed.text
    appealed = api.client.post(f"{V1}/listings/{listing}/objections/{objection}/appeal", headers=officer)
    assert appealed.status_code == 200, appealed.text
    decision = {"upheld": True, "reason": "the means found belong to a third party"}
    own_court = api.client.post(f"{V1}/listings/{listing}/objections/{objection}/appeal-decision",
                                headers=api.headers("judge"), json=decision)
    assert own_court.status_code == 404, "the listing court does not hear the appeal against its own ruling"
    higher = api.client.post(f"{V1}/listings/{listing}/objections/{objection}/appeal-decision",
                             headers=api.headers("judge", court="330100"), json=decision)
    assert higher.status_code == 200, higher.text
    decided = higher.json()["listings"][0]
    assert decided["objections"][0]["appeal_upheld"] is True and decided["state"] != "published"
    too_long = api.client.post(f"{V1}/listings/{listing}/objections/{objection}/appeal-decision",
                               headers=api.headers("judge", court="330100"), json={"upheld": True, "reason": "x" * 4001})
    assert too_long.status_code == 422 and "reason" in too_long.json()["detail"]


def test_text_with_a_nul_character_is_refused_on_every_database_and_names_the_field(api):
    clerk = api.headers("clerk")
    case = register(api, clerk)
    paid = api.client.post(f"{V1}/cases/{case['id']}/payments", headers=clerk,
                           json={"amount": "1.00", "paid_on": "2024-03-04", "note": "paid in\u0000cash"})
    assert paid.status_code == 422 and paid.json()["field"] == "note" and "NUL" in paid.json()["detail"]
    named = api.client.post(f"{V1}/cases", headers=clerk, json=case_body(debtor=person_body(name="张\u0000三")))
    assert named.status_code == 422 and "NUL" in named.json()["detail"]
    after = api.client.get(f"{V1}/cases/{case['id']}", headers=api.headers("officer")).json()
    assert after["version"] == case["version"] and after["payments"] == [], "nothing written"
