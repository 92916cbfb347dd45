"""Debtor self-service over HTTP: sign-in with a one-time code, the own record and what ends the listing,
an objection and the appeal against its dismissal (in time, late, someone else's), and the deletion followed
until every partner has acknowledged it."""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, select

from factories import new_case, person, published
from keepword.accounts.partners import create_partner
from keepword.services import cases as case_services
from keepword.services import listings as listing_services
from keepword.services.debtor_access import MAX_ATTEMPTS
from keepword.store import tables as t
from portal_demo import AS_OF, build_demo_portal, csrf_of


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    built = build_demo_portal(tmp_path_factory.mktemp("debtor"))
    built.people = built.published_people()
    yield built
    built.engine.dispose()


def sign_in(portal, row):
    client = portal.client()
    sent = client.post("/debtor/code", data={"case_number": row.case_number, "identifier": row.id_number},
                       headers={"HX-Request": "true"})
    assert sent.status_code == 200 and "<html" not in sent.text
    response = client.post("/debtor/sign-in", data={"case_number": row.case_number, "identifier": row.id_number,
                                                    "code": portal.sms.last_code()}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/debtor", response.text
    return client


def test_a_code_goes_to_the_phone_on_record_and_signs_the_debtor_in(portal):
    row = portal.people[0]
    before = len(portal.sms.messages)
    client = sign_in(portal, row)
    phone, text = portal.sms.messages[before]
    assert phone == row.phones[0] and row.case_number in text
    record = client.get("/debtor")
    assert record.status_code == 200 and row.name in record.text and row.case_number in record.text
    assert 'id="what-ends"' in record.text and 'id="outstanding"' in record.text
    stored = portal.rows(select(t.debtor_codes.c.code_hash))
    assert portal.sms.last_code() not in " ".join(r[0] for r in stored), "codes are kept hashed"


def test_a_code_request_that_matches_nothing_looks_the_same_and_sends_nothing(portal):
    row = portal.people[1]
    client = portal.client()
    before = len(portal.sms.messages)
    wrong_id = row.id_number[:-1] + ("0" if row.id_number[-1] != "0" else "1")
    match = client.post("/debtor/code", data={"case_number": row.case_number, "identifier": row.id_number})
    other = client.post("/debtor/code", data={"case_number": row.case_number, "identifier": wrong_id})
    assert match.status_code == other.status_code == 200
    assert match.text == other.text
    assert len(portal.sms.messages) == before + 1


def test_wrong_codes_burn_the_code_and_an_expired_code_fails(portal):
    row = portal.people[2]
    client = portal.client()
    client.post("/debtor/code", data={"case_number": row.case_number, "identifier": row.id_number})
    code = portal.sms.last_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(MAX_ATTEMPTS):
        failed = client.post("/debtor/sign-in", data={"case_number": row.case_number, "identifier": row.id_number,
                                                      "code": wrong}, follow_redirects=False)
        assert failed.status_code == 401
    burnt = client.post("/debtor/sign-in", data={"case_number": row.case_number, "identifier": row.id_number,
                                                 "code": code}, follow_redirects=False)
    assert burnt.status_code == 401, "five wrong tries burn even the right code"

    client.post("/debtor/code", data={"case_number": row.case_number, "identifier": row.id_number})
    fresh = portal.sms.last_code()
    portal.clock.advance(minutes=11)
    try:
        late = client.post("/debtor/sign-in", data={"case_number": row.case_number, "identifier": row.id_number,
                                                    "code": fresh}, follow_redirects=False)
    finally:
        portal.clock.advance(minutes=-11)
    assert late.status_code == 401


def test_the_debtor_files_an_objection_and_sees_its_deadline(portal):
    row = portal.people[3]
    client = sign_in(portal, row)
    form = client.get("/debtor/objection")
    assert form.status_code == 200 and 'name="kind"' in form.text
    filed = client.post("/debtor/objection", data={"csrf_token": csrf_of(client), "listing_id": row.id,
                                                   "kind": "wrong_details", "statement": "我的身份证号码登记有误"},
                        follow_redirects=True)
    assert filed.status_code == 200
    review_due = portal.rows(select(t.objections.c.review_due).where(t.objections.c.listing_id == row.id))[0][0]
    assert review_due >= AS_OF + timedelta(days=15)
    assert f"{review_due.year}年{review_due.month}月{review_due.day}日" in filed.text
    assert "/debtor/objection" not in filed.text, "one objection at a time"
    missing = client.post("/debtor/objection", data={"csrf_token": csrf_of(client), "listing_id": row.id,
                                                     "kind": "wrong_details", "statement": ""})
    assert missing.status_code == 422


def test_a_debtor_sees_only_their_own_record(portal):
    row = portal.people[4]
    client = sign_in(portal, row)
    other = portal.people[0]
    assert other.case_number not in client.get("/debtor").text
    assert client.get("/officer", follow_redirects=False).status_code == 403
    anonymous = portal.client().get("/debtor", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/debtor/sign-in")


def test_the_deletion_is_followed_until_every_partner_acknowledged(portal):
    row = portal.people[5] if len(portal.people) > 5 else portal.people[4]
    partner = create_partner(portal.accounts, "某征信有限公司", "credit_bureau", actor="test")
    client = sign_in(portal, row)
    outstanding = portal.rows(select(t.cases.c.obligation_cents).where(t.cases.c.id == row.case_id))[0][0]
    paid = sum(r[0] for r in portal.rows(select(t.payments.c.amount_cents).where(t.payments.c.case_id == row.case_id)))
    case_services.record_payment(portal.app.state.keepword.ctx, row.case_id, amount=str(outstanding - paid),
                                 paid_on=AS_OF, by="user:test")
    page = client.get("/debtor").text
    assert 'id="partner-progress"' in page and "某征信有限公司" in page
    assert "0 / 1" in page
    deleted = portal.rows(select(t.outbox.c.event_id, t.outbox.c.seq).where(
        t.outbox.c.case_id == row.case_id, t.outbox.c.type == "ListingDeleted"))
    with portal.engine.begin() as conn:
        for event_id, seq in deleted:
            conn.execute(insert(t.feed_acks).values(partner_id=partner.partner_id, event_id=event_id,
                                                    event_type="ListingDeleted", position=seq,
                                                    acked_at=portal.clock.now(), actor="partner:test"))
    assert "所有协作单位均已确认执行删除" in client.get("/debtor").text


def test_a_judge_decides_the_debtors_objection_and_the_debtor_reads_the_outcome(portal):
    row = portal.people[3]  # objected in test_the_debtor_files_an_objection_and_sees_its_deadline
    objection_id = portal.rows(select(t.objections.c.id).where(t.objections.c.listing_id == row.id))[0][0]
    judge = portal.staff("objection-judge", ["judge"], row.court_id)
    assert "/act/objection" in judge.get(f"/officer/cases/{row.case_id}").text
    data = {"csrf_token": csrf_of(judge), "objection_id": objection_id, "upheld": "no", "note": "登记无误",
            "correction": ""}
    confirm = judge.post(f"/officer/cases/{row.case_id}/act/objection/confirm", data=data)
    assert confirm.status_code == 200 and "10" in confirm.text
    version = re.search(r'name="version" value="(\d+)"', confirm.text).group(1)
    done = judge.post(f"/officer/cases/{row.case_id}/act/objection", data={**data, "version": version},
                      follow_redirects=True)
    assert 'data-event="ObjectionDecided"' in done.text
    debtor = sign_in(portal, row)
    assert "向上一级人民法院申请复议" in debtor.get("/debtor").text


def _listed_debtor(portal, name: str) -> SimpleNamespace:
    """A person published today in a case of their own (shaped like a row of ``published_people``)."""
    debtor = person(name, phones=["13900139000"])
    case = new_case(AS_OF, debtors=[debtor], court_id=portal.people[0].court_id)
    listing = published(case, AS_OF, (4,))
    with portal.app.state.keepword.ctx.uow() as uow:
        uow.cases.add(case)
        uow.commit()
    return SimpleNamespace(id=listing.id, case_id=case.id, case_number=case.case_number, court_id=case.court_id,
                           name=name, id_number=debtor.id_number, phones=debtor.phones)


def _dismissed_objection(portal, row) -> tuple[str, date]:
    """The court dismissed an objection against ``row``'s listing today: (objection id, last day to appeal)."""
    ctx = portal.app.state.keepword.ctx
    listing_services.file_objection(ctx, row.id, kind="should_not_be_listed", statement="我已提供担保",
                                    by=f"debtor:{row.id}")
    objection_id = portal.rows(select(t.objections.c.id).where(t.objections.c.listing_id == row.id))[0][0]
    listing_services.decide_objection(ctx, row.id, objection_id, upheld=False, note="担保不足", by="user:judge")
    until = portal.rows(select(t.objections.c.appeal_until).where(t.objections.c.id == objection_id))[0][0]
    return objection_id, until


def _chinese(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_the_debtor_appeals_a_dismissed_objection_within_the_time_limit(portal):
    row = _listed_debtor(portal, "秦复议")
    objection_id, until = _dismissed_objection(portal, row)
    client = sign_in(portal, row)
    assert 'href="/debtor/appeal"' in client.get("/debtor").text
    form = client.get("/debtor/appeal")
    assert form.status_code == 200 and f'value="{objection_id}"' in form.text
    assert _chinese(until) in form.text and "担保不足" in form.text, "the deadline and the court's reasons"

    filed = client.post("/debtor/appeal", data={"csrf_token": csrf_of(client), "objection_id": objection_id},
                        follow_redirects=True)
    assert filed.status_code == 200 and "您的复议申请已提交" in filed.text
    appealed_on, due = portal.rows(select(t.objections.c.appealed_on, t.objections.c.appeal_due)
                                   .where(t.objections.c.id == objection_id))[0]
    assert appealed_on == AS_OF and _chinese(due) in filed.text, "the record says when the higher court decides"
    again = client.post("/debtor/appeal", data={"csrf_token": csrf_of(client), "objection_id": objection_id})
    assert again.status_code == 422, "one appeal per dismissal"

    officer = portal.staff("appeal-officer", ["officer"], row.court_id)
    timeline = officer.get(f"/officer/cases/{row.case_id}").text
    assert "已申请复议" in timeline and due.isoformat() in timeline, "the case timeline shows the appeal and its deadline"


def test_a_late_appeal_is_refused_with_the_deadline_shown(portal):
    row = _listed_debtor(portal, "秦逾期")
    objection_id, until = _dismissed_objection(portal, row)
    portal.clock.advance(days=(until - AS_OF).days + 1)
    try:
        client = sign_in(portal, row)
        form = client.get("/debtor/appeal")
        assert f"申请复议的期限已于 {_chinese(until)} 届满" in form.text
        assert "提交复议申请" not in form.text, "no button to file a late appeal"
        late = client.post("/debtor/appeal", data={"csrf_token": csrf_of(client), "objection_id": objection_id})
    finally:
        portal.clock.advance(days=-((until - AS_OF).days + 1))
    assert late.status_code == 422
    assert f"申请复议的期限已于 {_chinese(until)} 届满，逾期不能再申请复议" in late.text
    assert portal.rows(select(t.objections.c.appealed_on).where(t.objections.c.id == objection_id))[0][0] is None


def test_a_debtor_cannot_appeal_another_debtors_objection_nor_take_an_officers_step(portal):
    victim, intruder = _listed_debtor(portal, "秦本人"), _listed_debtor(portal, "秦他人")
    objection_id, _until = _dismissed_objection(portal, victim)
    client = sign_in(portal, intruder)
    assert objection_id not in client.get("/debtor/appeal").text
    refused = client.post("/debtor/appeal", data={"csrf_token": csrf_of(client), "objection_id": objection_id})
    assert refused.status_code == 422 and "请选择您被驳回的纠正申请" in refused.text
    assert portal.rows(select(t.objections.c.appealed_on).where(t.objections.c.id == objection_id))[0][0] is None
    for path in (f"/officer/cases/{victim.case_id}/act/revoke", f"/officer/cases/{intruder.case_id}/act/correct"):
        assert client.get(path, follow_redirects=False).status_code == 403
