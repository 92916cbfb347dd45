"""Appeals in the portal: the listing court decides an objection once; the appeal against its dismissal
goes to a judge of a court above it (RULES.md section 1 rule 11), never back to the listing court, and
never to a court beside it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select

from factories import new_case, person, published
from keepword.services import listings as listing_services
from keepword.store import tables as t
from portal_demo import AS_OF, build_demo_portal, csrf_of, hidden

LISTING_COURT = "110108"       # 北京市海淀区人民法院 (basic)
INTERMEDIATE = "110100"        # 北京市第一中级人民法院, above it
HIGH = "110000"                # 北京市高级人民法院, above both
SIBLING = "110107"             # 北京市石景山区人民法院, beside the listing court
OTHER_INTERMEDIATE = "110200"  # 北京市第二中级人民法院, not above it
ELSEWHERE = "330100"           # 杭州市中级人民法院


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    built = build_demo_portal(tmp_path_factory.mktemp("appeals"), cases=40)
    yield built
    built.engine.dispose()


def _events(html: str) -> list[str]:
    return re.findall(r'data-event="(\w+)"', html)


def _day(value) -> str:
    return format_date(value, format="medium", locale="zh_Hans_CN")


def _appealed(portal, name: str, kind: str = "should_not_be_listed", days_ago: int = 0):
    """A published listing in the listing court whose objection the court dismissed and the debtor appealed
    ``days_ago`` days before today: (case id, listing id, objection id, case number)."""
    ctx = portal.app.state.keepword.ctx
    case = new_case(AS_OF - timedelta(days=days_ago + 5), debtors=[person(name)], court_id=LISTING_COURT)
    listing = published(case, AS_OF - timedelta(days=days_ago + 5), (4,))
    with ctx.uow() as uow:
        uow.cases.add(case)
        uow.commit()
    today = portal.clock.at
    portal.clock.at = today - timedelta(days=days_ago)
    try:
        filed = listing_services.file_objection(ctx, listing.id, kind=kind, statement="已提供充分担保", by="debtor:x")
        objection_id = filed.listing(listing.id).objections[-1].id
        listing_services.decide_objection(ctx, listing.id, objection_id, upheld=False, note="担保不足以清偿债务",
                                          by="user:listing-judge")
        listing_services.appeal_objection(ctx, listing.id, objection_id, by="debtor:x")
    finally:
        portal.clock.at = today
    return case.id, listing.id, objection_id, case.case_number


def _decide(client, objection_id: str, data: dict):
    base = f"/officer/appeals/{objection_id}/decide"
    confirm = client.post(f"{base}/confirm", data={"csrf_token": csrf_of(client), **data})
    assert confirm.status_code == 200, confirm.text
    done = client.post(base, data={"csrf_token": csrf_of(client), **data, "version": hidden(confirm.text, "version")},
                       follow_redirects=True)
    return confirm, done


def test_the_listing_courts_judge_decides_an_objection_but_not_the_appeal_against_their_dismissal(portal):
    ctx = portal.app.state.keepword.ctx
    case = new_case(AS_OF - timedelta(days=5), debtors=[person("任驳回")], court_id=LISTING_COURT)
    listing = published(case, AS_OF - timedelta(days=5), (4,))
    with ctx.uow() as uow:
        uow.cases.add(case)
        uow.commit()
    filed = listing_services.file_objection(ctx, listing.id, kind="should_not_be_listed", statement="已履行",
                                            by="debtor:x")
    objection_id = filed.listing(listing.id).objections[-1].id
    judge = portal.staff("listing-judge", ["judge"], LISTING_COURT)
    assert f"/officer/cases/{case.id}/act/objection" in judge.get(f"/officer/cases/{case.id}").text
    data = {"csrf_token": csrf_of(judge), "objection_id": objection_id, "upheld": "no", "note": "未提交履行凭证",
            "correction": ""}
    confirm = judge.post(f"/officer/cases/{case.id}/act/objection/confirm", data=data)
    assert "10 日内向上一级人民法院申请复议" in confirm.text, "the confirmation says where an appeal goes"
    judge.post(f"/officer/cases/{case.id}/act/objection", data={**data, "version": hidden(confirm.text, "version")})
    listing_services.appeal_objection(ctx, listing.id, objection_id, by="debtor:x")

    case_page = judge.get(f"/officer/cases/{case.id}").text
    assert f"/officer/cases/{case.id}/act/objection" not in case_page, "nothing left for the listing court to decide"
    assert "申请复议" in case_page, "the case page says the appeal is with the higher court"
    assert objection_id not in judge.get(f"/officer/cases/{case.id}/act/objection").text
    again = judge.post(f"/officer/cases/{case.id}/act/objection/confirm", data={**data, "upheld": "yes"})
    assert again.status_code == 422 and 'id="e-objection_id"' in again.text
    assert judge.get(f"/officer/appeals/{objection_id}/decide").status_code == 404
    assert case.case_number not in judge.get("/officer").text, "an appeal is not the listing court's to review"


def test_a_judge_of_the_court_above_decides_the_appeal_and_the_case_timeline_shows_it(portal):
    case_id, listing_id, objection_id, number = _appealed(portal, "任上诉")
    judge = portal.staff("appeal-judge", ["judge"], INTERMEDIATE)
    assert 'href="/officer/appeals"' in judge.get("/officer").text, "the console links to the appeals"
    listed = judge.get("/officer/appeals")
    assert listed.status_code == 200
    row = re.search(rf'<tr[^>]*data-appeal="{objection_id}">(.*?)</tr>', listed.text, re.S).group(1)
    for shown in ("任上诉", number, "北京市海淀区人民法院", "我不应被纳入失信名单", "担保不足以清偿债务"):
        assert shown in row, shown
    appealed_on, due = portal.rows(select(t.objections.c.appealed_on, t.objections.c.appeal_due)
                                   .where(t.objections.c.id == objection_id))[0]
    assert _day(appealed_on) in row and _day(due) in row, "the filing date and the deadline"
    assert "已逾期" not in row

    form = judge.get(f"/officer/appeals/{objection_id}/decide")
    assert form.status_code == 200 and "担保不足以清偿债务" in form.text, "the dismissal's reasons beside the form"
    no_reason = judge.post(f"/officer/appeals/{objection_id}/decide/confirm",
                           data={"csrf_token": csrf_of(judge), "decision": "uphold", "reason": ""})
    assert no_reason.status_code == 422 and 'id="e-reason"' in no_reason.text

    confirm, done = _decide(judge, objection_id, {"decision": "uphold", "reason": "担保足额，不应纳入"})
    assert "撤销失信信息" in confirm.text, "upholding says what follows: the listing is revoked"
    assert portal.rows(select(t.listings.c.state).where(t.listings.c.id == listing_id))[0][0] == "revoked"
    assert _events(done.text) == ["AppealDecided", "ListingRevoked"]
    assert objection_id not in judge.get("/officer/appeals").text, "a decided appeal leaves the list"
    assert judge.get(f"/officer/appeals/{objection_id}/decide").status_code == 404, "decided once"

    listing_court = portal.staff("timeline-judge", ["judge"], LISTING_COURT)
    timeline = listing_court.get(f"/officer/cases/{case_id}").text
    assert "复议已决定" in timeline and "担保足额，不应纳入" in timeline
    decided_by = portal.rows(select(t.objections.c.appeal_decided_by).where(t.objections.c.id == objection_id))[0][0]
    assert decided_by.startswith("user:") and decided_by != "user:listing-judge"


def test_dismissing_an_appeal_keeps_the_listing_and_an_overdue_appeal_is_marked(portal):
    _case_id, listing_id, objection_id, _number = _appealed(portal, "任逾期", days_ago=20)
    judge = portal.staff("high-judge", ["judge"], HIGH)
    listed = judge.get("/officer/appeals").text
    row = re.search(rf'<tr([^>]*)data-appeal="{objection_id}">(.*?)</tr>', listed, re.S)
    assert 'class="overdue"' in row.group(1) and "已逾期" in row.group(2)
    assert "件已逾期" in judge.get("/officer").text, "the start page counts the overdue appeals"

    confirm, done = _decide(judge, objection_id, {"decision": "dismiss", "reason": "原驳回决定正确"})
    assert "维持不变" in confirm.text and "已逾期" in confirm.text
    assert _events(done.text) == ["AppealDecided"]
    assert portal.rows(select(t.listings.c.state).where(t.listings.c.id == listing_id))[0][0] == "published"


def test_judges_beside_or_outside_the_line_of_courts_above_cannot_see_or_decide_the_appeal(portal):
    _case_id, listing_id, objection_id, number = _appealed(portal, "任旁观")
    base = f"/officer/appeals/{objection_id}/decide"
    data = {"decision": "uphold", "reason": "越权"}
    for username, court in (("sibling-judge", SIBLING), ("other-judge", OTHER_INTERMEDIATE),
                            ("far-judge", ELSEWHERE)):
        judge = portal.staff(username, ["judge"], court)
        assert number not in judge.get("/officer/appeals").text, court
        assert judge.get(base).status_code == 404, court
        assert judge.post(f"{base}/confirm", data={"csrf_token": csrf_of(judge), **data}).status_code == 404, court
        step = judge.post(base, data={"csrf_token": csrf_of(judge), **data, "version": "1"})
        assert step.status_code == 404, court
        assert judge.get(f"/officer/appeals/{objection_id}/done").status_code == 404, court
    officer = portal.staff("above-officer", ["officer"], INTERMEDIATE)
    assert officer.get("/officer/appeals").status_code == 403, "judges decide appeals"
    assert officer.get(base).status_code == 403
    assert portal.rows(select(t.objections.c.appeal_decided_on).where(t.objections.c.id == objection_id))[0][0] is None
    assert portal.rows(select(t.listings.c.state).where(t.listings.c.id == listing_id))[0][0] == "published"
