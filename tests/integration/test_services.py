"""The use cases end to end on each backend: what a court officer does and what partners receive."""

from __future__ import annotations

from datetime import date

import pytest
from factories import OFFICER, PRESIDENT, organization, party_input, person
from sqlalchemy import select

from keepword.domain.errors import AlreadyExists, ConcurrencyConflict, ListingBarred, ValidationFailed
from keepword.services import cases as case_services
from keepword.services import listings as listing_services
from keepword.services.tick import tick
from keepword.store import tables as t

CREDITOR, DEBTOR = organization("某银行股份有限公司", with_bound_persons=False), person("张三")


def register(ctx, number="(2024)浙0102执1号", amount="10000.00"):
    return case_services.register_judgment(
        ctx, court_id="330102", case_number=number, creditors=[party_input(CREDITOR)],
        debtors=[party_input(DEBTOR)], amount=amount, judgment_date=date(2023, 12, 1),
        effective_date=date(2023, 12, 20), filed_on=date(2024, 2, 1), by=OFFICER)


def list_debtor(ctx, case, grace_months=0, applicant=True):
    """Propose on the creditor's application, decide and serve today; returns the listing id."""
    debtor_id, creditor_id = case.debtors[0].party.id, case.creditors[0].party.id
    case = listing_services.propose_listing(ctx, case.id, debtor_id=debtor_id, grounds=[3], by=OFFICER,
                                            applicant_id=creditor_id if applicant else None)
    listing_id = case.listings[-1].id
    listing_services.decide_listing(ctx, listing_id, signed_by=PRESIDENT, signer_role="court_president",
                                    reason="transferred assets to a relative", grace_months=grace_months)
    listing_services.serve_decision(ctx, listing_id, served_on=ctx.clock.now().date(), by=OFFICER)
    return listing_id


def current(ctx, case_id):
    with ctx.uow() as uow:
        case = uow.cases.get(case_id)
        uow.session.expunge_all()
        return case


def outbox(engine):
    with engine.connect() as conn:
        return [(r.type, r.payload) for r in conn.execute(select(t.outbox).order_by(t.outbox.c.seq))]


def test_from_judgment_to_delisting(ctx, clock, engine):
    case = register(ctx)
    listing_id = list_debtor(ctx, case, grace_months=1)
    # One month after 4 March is 4 April, a Qingming holiday; Sunday 7 April is a make-up working day.
    assert current(ctx, case.id).listing(listing_id).publish_on == date(2024, 4, 7)
    clock.advance(days=33)  # 6 April
    assert tick(ctx).published == 0
    clock.advance(days=1)
    assert tick(ctx).as_dict() == {"published": 1, "expired": 0, "deleted": 0, "conflicts": 0, "cases": 1}
    listed = current(ctx, case.id)
    assert listed.listing(listing_id).published_on == date(2024, 4, 7)
    assert listed.active_restriction(listed.debtors[0].party.id) is not None

    case_services.record_payment(ctx, case.id, amount="4000.00", paid_on=date(2024, 4, 7), by=OFFICER)
    assert current(ctx, case.id).listing(listing_id).is_published
    case_services.record_payment(ctx, case.id, amount="6000.00", paid_on=date(2024, 4, 7), by=OFFICER)

    paid = current(ctx, case.id)
    assert (paid.status, paid.outcome) == ("closed", "fulfilled")
    assert paid.listing(listing_id).state == "deleted" and paid.listing(listing_id).deletion_due == date(2024, 4, 10)
    assert not any(r.active for r in paid.restrictions)
    rows = outbox(engine)
    assert [kind for kind, _ in rows] == [
        "JudgmentRegistered", "WarningIssued", "ListingProposed", "ListingDecided", "DecisionServed",
        "DebtorListed", "RestrictionOrdered", "PaymentRecorded", "PaymentRecorded", "CaseFulfilled", "CaseClosed",
        "DeletionScheduled", "ListingDeleted", "RestrictionLifted"]
    published = dict(rows)["DebtorListed"]["published"]
    assert published["court"] == "杭州市上城区人民法院" and published["obligation"] == "10000.00"
    assert DEBTOR.id_number not in str(published)
    assert dict(rows)["RestrictionLifted"]["reason"] == "payment"


