"""The officer console over HTTP: what is due, a payment from form to confirmation to what followed,
the listing steps with their bars, a proof of payment reviewed, a term extended, a listing corrected and
revoked, and the limits of each role."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from factories import new_case, person, published
from keepword.domain.dates import add_months
from keepword.services import cases as case_services
from keepword.services import listings as listing_services
from keepword.store import tables as t
from portal_demo import AS_OF, build_demo_portal, csrf_of, hidden


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    built = build_demo_portal(tmp_path_factory.mktemp("officer"))
    built.people = built.published_people()  # as generated: each test takes its own person
    assert len(built.people) >= 5
    yield built
    built.engine.dispose()


def _events(html: str) -> list[str]:
    return re.findall(r'data-event="(\w+)"', html)


def _case_form(client, case_id: str, action: str) -> tuple[str, dict]:
    page = client.get(f"/officer/cases/{case_id}/act/{action}")
    assert page.status_code == 200, page.text
    return page.text, {"csrf_token": csrf_of(client)}


def test_a_full_payment_is_confirmed_first_then_deletes_the_listing_and_shows_what_followed(portal):
    row = portal.people[0]
    officer = portal.staff("pay-officer", ["clerk", "officer"], row.court_id)
    form, data = _case_form(officer, row.case_id, "payment")
    outstanding = re.search(r'name="amount" value="([0-9.]+)"', form).group(1)
    payer = re.search(r'name="payer_id"[^>]*>\s*<option value="(\w+)"', form).group(1)
    data.update(amount=outstanding, paid_on=AS_OF.isoformat(), payer_id=payer, note="")

    confirm = officer.post(f"/officer/cases/{row.case_id}/act/payment/confirm", data=data)
    assert confirm.status_code == 200
    assert "fully performed" in confirm.text or "全部履行" in confirm.text
    assert "2026-06-15" in confirm.text, "the deletion deadline: 3 working days after 10 June 2026"
    before = portal.rows(select(t.listings.c.state).where(t.listings.c.id == row.id))[0][0]
    assert before == "published", "the confirmation changes nothing"

    done = officer.post(f"/officer/cases/{row.case_id}/act/payment",
                        data={**data, "version": hidden(confirm.text, "version")}, follow_redirects=True)
    assert done.status_code == 200
    assert _events(done.text)[:3] == ["PaymentRecorded", "CaseFulfilled", "CaseClosed"]
    assert {"DeletionScheduled", "ListingDeleted", "RestrictionLifted"} <= set(_events(done.text))
    state, due = portal.rows(select(t.listings.c.state, t.listings.c.deletion_due).where(t.listings.c.id == row.id))[0]
    assert state == "deleted" and due.isoformat() == "2026-06-15"

    payments = len(portal.rows(select(t.payments.c.id).where(t.payments.c.case_id == row.case_id)))
    again = officer.post(f"/officer/cases/{row.case_id}/act/payment",
                         data={**data, "version": hidden(confirm.text, "version")})
    assert again.status_code == 422, "a replayed confirmation cannot pay twice"
    assert len(portal.rows(select(t.payments.c.id).where(t.payments.c.case_id == row.case_id))) == payments


def test_the_start_page_lists_what_is_due_in_the_officers_court_only(portal):
    proposal = portal.rows(select(t.listings.c.case_id, t.cases.c.court_id, t.cases.c.case_number)
                           .join(t.cases, t.cases.c.id == t.listings.c.case_id)
                           .where(t.listings.c.state.in_(("proposed", "decided", "served"))))
    assert proposal, "the demo has listings in progress"
    case_id, court_id, number = proposal[0]
    mine = portal.staff("due-officer", ["officer"], court_id)
    assert number in mine.get("/officer").text
    other_court = "110108" if court_id != "110108" else "110107"
    theirs = portal.staff("due-other", ["officer"], other_court)
    assert number not in theirs.get("/officer").text
    assert theirs.get(f"/officer/cases/{case_id}").status_code == 404


def test_case_search_filters_by_number_name_identifier_and_state(portal):
    row = portal.people[1]
    officer = portal.staff("search-officer", ["officer"], row.court_id)
    by_id = officer.get("/officer/cases", params={"identifier": row.id_number})
    assert row.case_number in by_id.text
    by_name = officer.get("/officer/cases", params={"name": row.name[:2], "listing_state": "published"})
    assert row.case_number in by_name.text
    assert row.case_number not in officer.get("/officer/cases", params={"listing_state": "revoked",
                                                                      "identifier": row.id_number}).text


def test_proposing_shows_the_bars_before_submitting_and_a_judge_decides_then_service_publishes(portal):
    l, c, cp = t.listings.c, t.cases.c, t.case_parties.c
    listed = {r[0] for r in portal.rows(select(l.debtor_id).where(l.state.in_(("proposed", "decided", "served",
                                                                                  "published"))))}
    candidates = [r for r in portal.rows(select(c.id, c.court_id, cp.party_id).join(t.case_parties, cp.case_id == c.id)
                                         .where(c.status == "open", c.warned_on.is_not(None), cp.role == "debtor"))
                  if r.party_id not in listed]
    case_id, court_id, debtor_id = candidates[0]
    officer = portal.staff("propose-officer", ["officer"], court_id)
    _, data = _case_form(officer, case_id, "propose")
    bars = officer.post(f"/officer/cases/{case_id}/bars", data={**data, "debtor_id": debtor_id, "grounds": ["4"]},
                        headers={"HX-Request": "true"})
    assert bars.status_code == 200 and "<html" not in bars.text, "an htmx fragment"
    assert 'class="bars-none"' in bars.text
    data.update(debtor_id=debtor_id, grounds=["4"], applicant_id="", note="hid the asset report")
    confirm = officer.post(f"/officer/cases/{case_id}/act/propose/confirm", data=data)
    assert confirm.status_code == 200
    officer.post(f"/officer/cases/{case_id}/act/propose", data={**data, "version": hidden(confirm.text, "version")})
    listing_id = portal.rows(select(l.id).where(l.case_id == case_id, l.debtor_id == debtor_id,
                                                l.state == "proposed"))[0][0]
    assert officer.get(f"/officer/cases/{case_id}/act/decide").status_code == 403, "officers do not sign"

    judge = portal.staff("propose-judge", ["judge"], court_id)
    _, data = _case_form(judge, case_id, "decide")
    data.update(listing_id=listing_id, decision="list", reason="did not report assets", grace_months="0")
    confirm = judge.post(f"/officer/cases/{case_id}/act/decide/confirm", data=data)
    judge.post(f"/officer/cases/{case_id}/act/decide", data={**data, "version": hidden(confirm.text, "version")})
    _, data = _case_form(officer, case_id, "serve")
    data.update(listing_id=listing_id, served_on=AS_OF.isoformat())
    confirm = officer.post(f"/officer/cases/{case_id}/act/serve/confirm", data=data)
    assert "published at once" in confirm.text or "立即公布" in confirm.text
    done = officer.post(f"/officer/cases/{case_id}/act/serve", data={**data, "version": hidden(confirm.text, "version")},
                        follow_redirects=True)
    assert "DebtorListed" in _events(done.text)
    assert portal.rows(select(l.state).where(l.id == listing_id))[0][0] == "published"


def test_a_confirmation_made_stale_by_someone_else_is_refused(portal):
    row = portal.people[2]
    officer = portal.staff("stale-officer", ["clerk"], row.court_id)
    form, data = _case_form(officer, row.case_id, "payment")
    payer = re.search(r'name="payer_id"[^>]*>\s*<option value="(\w+)"', form).group(1)
    data.update(amount="1.00", paid_on=AS_OF.isoformat(), payer_id=payer)
    confirm = officer.post(f"/officer/cases/{row.case_id}/act/payment/confirm", data=data)
    case_services.record_payment(portal.app.state.keepword.ctx, row.case_id, amount="2.00", paid_on=AS_OF,
                                 by="user:someone-else")
    before = portal.rows(select(t.payments.c.id).where(t.payments.c.case_id == row.case_id))
    stale = officer.post(f"/officer/cases/{row.case_id}/act/payment",
                         data={**data, "version": hidden(confirm.text, "version")})
    assert stale.status_code == 422 and "他人修改了本案" in stale.text
    assert portal.rows(select(t.payments.c.id).where(t.payments.c.case_id == row.case_id)) == before


def test_a_debtors_proof_of_payment_is_reviewed_and_recorded(portal):
    row = portal.people[3]
    debtor = portal.client()
    portal.app.state.portal.debtor_access.request_code(row.case_number, row.id_number)
    signed = debtor.post("/debtor/sign-in", data={"case_number": row.case_number, "identifier": row.id_number,
                                                  "code": portal.sms.last_code()}, follow_redirects=False)
    assert signed.status_code == 303
    sent = debtor.post("/debtor/evidence", data={"csrf_token": csrf_of(debtor), "amount": "100.00",
                                                 "paid_on": AS_OF.isoformat(), "reference": "ICBC-778899"},
                       files={"scan": ("receipt.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png")},
                       follow_redirects=False)
    assert sent.status_code == 303, sent.text
    clerk = portal.staff("evidence-clerk", ["clerk"], row.court_id)
    assert row.case_number in clerk.get("/officer").text
    evidence_id = portal.rows(select(t.payment_evidence.c.id).where(t.payment_evidence.c.case_id == row.case_id))[0][0]
    scan = clerk.get(f"/officer/evidence/{evidence_id}/file")
    assert scan.status_code == 200 and scan.content.startswith(b"\x89PNG")
    form = clerk.get(f"/officer/evidence/{evidence_id}/review")
    data = {"csrf_token": csrf_of(clerk), "decision": "accept", "amount": "100.00", "paid_on": AS_OF.isoformat(),
            "note": ""}
    confirm = clerk.post(f"/officer/evidence/{evidence_id}/review/confirm", data=data)
    assert form.status_code == confirm.status_code == 200 and "ICBC-778899" in confirm.text
    done = clerk.post(f"/officer/evidence/{evidence_id}/review", data={**data, "version": hidden(confirm.text, "version")},
                      follow_redirects=True)
    assert "PaymentRecorded" in _events(done.text)
    assert portal.rows(select(t.payment_evidence.c.status).where(t.payment_evidence.c.id == evidence_id))[0][0] == "accepted"
    assert "已认可" in debtor.get("/debtor").text, "the debtor sees the proof accepted"


def test_pages_refuse_the_wrong_people(portal):
    anonymous = portal.client()
    to_login = anonymous.get("/officer", follow_redirects=False)
    assert to_login.status_code == 303 and to_login.headers["location"].startswith("/login?next=")
    supervisor = portal.staff("refused-supervisor", ["supervisor"], "330000")
    assert supervisor.get("/officer").status_code == 403
    assert "<html" in supervisor.get("/officer").text, "a page, not problem details"


def test_listing_bars_service_is_what_the_page_shows(portal):
    """The fragment shows exactly the service's bars (here: a debtor already listed in the case)."""
    row = portal.people[4]
    officer = portal.staff("bars-officer", ["officer"], row.court_id)
    ctx = portal.app.state.keepword.ctx
    debtor_id = portal.rows(select(t.listings.c.debtor_id).where(t.listings.c.id == row.id))[0][0]
    expected = [b.code for b in listing_services.listing_bars(ctx, row.case_id, debtor_id, [1])]
    page = officer.post(f"/officer/cases/{row.case_id}/bars", data={"csrf_token": csrf_of(officer),
                                                                   "debtor_id": debtor_id, "grounds": ["1"]})
    assert "already_listed" in expected
    assert page.text.count("<li>") == len(expected)


