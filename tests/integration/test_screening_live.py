"""Screening against the live registry: the index built from the database, kept fresh by the feed follower."""

from __future__ import annotations

import threading
import time

from sqlalchemy import update

from factories import new_case, organization, person, published
from feed_support import DAY, listed_debtor, pay_in_full
from keepword.feeds.sequencer import head_position, sequence_pending
from keepword.screening import MATCH, NO_MATCH, IndexHolder, ScreeningRecord, check
from keepword.screening.follower import FeedFollower
from keepword.screening.registry_source import build_index_from_db, registry_entries_from_db
from keepword.store import tables as t


def decision(index, identifier: str):
    return check(index, ScreeningRecord(id_number=identifier), DAY)


def listed_organization(ctx):
    case = new_case(DAY, debtors=[organization()])
    published(case, DAY)
    with ctx.uow() as uow:
        uow.cases.add(case)
        uow.commit()
    return case


def list_person(ctx, name: str = "李雷"):
    case = new_case(DAY, debtors=[person(name)])
    published(case, DAY)
    with ctx.uow() as uow:
        uow.cases.add(case)
        uow.commit()
    return case


def debtor_of(case):
    return case.debtors[0].party


def wait_for(condition, timeout: float = 10.0) -> float:
    """Seconds until ``condition()`` held; fails after ``timeout``."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, "timed out"
        time.sleep(0.01)
    return time.monotonic() - started


def live(engine):
    index, position = build_index_from_db(engine, on=DAY)
    holder = IndexHolder(index)
    return holder, FeedFollower(engine, holder, position=position, poll_seconds=0.05)


def test_the_index_built_from_the_database_finds_listed_debtors_and_an_organisations_bound_persons(engine, ctx):
    debtor = debtor_of(listed_debtor(ctx, ringback=False))
    org_case = listed_organization(ctx)
    org = debtor_of(org_case)
    representative = org.legal_representative
    index, position = build_index_from_db(engine, on=DAY)

    found = decision(index, debtor.id_number)
    assert (found.decision, found.entry_id) == (MATCH, debtor.id)
    assert (decision(index, org.credit_code).decision, decision(index, org.credit_code).entry_id) == (MATCH, org.id)
    bound = decision(index, representative.id_number)
    assert (bound.decision, bound.entry_id) == (MATCH, org.id)
    assert "legal representative" in bound.reason
    creditor = org_case.creditors[0].party  # a party of the registry, but neither listed nor restricted
    assert decision(index, creditor.credit_code).decision == NO_MATCH
    with engine.connect() as conn:
        assert position == head_position(conn) > 0, "the index reflects the feed through its head"

    entries = {e.entry_id: e for e in registry_entries_from_db(engine, DAY)}
    assert set(entries) == {debtor.id, org.id}
    assert entries[debtor.id].categories[0] == "dishonest_debtor" and len(entries[debtor.id].categories) > 1, \
        "listed and restricted: the list's category and the restriction's"
    assert entries[debtor.id].in_force_from == DAY and entries[debtor.id].in_force_until is None
    assert {number for _, number in entries[org.id].bound_persons} == {
        b.id_number for b in org.bound_persons if b.id_number}


def test_a_debtor_who_pays_in_full_stops_matching_once_the_follower_catches_up(engine, ctx):
    paying = listed_debtor(ctx, ringback=False)
    staying = debtor_of(listed_debtor(ctx, ringback=False))
    holder, follower = live(engine)
    assert follower.catch_up() == 0 and follower.last_applied_at is None, "nothing happened since the build"

    pay_in_full(ctx, paying)
    assert decision(holder.current, debtor_of(paying).id_number).decision == MATCH, "not followed yet"
    assert follower.catch_up() > 0
    assert decision(holder.current, debtor_of(paying).id_number).decision == NO_MATCH
    assert decision(holder.current, staying.id_number).decision == MATCH, "another debtor stays listed"
    assert follower.lag_positions() == 0 and follower.last_applied_at is not None

    newcomer = debtor_of(list_person(ctx))
    assert decision(holder.current, newcomer.id_number).decision == NO_MATCH
    follower.catch_up()
    assert (decision(holder.current, newcomer.id_number).decision,
            decision(holder.current, newcomer.id_number).entry_id) == (MATCH, newcomer.id)


def test_a_running_follower_shows_a_delisting_within_seconds_of_its_commit(engine, ctx):
    case = listed_debtor(ctx, ringback=False)
    number = debtor_of(case).id_number
    holder, follower = live(engine)
    follower.start()
    try:
        assert decision(holder.current, number).decision == MATCH
        pay_in_full(ctx, case)
        wait_for(lambda: decision(holder.current, number).decision == NO_MATCH, timeout=5.0)
    finally:
        follower.stop()


def test_changes_committed_during_a_rebuild_are_in_the_swapped_index(engine, ctx):
    paying, staying = listed_debtor(ctx, ringback=False), listed_debtor(ctx, ringback=False)
    holder, follower = live(engine)
    follower.start()
    newcomers = []

    def commit_while_building(done: int, total: int) -> None:
        # The entries are read (without these changes) but not yet swapped in: the follower applies
        # the changes to the old index meanwhile, and the swap must carry them over.
        pay_in_full(ctx, paying)
        newcomers.append(debtor_of(list_person(ctx)))
        sequence_pending(engine)
        wait_for(lambda: follower.lag_positions() == 0)

    try:
        record = follower.rebuild(progress=commit_while_building)
    finally:
        follower.stop()
    assert record.replayed_events >= 2
    assert decision(holder.current, debtor_of(paying).id_number).decision == NO_MATCH
    assert decision(holder.current, debtor_of(staying).id_number).decision == MATCH
    assert decision(holder.current, newcomers[0].id_number).decision == MATCH


def test_rebuilds_while_events_arrive_lose_nothing(engine, ctx):
    cases = [listed_debtor(ctx, ringback=False) for _ in range(8)]
    holder, follower = live(engine)
    follower.start()
    paid, newcomers, done = cases[::2], [], threading.Event()

    def write() -> None:
        try:
            for case in paid:
                pay_in_full(ctx, case)
                newcomers.append(list_person(ctx))
        finally:
            done.set()

    writer = threading.Thread(target=write)
    writer.start()
    rebuilds = 0
    try:
        while not done.is_set():
            follower.rebuild()
            rebuilds += 1
        writer.join()
        sequence_pending(engine)
        wait_for(lambda: follower.lag_positions() == 0)
    finally:
        follower.stop()

    assert rebuilds >= 1 and holder.generation == rebuilds, "every rebuild was swapped in"
    expected = {debtor_of(c).id_number: NO_MATCH for c in paid}
    expected |= {debtor_of(c).id_number: MATCH for c in cases[1::2] + newcomers}
    assert len(expected) == 12
    assert {number: decision(holder.current, number).decision for number in expected} == expected


def test_a_follower_behind_the_retained_feed_rebuilds_from_a_snapshot(engine, ctx):
    paid = listed_debtor(ctx, ringback=False)
    holder, follower = live(engine)
    pay_in_full(ctx, paid)
    listed = debtor_of(list_person(ctx))
    sequence_pending(engine)
    with engine.begin() as conn:  # as if the retention purge had removed every event so far
        conn.execute(update(t.feed_sequence).values(purged_through=head_position(conn)))
        head = head_position(conn)

    follower.catch_up()
    assert decision(holder.current, debtor_of(paid).id_number).decision == NO_MATCH
    assert decision(holder.current, listed.id_number).decision == MATCH
    assert follower.position == head and holder.generation == 1