def test_the_tick_ends_a_two_year_term(ctx, clock, engine):
    case = register(ctx)
    listing_id = list_debtor(ctx, case)
    assert current(ctx, case.id).listing(listing_id).expires_on == date(2026, 3, 4)
    clock.advance(days=729)  # 3 March 2026
    assert tick(ctx).expired == 0
    clock.advance(days=1)
    report = tick(ctx)
    assert (report.expired, report.deleted) == (1, 1)
    listing = current(ctx, case.id).listing(listing_id)
    assert (listing.state, listing.deletion_condition, listing.deletion_due) == (
        "deleted", "term_expired", date(2026, 3, 9))
    assert [kind for kind, _ in outbox(engine)][-2:] == ["DeletionScheduled", "ListingDeleted"]
    assert tick(ctx).as_dict()["cases"] == 0  # nothing left to do


def test_a_creditor_who_had_the_debtor_deleted_cannot_relist_from_another_case(ctx, clock):
    first = register(ctx)
    listing_id = list_debtor(ctx, first)
    listing_services.delete_listing(ctx, listing_id, condition="creditor_request", by=OFFICER,
                                    requested_by=first.creditors[0].party.id)
    second = register(ctx, number="(2024)浙0102执2号")
    debtor_id, creditor_id = second.debtors[0].party.id, second.creditors[0].party.id
    assert (debtor_id, creditor_id) == (first.debtors[0].party.id, first.creditors[0].party.id)  # same parties
    bars = listing_services.listing_bars(ctx, second.id, debtor_id, [3], applicant_id=creditor_id)
    assert [b.code for b in bars] == ["relisting_blocked"]
    with pytest.raises(ListingBarred) as info:
        listing_services.propose_listing(ctx, second.id, debtor_id=debtor_id, grounds=[3], by=OFFICER,
                                         applicant_id=creditor_id)
    assert info.value.bar == "relisting_blocked"
    assert listing_services.listing_bars(ctx, second.id, debtor_id, [3]) == []  # the court's own motion
    clock.advance(days=184)  # 4 September 2024: six months after the deletion
    assert list_debtor(ctx, current(ctx, second.id))


def test_a_second_case_with_the_same_number_at_the_same_court_is_refused(ctx):
    register(ctx)
    with pytest.raises(AlreadyExists) as info:
        register(ctx, amount="5.00")
    assert info.value.details["field"] == "case_number"


def test_a_stale_version_is_refused_and_writes_nothing(ctx, engine):
    case = register(ctx)
    case_services.record_payment(ctx, case.id, amount="1.00", paid_on=date(2024, 3, 4), by=OFFICER)
    before = outbox(engine)
    with pytest.raises(ConcurrencyConflict):
        case_services.record_payment(ctx, case.id, amount="2.00", paid_on=date(2024, 3, 4), by=OFFICER,
                                     expected_version=case.version)
    assert outbox(engine) == before and current(ctx, case.id).paid.as_string() == "1.00"


@pytest.mark.parametrize(("amount", "field"), [("10000.01", "amount"), ("-1", "amount"), ("1.001", "amount")])
def test_a_refused_payment_leaves_no_trace(ctx, engine, amount, field):
    case = register(ctx)
    before = outbox(engine)
    with pytest.raises(ValidationFailed) as info:
        case_services.record_payment(ctx, case.id, amount=amount, paid_on=date(2024, 3, 4), by=OFFICER)
    assert info.value.field == field
    assert outbox(engine) == before and current(ctx, case.id).payments == []
