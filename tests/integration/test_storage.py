"""The store on SQLite and PostgreSQL: aggregates round-trip exactly, the case number is unique per
court, concurrent changes are caught, and state and outbox rows commit together or not at all."""

from __future__ import annotations

from datetime import date, timedelta, timezone
from decimal import Decimal

import pytest
from factories import (OFFICER, POLICY, PRESIDENT, at, creditor_id, debtor_id, decided, new_case,
                       organization, person, published)
from sqlalchemy import func, select

from keepword.bootstrap import build_context
from keepword.domain.errors import AlreadyExists, ConcurrencyConflict
from keepword.domain.money import Money
from keepword.store import tables as t

D = date(2024, 3, 4)


def save(ctx, case):
    with ctx.uow() as uow:
        uow.cases.add(case)
        uow.commit()
    return case


def load(ctx, case_id):
    """The case as stored, read in a fresh unit of work and detached from it, fully loaded."""
    with ctx.uow() as uow:
        case = uow.cases.get(case_id)
        uow.session.expunge_all()  # leaving without commit rolls back, which would expire what was read
        return case


def outbox(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(t.outbox.c.type).order_by(t.outbox.c.seq)))


def full_case():
    """A case with every kind of child: parties of both kinds, payments, measures, listings, restrictions."""
    debtor, company = person("王小明", phones=["13800138000"]), organization()
    case = new_case(D, amount="12345678901.23", debtors=[debtor, company],
                    creditors=[organization("某银行股份有限公司"), person("李债权")])
    case.record_payment(Money.parse("0.01"), date(2024, 3, 1), at(D), OFFICER, POLICY, payer_id=debtor.id)
    case.record_payment(Money.parse("1000000000.00"), D, at(D), OFFICER, POLICY, note="bank transfer")
    case.order_measure("asset_freeze", at(D), OFFICER, POLICY, debtor_id=company.id, value=Money.parse("5.55"))
    case.order_measure("asset_search", at(D), OFFICER, POLICY, assets_found=False, note="no property")
    listing = published(case, D, (2, 3), debtor=debtor.id, applicant_id=creditor_id(case))
    objection = case.file_objection(listing.id, "should_not_be_listed", "I paid", at(D), "debtor", POLICY)
    case.decide_objection(listing.id, objection.id, False, "not proven", at(D), PRESIDENT, POLICY)
    case.appeal_objection(listing.id, objection.id, at(D), "debtor", POLICY)
    decided(case, D, (4,), debtor=company.id, grace_months=2)
    order = case.active_restriction(debtor.id)
    case.grant_exemption(order.id, "air_and_berth", "one_off", "funeral", D, D + timedelta(days=3), at(D), PRESIDENT,
                         POLICY)
    case.grant_exemption(order.id, "vehicle", "approved", "delivery van", D, date(2025, 3, 4), at(D), PRESIDENT,
                         POLICY)
    case.order_restriction(company.id, at(D), OFFICER, POLICY, ["property", "office_rental"])
    return case


def test_a_case_with_every_child_loads_back_equal(ctx):
    case = save(ctx, full_case())
    loaded = load(ctx, case.id)
    assert loaded is not case
    assert loaded == case
    assert [p.party.kind for p in loaded.debtors] == ["person", "organization"]
    assert {b.role for b in loaded.debtors[1].party.bound_persons} == {
        "legal_representative", "principal_in_charge", "directly_responsible", "actual_controller"}
    assert loaded.listings[0].objections[0].appeal_due == case.listings[0].objections[0].appeal_due
    assert {m.kind: m.value for m in loaded.measures} == {"asset_freeze": Money.parse("5.55"), "asset_search": None}
    assert len(loaded.restrictions[0].exemptions) == 2


def test_amounts_come_back_exact(ctx):
    case = save(ctx, full_case())
    loaded = load(ctx, case.id)
    assert loaded.obligation.amount == Decimal("12345678901.23")
    assert loaded.paid.as_string() == "1000000000.01"
    assert loaded.outstanding.as_string() == "11345678901.22"


def test_timestamps_stay_aware_utc(ctx):
    case = save(ctx, full_case())
    loaded = load(ctx, case.id)
    for stamp in (loaded.created_at, loaded.updated_at, loaded.payments[0].recorded_at):
        assert stamp.tzinfo is not None and stamp.utcoffset() == timedelta(0)
    assert loaded.created_at == at(D) and loaded.created_at.astimezone(timezone.utc).hour == 2