def test_a_ringback_is_ordered_and_lifting_a_listed_debtors_restriction_is_refused_with_the_reason(portal):
    row = portal.people[4]
    officer = portal.staff("ringback-officer", ["officer"], row.court_id)
    debtor_id = portal.rows(select(t.listings.c.debtor_id).where(t.listings.c.id == row.id))[0][0]
    _, data = _case_form(officer, row.case_id, "ringback")
    data.update(debtor_id=debtor_id, note="")
    confirm = officer.post(f"/officer/cases/{row.case_id}/act/ringback/confirm", data=data)
    assert "2026-06-15" in confirm.text, "the notice starts 3 working days later, after the SMS warning"
    done = officer.post(f"/officer/cases/{row.case_id}/act/ringback",
                        data={**data, "version": hidden(confirm.text, "version")}, follow_redirects=True)
    assert _events(done.text) == ["MeasureOrdered", "RingbackOrdered"]

    restriction = portal.rows(select(t.restrictions.c.id).where(t.restrictions.c.case_id == row.case_id,
                                                                t.restrictions.c.lifted_on.is_(None)))[0][0]
    _, data = _case_form(officer, row.case_id, "lift")
    data.update(restriction_id=restriction, reason="guarantee")
    confirm = officer.post(f"/officer/cases/{row.case_id}/act/lift/confirm", data=data)
    assert "此操作将被拒绝" in confirm.text, "the confirmation warns before the step"
    refused = officer.post(f"/officer/cases/{row.case_id}/act/lift",
                           data={**data, "version": hidden(confirm.text, "version")})
    assert refused.status_code == 422 and "every listed debtor stays restricted" in refused.text
    assert portal.rows(select(t.restrictions.c.lifted_on).where(t.restrictions.c.id == restriction))[0][0] is None


