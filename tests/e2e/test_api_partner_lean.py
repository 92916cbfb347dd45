"""POST /api/v1/partner/checks is answered in front of the framework when the request is well formed and
permitted; the route stays the reference: same statuses, codes, details and bodies for every caller."""

from __future__ import annotations

import json
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api_support import api, framework_only, person_body, register  # noqa: F401
from keepword.services import listings, restrictions
from keepword.store import tables as t

V1 = "/api/v1"
TODAY = date(2024, 3, 4)


def listed_debtor(api) -> str:
    """The ID number of a debtor with a published listing and a restriction."""
    debtor = person_body(name="钱七")
    case = register(api, api.headers("clerk"), debtor=debtor)
    ctx = api.app.state.keepword.ctx
    party = next(p["party_id"] for p in case["parties"] if p["role"] == "debtor")
    listing = listings.propose_listing(ctx, case["id"], debtor_id=party, grounds=[1], by="user:officer").listings[0]
    listings.decide_listing(ctx, listing.id, signed_by="user:judge", signer_role="judge", reason="hides assets")
    listings.serve_decision(ctx, listing.id, served_on=TODAY, by="user:officer")
    restrictions.order_restriction(ctx, case["id"], debtor_id=party, by="user:officer")
    return debtor["identifier"]


def test_the_lean_partner_check_answers_as_the_framework_route_would(api):
    identifier = listed_debtor(api)
    route = framework_only(api)
    bank, carrier = {"X-API-Key": api.partner_key("bank")}, {"X-API-Key": api.partner_key("carrier")}
    asks = [
        (bank, {"identifier": identifier, "purpose": "loan application"}),
        (bank, {"identifier": identifier.lower(), "purpose": "loan application"}),
        (bank, {"identifier": "110101199003074514", "purpose": "loan application"}),
        (bank, {"identifier": identifier, "purpose": "no"}),
        (bank, {"identifier": identifier}),
        (bank, {"identifier": "x" * 31, "purpose": "loan application"}),
        (bank, {"identifier": identifier, "purpose": "loan application", "extra": 1}),
        (bank, "not json"),
        (carrier, {"identifier": identifier, "purpose": "check-in"}),
        ({"X-API-Key": "kwk_unknown"}, {"identifier": identifier, "purpose": "loan application"}),
        (api.headers("officer"), {"identifier": identifier, "purpose": "loan application"}),
        ({}, {"identifier": identifier, "purpose": "loan application"}),
        ({}, "not json"),
    ]
    statuses = set()
    for headers, body in asks:
        sent = {"content": body, "headers": {**headers, "content-type": "application/json"}} if isinstance(body, str) \
            else {"json": body, "headers": headers}
        lean, framework = (client.post(f"{V1}/partner/checks", **sent) for client in (api.client, route))
        assert lean.status_code == framework.status_code, (headers, body, lean.text)
        statuses.add(lean.status_code)
        assert lean.headers.get("content-type") == framework.headers.get("content-type")
        assert lean.headers.get("www-authenticate") == framework.headers.get("www-authenticate")
        if lean.status_code == 200:
            assert lean.content == framework.content
        else:
            assert {k: lean.json().get(k) for k in ("code", "field", "detail", "errors")} == \
                   {k: framework.json().get(k) for k in ("code", "field", "detail", "errors")}, (headers, body)
    assert statuses == {200, 401, 403, 422}

    answer = api.client.post(f"{V1}/partner/checks", headers=bank,
                             json={"identifier": identifier, "purpose": "loan application"}).json()
    assert answer["listed"] is True and answer["restricted_categories"] and len(answer["listings"]) == 1
    assert identifier not in json.dumps(answer, ensure_ascii=False), "the ID number is masked"


def test_every_answered_lean_check_is_audited_and_refusals_are_not_answered_twice(api):
    identifier = listed_debtor(api)
    bank = {"X-API-Key": api.partner_key("bank")}
    for i in range(3):
        assert api.client.post(f"{V1}/partner/checks", headers=bank,
                               json={"identifier": identifier, "purpose": f"loan {i}"}).status_code == 200
    refused = api.client.post(f"{V1}/partner/checks", headers=bank, json={"identifier": identifier})
    assert refused.status_code == 422 and refused.json()["code"] == "validation_failed"
    with api.accounts.engine.connect() as conn:
        purposes = conn.execute(select(t.audit_log.c.purpose).where(t.audit_log.c.action == "partner.check")
                                .order_by(t.audit_log.c.seq)).scalars().all()
        checks = conn.execute(select(func.count()).where(t.audit_log.c.action == "partner.check")).scalar_one()
    assert purposes == ["loan 0", "loan 1", "loan 2"] and checks == 3


def test_a_permitted_check_is_answered_without_the_framework_and_a_refusal_by_it(api):
    from keepword.web.api.partner import LeanPartnerCheck

    reached = []

    async def framework(scope, receive, send):
        reached.append((await receive())["body"])  # the body the lean path read, handed on
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    lean = LeanPartnerCheck(framework)

    async def app(scope, receive, send):
        scope["app"] = api.app
        await lean(scope, receive, send)

    client = TestClient(app, base_url="https://testserver")
    identifier = listed_debtor(api)
    bank = {"X-API-Key": api.partner_key("bank")}
    answered = client.post(f"{V1}/partner/checks", headers=bank, json={"identifier": identifier, "purpose": "loan"})
    assert answered.status_code == 200 and answered.json()["listed"] is True and reached == []
    refused = client.post(f"{V1}/partner/checks", json={"identifier": identifier, "purpose": "loan"})
    assert refused.status_code == 418 and json.loads(reached[0]) == {"identifier": identifier, "purpose": "loan"}


def test_an_error_in_a_step_of_the_lean_check_is_the_framework_s_to_answer(api, monkeypatch):
    """A step that fails without refusing (here the caller's key cannot be resolved) hands the request on, with its
    body, instead of escaping the app's error handling."""
    from keepword.web.api import partner
    from keepword.web.api.partner import LeanPartnerCheck

    async def unavailable(request):
        raise OSError("the accounts database did not answer")

    monkeypatch.setattr(partner, "current_principal", unavailable)
    reached = []

    async def framework(scope, receive, send):
        reached.append((await receive())["body"])
        await send({"type": "http.response.start", "status": 503, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    client = TestClient(LeanPartnerCheck(framework), base_url="https://testserver")
    answer = client.post(f"{V1}/partner/checks", headers={"X-API-Key": api.partner_key("bank")},
                         json={"identifier": listed_debtor(api), "purpose": "loan"})
    assert answer.status_code == 503 and json.loads(reached[0])["purpose"] == "loan"
