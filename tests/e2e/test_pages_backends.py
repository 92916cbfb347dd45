"""The portal's own queries and records on both databases (SQLite and PostgreSQL): a published listing
found by the public, paid off by an officer, followed by the debtor, counted on the dashboard; and the due-process
steps (extension, correction, the debtor's appeal, revocation)."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient

from factories import new_case, person, published
from keepword.accounts.users import create_user
from keepword.domain.dates import add_months
from keepword.services import listings as listing_services
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


def _step(client: TestClient, case_id: str, action: str, data: dict) -> str:
    data = {"csrf_token": csrf_of(client), **data}
    confirm = client.post(f"/officer/cases/{case_id}/act/{action}/confirm", data=data)
    assert confirm.status_code == 200, confirm.text
    done = client.post(f"/officer/cases/{case_id}/act/{action}", data={**data, "version": hidden(confirm.text, "version")},
                       follow_redirects=True)
    assert done.status_code == 200
    return done.text


def test_due_process_steps_on_each_database(ctx, engine, clock):
    """A term extended, details corrected, an appeal filed by the debtor, then the listing revoked."""
    debtor = person("赵复议", phones=["13800138001"])
    case = new_case(DAY, debtors=[debtor])
    listing = published(case, DAY, (2,))
    with ctx.uow() as uow:
        uow.cases.add(case)
        uow.commit()
    app = create_app(portal_settings(), engine=engine, clock=clock)
    app.state.portal_sms = sms = CapturingSmsSender()
    judge = _signed_in(app, "due-process-judge", ["judge"], "330102")
    officer = _signed_in(app, "due-process-officer", ["officer"], "330102")

    extended = _step(judge, case.id, "extend", {"listing_id": listing.id, "months": "12", "reason": "暴力抗拒执行"})
    assert 'data-event="ListingTermExtended"' in extended and add_months(listing.expires_on, 12).isoformat() in extended
    corrected = _step(officer, case.id, "correct", {"listing_id": listing.id, "correction": "案号更正"})
    assert 'data-event="ListingCorrected"' in corrected

    filed = listing_services.file_objection(ctx, listing.id, kind="should_not_be_listed", statement="不应纳入",
                                            by="debtor:x")
    objection_id = filed.listing(listing.id).objections[0].id
    listing_services.decide_objection(ctx, listing.id, objection_id, upheld=False, note="理由不成立", by="user:judge")
    client = TestClient(app)
    client.post("/debtor/code", data={"case_number": case.case_number, "identifier": debtor.id_number})
    client.post("/debtor/sign-in", data={"case_number": case.case_number, "identifier": debtor.id_number,
                                         "code": sms.last_code()})
    appealed = client.post("/debtor/appeal", data={"csrf_token": csrf_of(client), "objection_id": objection_id},
                           follow_redirects=True)
    assert appealed.status_code == 200 and "您的复议申请已提交" in appealed.text

    revoked = _step(judge, case.id, "revoke", {"listing_id": listing.id, "reason": "纳入错误"})
    assert 'data-event="ListingRevoked"' in revoked
    timeline = judge.get(f"/officer/cases/{case.id}").text
    for shown in ("期限已延长", "信息已更正", "已申请复议", "失信信息已撤销"):
        assert shown in timeline
    gone = TestClient(app).post("/search", data={"name": "赵复议", "identifier": debtor.id_number})
    assert case.case_number not in gone.text, "a revoked listing is no longer public"
