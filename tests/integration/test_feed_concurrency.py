"""Many writers commit in overlapping transactions (commits deliberately delayed, so a later insert often
commits first) while a reader pages the feed: the reader sees every event exactly once."""

from __future__ import annotations

import random
import threading
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from keepword.domain import events as ev
from keepword.feeds.pull import events_after
from keepword.feeds.sequencer import sequence_pending
from keepword.store import tables as t
from keepword.store.unit_of_work import SqlUnitOfWork

WRITERS = 8
TRANSACTIONS = 15
EVENTS_PER_TRANSACTION = 3


def _writer(engine, n: int, written: list, errors: list) -> None:
    rng = random.Random(n)
    try:
        for i in range(TRANSACTIONS):
            uow = SqlUnitOfWork(engine)
            # Held open after the outbox insert: rows with a lower seq commit after rows with a higher one.
            uow.before_commit.append(lambda *_: time.sleep(rng.uniform(0, 0.03)))
            with uow:
                for j in range(EVENTS_PER_TRANSACTION):
                    uow.record(ev.WarningIssued(occurred_at=datetime.now(timezone.utc), case_id=f"w{n}-{i}-{j}"))
                written.extend(row.case_id for row in uow.commit())
    except Exception as exc:  # surfaced by the test thread
        errors.append(exc)


class NaiveSeqReader:
    """What a reader of the raw auto-increment would see: it skips rows that commit late."""

    def __init__(self, engine) -> None:
        self.engine, self.last, self.seen = engine, 0, set()

    def poll(self) -> None:
        with self.engine.connect() as conn:
            for seq, case_id in conn.execute(select(t.outbox.c.seq, t.outbox.c.case_id)
                                             .where(t.outbox.c.seq > self.last).order_by(t.outbox.c.seq)):
                self.last = seq
                self.seen.add(case_id)


def test_a_reader_paging_the_feed_sees_every_event_once(engine):
    written: list[str] = []
    errors: list[Exception] = []
    writers = [threading.Thread(target=_writer, args=(engine, n, written, errors)) for n in range(WRITERS)]
    for w in writers:
        w.start()
    seen: list[str] = []
    positions: list[int] = []
    naive = NaiveSeqReader(engine)
    after = 0

    def page() -> bool:
        nonlocal after
        sequence_pending(engine)
        with engine.connect() as conn:
            rows = events_after(conn, after, 7)
        for row in rows:
            seen.append(row.case_id)
            positions.append(row.position)
            after = row.position
        return bool(rows)

    while any(w.is_alive() for w in writers):
        page()
        naive.poll()
    while page():
        pass
    assert not errors
    total = WRITERS * TRANSACTIONS * EVENTS_PER_TRANSACTION
    assert len(written) == total
    assert sorted(seen) == sorted(written), "the reader missed or repeated events"
    assert positions == list(range(1, total + 1)), "positions are gap-free and increasing"
    if engine.dialect.name == "postgresql":
        # The race really happened: some events were committed out of insertion order, and a reader
        # following the auto-increment lost some of them.
        with engine.connect() as conn:
            order = [seq for seq, in conn.execute(select(t.outbox.c.seq).order_by(t.outbox.c.position))]
        assert order != sorted(order), "no transaction committed out of order: the test proved nothing"
        naive.poll()
        assert naive.seen != set(written), "the naive reader happened to see everything this time"


@pytest.mark.postgres
def test_positions_appear_only_when_the_sequencer_commits(postgres_url):
    from keepword.store.database import make_engine

    engine = make_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(t.outbox.insert().values(event_id="held-back", type="WarningIssued", case_id="c",
                                              occurred_at=datetime.now(timezone.utc), payload={}))
    with engine.connect() as conn:
        before = events_after(conn, 0, 10_000)
    assert "held-back" not in {r.event_id for r in before}, "unsequenced rows are never in the feed"
    sequence_pending(engine)
    with engine.connect() as conn:
        assert "held-back" in {r.event_id for r in events_after(conn, 0, 10_000)}
    engine.dispose()