def test_a_case_number_is_unique_per_court(ctx):
    save(ctx, new_case(D, case_number="(2024)浙0102执1号"))
    with pytest.raises(AlreadyExists) as info:
        save(ctx, new_case(D, case_number="(2024)浙0102执1号"))
    assert info.value.details["field"] == "case_number"
    other_court = save(ctx, new_case(D, case_number="(2024)浙0102执1号", court_id="330100"))
    assert load(ctx, other_court.id).court_id == "330100"
    with ctx.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(t.cases)) == 2


def test_concurrent_changes_second_commit_conflicts_and_writes_nothing(ctx, engine):
    case = save(ctx, new_case(D, amount="1000.00"))
    first, second = ctx.uow(), ctx.uow()
    with first, second:
        mine = first.cases.get(case.id)
        if engine.dialect.name == "sqlite":
            # SQLite takes its write lock at BEGIN, so a second open transaction would wait for the first:
            # end the read transaction, keeping the loaded (now stale) object, as a web form does.
            first.commit()
        theirs = second.cases.get(case.id)
        theirs.record_payment(Money.parse("10.00"), D, at(D), OFFICER, POLICY)
        second.commit()
        mine.record_payment(Money.parse("20.00"), D, at(D), OFFICER, POLICY)
        with pytest.raises(ConcurrencyConflict):
            first.commit()
    stored = load(ctx, case.id)
    assert [p.amount.as_string() for p in stored.payments] == ["10.00"]
    assert stored.version == 2
    assert outbox(engine).count("PaymentRecorded") == 1


def test_every_change_moves_the_version_even_at_the_same_instant(ctx):
    case = save(ctx, new_case(D, amount="1000.00"))
    with ctx.uow() as uow:
        uow.cases.get(case.id).record_payment(Money.parse("1.00"), D, at(D), OFFICER, POLICY)
        uow.commit()
    assert load(ctx, case.id).version == 2


def test_state_and_outbox_rows_commit_together_or_not_at_all(engine, ctx, clock):
    def failing_commit(session, events):
        raise RuntimeError("disk full")

    case = save(ctx, new_case(D, amount="1000.00"))
    rows_before = outbox(engine)
    broken = build_context(engine, clock=clock, hooks=(failing_commit,))
    with pytest.raises(RuntimeError), broken.uow() as uow:
        uow.cases.get(case.id).record_payment(Money.parse("1000.00"), D, at(D), OFFICER, POLICY)
        uow.commit()
    stored = load(ctx, case.id)
    assert stored.payments == [] and stored.is_open and stored.version == case.version
    assert outbox(engine) == rows_before


def test_new_case_and_its_events_are_written_in_one_transaction(engine, ctx):
    case = save(ctx, new_case(D))
    assert outbox(engine) == ["JudgmentRegistered", "WarningIssued"]
    with engine.connect() as conn:
        row = conn.execute(select(t.outbox).where(t.outbox.c.type == "JudgmentRegistered")).one()
    assert row.case_id == case.id and row.payload["amount"] == "100000.00" and row.occurred_at == at(D)


def test_relisting_blocks_are_found_across_cases(ctx):
    first = new_case(D)
    listing = published(first, D)
    first.delete_listing(listing.id, "creditor_request", at(D), OFFICER, POLICY, requested_by=creditor_id(first))
    save(ctx, first)
    with ctx.uow() as uow:
        blocks = uow.cases.relisting_blocks(debtor_id(first), POLICY.relisting_block_months, date(2024, 9, 3))
        later = uow.cases.relisting_blocks(debtor_id(first), POLICY.relisting_block_months, date(2024, 9, 4))
        unrelated = uow.cases.relisting_blocks("someone-else", POLICY.relisting_block_months, D)
    assert [(b.creditor_id, b.until) for b in blocks] == [(creditor_id(first), date(2024, 9, 4))]
    assert later == () and unrelated == ()


def test_the_tick_finds_cases_with_due_work(ctx):
    save(ctx, new_case(D))  # nothing due in this one
    grace = new_case(D)
    listing = decided(grace, D, grace_months=1)
    grace.serve_decision(listing.id, D, at(D), OFFICER, POLICY)
    save(ctx, grace)
    with ctx.uow() as uow:
        assert uow.cases.ids_with_due_work(date(2024, 4, 3)) == []
        assert uow.cases.ids_with_due_work(listing.publish_on) == [grace.id]