def _listed_case(portal, court_id: str, grounds: tuple[int, ...], name: str):
    """A case in ``court_id`` whose debtor is published today on ``grounds`` (a fixed term of two years)."""
    debtor = person(name)
    case = new_case(AS_OF, debtors=[debtor], court_id=court_id)
    listing = published(case, AS_OF, grounds)
    with portal.app.state.keepword.ctx.uow() as uow:
        uow.cases.add(case)
        uow.commit()
    return case.id, listing.id, debtor


def _confirm_and_perform(client, case_id: str, action: str, data: dict):
    confirm = client.post(f"/officer/cases/{case_id}/act/{action}/confirm", data=data)
    assert confirm.status_code == 200, confirm.text
    done = client.post(f"/officer/cases/{case_id}/act/{action}", data={**data, "version": hidden(confirm.text, "version")},
                       follow_redirects=True)
    return confirm, done


def test_a_judge_extends_a_fixed_term_after_confirming_and_the_case_timeline_shows_it(portal):
    court_id = portal.people[0].court_id
    case_id, listing_id, _debtor = _listed_case(portal, court_id, (2,), "韩延期")
    expires = portal.rows(select(t.listings.c.expires_on).where(t.listings.c.id == listing_id))[0][0]
    officer = portal.staff("extend-officer", ["officer"], court_id)
    assert "/act/extend" not in officer.get(f"/officer/cases/{case_id}").text
    assert officer.get(f"/officer/cases/{case_id}/act/extend").status_code == 403, "only a judge extends"

    judge = portal.staff("extend-judge", ["judge"], court_id)
    assert f"/officer/cases/{case_id}/act/extend" in judge.get(f"/officer/cases/{case_id}").text
    _, data = _case_form(judge, case_id, "extend")
    data.update(listing_id=listing_id, months="12", reason="")
    no_reason = judge.post(f"/officer/cases/{case_id}/act/extend/confirm", data=data)
    assert no_reason.status_code == 422 and 'id="e-reason"' in no_reason.text

    data["reason"] = "以暴力威胁方法妨碍执行"
    confirm, done = _confirm_and_perform(judge, case_id, "extend", data)
    new_expiry = add_months(expires, 12)
    assert new_expiry.isoformat() in confirm.text and expires.isoformat() in confirm.text
    assert _events(done.text) == ["ListingTermExtended"]
    assert portal.rows(select(t.listings.c.expires_on).where(t.listings.c.id == listing_id))[0][0] == new_expiry
    timeline = judge.get(f"/officer/cases/{case_id}").text
    assert "期限已延长" in timeline and "以暴力威胁方法妨碍执行" in timeline


