"""Who sees what: supervisors their subtree of courts, debtors their own record and nothing else."""

from __future__ import annotations

from api_support import api, person_body, register  # noqa: F401

V1 = "/api/v1"


def debtor_of(case: dict) -> str:
    return next(p["party_id"] for p in case["parties"] if p["role"] == "debtor")


def test_a_supervisor_sees_the_courts_below_and_nothing_above_and_changes_nothing(api):
    basic = register(api, api.headers("clerk", court="330102"), court="330102")
    intermediate = register(api, api.headers("clerk", court="330100"), court="330100")
    high = register(api, api.headers("clerk", court="330000"), court="330000")
    supervisor = api.headers("supervisor", court="330100")
    listed = {c["id"] for c in api.client.get(f"{V1}/cases", headers=supervisor).json()["items"]}
    assert listed == {basic["id"], intermediate["id"]}
    assert api.client.get(f"{V1}/cases/{basic['id']}", headers=supervisor).status_code == 200
    assert api.client.get(f"{V1}/cases/{high['id']}", headers=supervisor).status_code == 404
    assert api.client.get(f"{V1}/parties/{debtor_of(high)}", headers=supervisor).status_code == 404
    assert api.client.get(f"{V1}/parties/{debtor_of(basic)}", headers=supervisor).json()["case_ids"] == [basic["id"]]
    paying = api.client.post(f"{V1}/cases/{basic['id']}/payments", headers=supervisor,
                             json={"amount": "1.00", "paid_on": "2024-03-04"})
    assert paying.status_code == 403
    basic_clerk = api.headers("clerk", court="330102")
    assert {c["id"] for c in api.client.get(f"{V1}/cases", headers=basic_clerk).json()["items"]} == {basic["id"]}


def _published(api, case: dict) -> str:
    officer = api.headers("officer")
    listing = api.client.post(f"{V1}/cases/{case['id']}/listings", headers=officer,
                              json={"debtor_id": debtor_of(case), "grounds": [3]}).json()["listings"][-1]["id"]
    api.client.post(f"{V1}/listings/{listing}/decision", headers=api.headers("judge"), json={"reason": "hides assets"})
    api.client.post(f"{V1}/listings/{listing}/service", headers=officer, json={"served_on": "2024-03-04"})
    return listing


def test_a_debtor_sees_and_objects_to_their_own_record_only(api):
    clerk = api.headers("clerk")
    mine = register(api, clerk, debtor=person_body(name="孙八"))
    theirs = register(api, clerk, debtor=person_body(name="周九"))
    my_listing, their_listing = _published(api, mine), _published(api, theirs)
    me = api.debtor_client(debtor_of(mine), mine["id"])

    record = me.get(f"{V1}/me").json()
    assert record["party"]["name"] == "孙八"
    assert [c["id"] for c in record["cases"]] == [mine["id"]]
    assert [l["id"] for l in record["cases"][0]["listings"]] == [my_listing]
    assert "周九" not in str(record)
    assert me.get(f"{V1}/cases/{theirs['id']}").status_code == 403
    assert me.get(f"{V1}/cases/{mine['id']}").status_code == 403, "debtors read their record through /me"

    objection = {"kind": "wrong_details", "statement": "I paid part of it"}
    assert me.post(f"{V1}/listings/{their_listing}/objections", json=objection).status_code == 404
    filed = me.post(f"{V1}/listings/{my_listing}/objections", json=objection)
    assert filed.status_code == 201
    assert filed.json()["listings"][0]["objections"][0]["statement"] == "I paid part of it"


def test_the_export_holds_everything_on_the_debtor_and_who_read_it(api):
    clerk, officer = api.headers("clerk"), api.headers("officer")
    case = register(api, clerk, debtor=person_body(name="吴十"))
    _published(api, case)
    api.client.get(f"{V1}/cases/{case['id']}", headers=officer, params={"purpose": "asset search"})
    me = api.debtor_client(debtor_of(case), case["id"])
    export = me.get(f"{V1}/me/export")
    assert export.status_code == 200
    data = export.json()
    assert data["party"]["name"] == "吴十" and data["party"]["id_number"]
    assert [c["id"] for c in data["cases"]] == [case["id"]]
    assert {"DebtorListed", "RestrictionOrdered"} <= {e["type"] for e in data["events_sent_to_partners"]}
    reads = [a for a in data["who_accessed_your_record"] if a["action"] == "read.case"]
    assert reads and reads[0]["purpose"] == "asset search" and reads[0]["actor"].startswith("user:")
    auditor = api.headers("auditor", court=None)
    entries = api.client.get(f"{V1}/audit", headers=auditor, params={"subject_id": debtor_of(case)}).json()["items"]
    assert "export.me" in [e["action"] for e in entries]
