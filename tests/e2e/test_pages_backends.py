"""The portal's own queries and records on both databases (SQLite and PostgreSQL): a published listing
found by the public, paid off by an officer, followed by the debtor, counted on the dashboard."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient

from factories import new_case, person, published
from keepword.accounts.users import create_user
from keepword.services.debtor_access import CapturingSmsSender
from keepword.web.app import create_app
from portal_demo import PASSWORD, csrf_of, hidden, portal_settings

DAY = date(2024, 3, 4)  # the ``clock`` fixture's day


def _signed_in(app, username: str, roles: list[str], court: str) -> TestClient:
    create_user(app.state.keepword.accounts, username, PASSWORD, roles, court, actor="test")
    client = TestClient(app)
    assert client.post("/login", data={"username": username, "password": PASSWORD},
                       follow_redirects=False).status_code == 303
    return client


def test_the_portal_round_trip_on_each_database(ctx, engine, clock):
    debtor = person("李明", phones=["13800138000"])
    case = new_case(DAY, debtors=[debtor], amount="5000.00")
    listing = published(case, DAY)
    with ctx.uow() as uow:
        uow.cases.add(case)
        uow.commit()
    app = create_app(portal_settings(), engine=engine, clock=clock)
    app.state.portal_sms = sms = CapturingSmsSender()

    public = TestClient(app).post("/search", data={"name": "李明", "identifier": debtor.id_number})
    assert case.case_number in public.text and debtor.id_number not in public.text
    by_province = TestClient(app).post("/search", data={"name": "李明", "province": "浙江"})
    assert case.case_number in by_province.text

    client = TestClient(app)
    client.post("/debtor/code", data={"case_number": case.case_number, "identifier": debtor.id_number})
    assert client.post("/debtor/sign-in", data={"case_number": case.case_number, "identifier": debtor.id_number,
                                                "code": sms.last_code()}, follow_redirects=False).status_code == 303
    sent = client.post("/debtor/evidence", data={"csrf_token": csrf_of(client), "amount": "5000.00",
                                                 "paid_on": DAY.isoformat(), "reference": "BOC-1"},
                       files={"scan": ("r.pdf", b"%PDF-1.4 receipt", "application/pdf")}, follow_redirects=False)
    assert sent.status_code == 303

    officer = _signed_in(app, "backend-officer", ["clerk", "officer"], "330102")
    start = officer.get("/officer")
    assert case.case_number in start.text, "the proof awaits review"
    assert case.case_number in officer.get("/officer/cases", params={"name": "李", "status": "open"}).text
    evidence_id = re.search(r"/officer/evidence/(\w+)/review", officer.get(f"/officer/cases/{case.id}").text).group(1)
    assert officer.get(f"/officer/evidence/{evidence_id}/file").content == b"%PDF-1.4 receipt"
    data = {"csrf_token": csrf_of(officer), "decision": "accept", "amount": "5000.00", "paid_on": DAY.isoformat(),
            "note": ""}
    confirm = officer.post(f"/officer/evidence/{evidence_id}/review/confirm", data=data)
    done = officer.post(f"/officer/evidence/{evidence_id}/review", data={**data, "version": hidden(confirm.text, "version")},
                        follow_redirects=True)
    assert 'data-event="ListingDeleted"' in done.text

    record = client.get("/debtor").text
    assert "0.00 CNY" in record and listing.id not in record
    gone = TestClient(app).post("/search", data={"name": "李明", "identifier": debtor.id_number})
    assert case.case_number not in gone.text, "a deleted listing is no longer public"

    supervisor = _signed_in(app, "backend-supervisor", ["supervisor"], "330000")
    dashboard = supervisor.get("/supervisor")
    assert dashboard.status_code == 200 and dashboard.text.count("<svg") == 3
    assert "2024-03" in dashboard.text