def test_an_extension_the_grounds_do_not_allow_is_refused_with_the_reason(portal):
    court_id = portal.people[0].court_id
    case_id, listing_id, _debtor = _listed_case(portal, court_id, (4,), "韩不延")
    expires = portal.rows(select(t.listings.c.expires_on).where(t.listings.c.id == listing_id))[0][0]
    judge = portal.staff("refused-extend-judge", ["judge"], court_id)
    _, data = _case_form(judge, case_id, "extend")
    data.update(listing_id=listing_id, months="12", reason="多次失信")
    confirm = judge.post(f"/officer/cases/{case_id}/act/extend/confirm", data=data)
    assert "此操作将被拒绝" in confirm.text, "the confirmation warns before the step"
    refused = judge.post(f"/officer/cases/{case_id}/act/extend", data={**data, "version": hidden(confirm.text, "version")})
    assert refused.status_code == 422 and "an extension needs violence or threats" in refused.text
    assert portal.rows(select(t.listings.c.expires_on).where(t.listings.c.id == listing_id))[0][0] == expires


def test_an_officer_corrects_and_a_judge_revokes_a_listing_which_leaves_the_public_list(portal):
    court_id = portal.people[0].court_id
    case_id, listing_id, debtor = _listed_case(portal, court_id, (4,), "韩撤销")
    case_number = portal.rows(select(t.cases.c.case_number).where(t.cases.c.id == case_id))[0][0]
    clerk = portal.staff("correct-clerk", ["clerk"], court_id)
    assert clerk.get(f"/officer/cases/{case_id}/act/correct").status_code == 403, "clerks do not correct"
    officer = portal.staff("correct-officer", ["officer"], court_id)
    assert officer.get(f"/officer/cases/{case_id}/act/revoke").status_code == 403, "only a judge revokes"

    _, data = _case_form(officer, case_id, "correct")
    data.update(listing_id=listing_id, correction="失信行为应为违反财产报告制度")
    confirm, done = _confirm_and_perform(officer, case_id, "correct", data)
    assert "失信行为应为违反财产报告制度" in confirm.text
    assert _events(done.text) == ["ListingCorrected"]
    assert "失信行为应为违反财产报告制度" in officer.get(f"/officer/cases/{case_id}").text

    def publicly_listed() -> bool:
        portal.app.state.portal.limiter.forget()
        return case_number in portal.client().post("/search", data={"name": debtor.name,
                                                                    "identifier": debtor.id_number}).text
    assert publicly_listed()
    judge = portal.staff("revoke-judge", ["judge"], court_id)
    _, data = _case_form(judge, case_id, "revoke")
    data.update(listing_id=listing_id, reason="")
    assert judge.post(f"/officer/cases/{case_id}/act/revoke/confirm", data=data).status_code == 422, "a reason is required"
    data["reason"] = "被执行人已提供充分担保，不应纳入"
    confirm, done = _confirm_and_perform(judge, case_id, "revoke", data)
    assert "限制高消费措施不随之解除" in confirm.text, "the restriction is a step of its own"
    assert _events(done.text) == ["ListingRevoked"]
    assert portal.rows(select(t.listings.c.state).where(t.listings.c.id == listing_id))[0][0] == "revoked"
    assert "失信信息已撤销" in judge.get(f"/officer/cases/{case_id}").text
    assert not publicly_listed()
