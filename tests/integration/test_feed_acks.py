"""Acknowledgements, lag and retention: every delisting stays visible until each partner confirms it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from feed_support import add_partner, events_for, listed_debtor, pay_in_full
from keepword.domain.errors import ValidationFailed
from keepword.feeds.acks import acknowledge, lag, unacknowledged
from keepword.feeds.pull import FeedPositionExpired, feed_page, record_pull
from keepword.feeds.retention import purge_feed
from keepword.store import tables as t


def test_unacknowledged_delistings_are_listed_oldest_first_against_three_working_days(ctx, engine, clock):
    bureau = add_partner(engine, "credit_bureau")
    hotel = add_partner(engine, "hotel")
    first = listed_debtor(ctx)
    pay_in_full(ctx, first)
    clock.advance(days=1)
    pay_in_full(ctx, listed_debtor(ctx))
    rows = unacknowledged(engine, ctx.policy, clock.now())
    assert [(r["partner_type"], r["type"]) for r in rows] == [
        ("credit_bureau", "ListingDeleted"), ("hotel", "RestrictionLifted"),
        ("credit_bureau", "ListingDeleted"), ("hotel", "RestrictionLifted")]
    assert rows[0]["deadline"] == "2024-03-07" and rows[2]["deadline"] == "2024-03-08"  # Mon + 3, Tue + 3
    assert not any(r["overdue"] for r in rows)
    late = unacknowledged(engine, ctx.policy, clock.now() + timedelta(days=3), partner_id=bureau)  # Friday
    assert [r["overdue"] for r in late] == [True, False]

    result = acknowledge(engine, bureau, [rows[0]["event_id"]], "partner:bureau", clock.now())
    assert result["acknowledged"] == [rows[0]["event_id"]]
    assert acknowledge(engine, bureau, [rows[0]["event_id"]], "partner:bureau", clock.now())["already_acknowledged"]
    remaining = unacknowledged(engine, ctx.policy, clock.now())
    assert rows[0]["event_id"] not in {r["event_id"] for r in remaining if r["partner_id"] == bureau}
    assert len(remaining) == 3 and {r["partner_id"] for r in remaining} == {bureau, hotel}


def test_a_bad_acknowledgement_names_the_entry_and_writes_nothing(ctx, engine, clock):
    bureau = add_partner(engine, "credit_bureau")
    pay_in_full(ctx, listed_debtor(ctx))
    events = {e["type"].rsplit(".", 1)[1]: e["id"] for e in events_for(engine, "credit_bureau")}
    with pytest.raises(ValidationFailed) as raised:
        acknowledge(engine, bureau, [events["ListingDeleted"], events["DebtorListed"]], "partner:x", clock.now())
    assert raised.value.field == "event_ids[1]" and "not a delisting" in raised.value.reason
    with pytest.raises(ValidationFailed, match=r"event_ids\[0\]"):
        acknowledge(engine, bureau, ["no-such-event"], "partner:x", clock.now())
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.feed_acks)) == 0


def test_a_partner_created_after_a_delisting_does_not_owe_it(ctx, engine, clock):
    pay_in_full(ctx, listed_debtor(ctx))
    add_partner(engine, "credit_bureau", created_at=clock.now() + timedelta(minutes=1))
    add_partner(engine, "credit_bureau", scopes=("check",))  # no feed: nothing to acknowledge
    assert unacknowledged(engine, ctx.policy, clock.now()) == []


def test_lag_counts_positions_and_seconds_behind_the_head(ctx, engine, clock):
    puller = add_partner(engine, "bank")
    pay_in_full(ctx, listed_debtor(ctx))
    head = feed_page(engine, "bank", 0, 1).head
    record_pull(engine, puller, 2)
    (row,) = lag(engine, clock.now() + timedelta(seconds=90), puller)
    assert row["head"] == head and row["through"] == 2 and row["lag_positions"] == head - 2
    assert row["lag_seconds"] >= 90
    record_pull(engine, puller, head)
    assert lag(engine, clock.now(), puller)[0]["lag_positions"] == 0


def test_the_purge_keeps_30_days_and_every_unacknowledged_delisting(ctx, engine, clock):
    bureau = add_partner(engine, "credit_bureau")
    pay_in_full(ctx, listed_debtor(ctx))
    with pytest.raises(ValidationFailed, match="at least 30 days"):
        purge_feed(engine, ctx.policy, clock.now(), keep_days=7)
    assert purge_feed(engine, ctx.policy, clock.now() + timedelta(days=29))["events_purged"] == 0
    later = clock.now() + timedelta(days=31)
    report = purge_feed(engine, ctx.policy, later)
    with engine.connect() as conn:
        kept = list(conn.scalars(select(t.outbox.c.type)))
    assert kept == ["ListingDeleted"], "the unacknowledged delisting stays"
    assert report["events_purged"] > 0 and report["purged_through"] > 0
    with pytest.raises(FeedPositionExpired):
        feed_page(engine, "credit_bureau", 0, 10)
    deleted = unacknowledged(engine, ctx.policy, later)[0]["event_id"]
    acknowledge(engine, bureau, [deleted], "partner:bureau", later)
    purge_feed(engine, ctx.policy, later)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.outbox)) == 0
        assert conn.scalar(select(t.feed_sequence.c.last_position)) > 0, "positions never restart"


def test_positions_continue_after_the_outbox_is_emptied(ctx, engine, clock):
    pay_in_full(ctx, listed_debtor(ctx))
    head = feed_page(engine, "bank", 0, 1).head
    with engine.begin() as conn:
        conn.execute(update(t.feed_sequence).values(purged_through=head))
        conn.execute(t.outbox.delete())
    clock.advance(days=1)
    listed_debtor(ctx)
    page = feed_page(engine, "bank", head, 100)
    assert page.events and page.events[0]["data"]["action"] == "list"
    with engine.connect() as conn:
        assert conn.scalar(select(func.min(t.outbox.c.position))) == head + 1
