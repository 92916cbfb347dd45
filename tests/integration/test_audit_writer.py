"""Group commit of read audits: entries from many concurrent callers all land, each once, in one valid
chain beside the entries that changes write in their own transactions; a batch shares a transaction."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import event, select

from loop_support import run_coroutine
from keepword.audit import AuditEntry, AuditTrail, verify_chain
from keepword.audit.writer import AuditWriter
from keepword.store import tables as t

SECRET = "audit-writer-secret"
AT = datetime(2024, 3, 4, 2, 0, tzinfo=timezone.utc)


def read(actor: str, subject: str) -> AuditEntry:
    return AuditEntry(at=AT, actor=actor, action="read.case", subject_type="case", subject_id=subject,
                      purpose="enforcement")


def logged(engine) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(t.audit_log).order_by(t.audit_log.c.seq)))


@pytest.fixture
def trail():
    return AuditTrail(SECRET, checkpoint_every=7)


@pytest.fixture
def writer(engine, trail):
    writer = AuditWriter(engine, trail, max_wait=0.002)
    yield writer
    writer.close()


def test_entries_from_many_threads_all_land_once_in_one_valid_chain(engine, trail, writer):
    threads, each = 8, 25
    answers: dict[str, list[int]] = {}

    def reader(n: int) -> None:
        answers[f"user:{n}"] = [writer.write(read(f"user:{n}", f"case-{n}-{i}")) for i in range(each)]

    def changer() -> None:  # changes append in their own transactions meanwhile, under the same lock
        for i in range(10):
            with engine.begin() as conn:
                trail.append(conn, [AuditEntry(at=AT, actor="user:clerk", action="event.PaymentRecorded",
                                               subject_type="case", subject_id=f"changed-{i}")])

    workers = [threading.Thread(target=reader, args=(n,)) for n in range(threads)] + [threading.Thread(target=changer)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()

    rows = logged(engine)
    assert len(rows) == threads * each + 10
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    by_seq = {r.seq: r for r in rows}
    for actor, numbers in answers.items():
        assert [by_seq[s].actor for s in numbers] == [actor] * each, "each caller gets its own entry's number"
        assert [by_seq[s].subject_id for s in numbers] == [f"case-{actor[5:]}-{i}" for i in range(each)]
    report = verify_chain(engine, SECRET)
    assert report.ok, report.as_dict()
    assert report.checkpoints == len(rows) // 7


@pytest.mark.parametrize("max_wait", [0.05, 0], ids=["gathering", "next-turn-of-the-loop"])
def test_concurrent_coroutines_share_transactions_and_all_land(engine, trail, max_wait):
    """Gathered for a while, or handed over on the next turn of the loop (a screening replica's writer):
    either way the entries waiting together are committed together."""
    writer = AuditWriter(engine, trail, max_wait=max_wait)
    commits = []

    def count(_conn) -> None:
        commits.append(1)

    async def many() -> list[int]:
        return await asyncio.gather(*(writer.write_async(read("user:async", f"case-{i}")) for i in range(40)))

    event.listen(engine, "commit", count)
    try:
        numbers = run_coroutine(many())
    finally:
        event.remove(engine, "commit", count)
        writer.close()
    assert sorted(numbers) == list(range(1, 41))
    assert len(logged(engine)) == 40
    assert len(commits) < 40, "entries waiting together were committed together"
    assert verify_chain(engine, SECRET).ok


def test_an_entry_the_database_refuses_fails_alone(engine, writer):
    good = [writer.submit(read("user:a", f"case-{i}")) for i in range(3)]
    bad = writer.submit(AuditEntry(at=AT, actor="user:a", action="read.case", details={"not json": object()}))
    more = writer.submit(read("user:a", "case-9"))
    with pytest.raises(TypeError):
        bad.result(timeout=30)
    assert [f.result(timeout=30) for f in good + [more]] == [1, 2, 3, 4]
    assert verify_chain(engine, SECRET).ok


def test_close_commits_what_is_queued_and_later_entries_are_still_written(engine, trail):
    writer = AuditWriter(engine, trail, max_wait=0.2)  # the thread is still gathering when close comes
    queued = [writer.submit(read("user:b", f"case-{i}")) for i in range(5)]
    writer.close()
    assert all(f.done() for f in queued), "close returns once the queue is committed"
    assert writer.write(read("user:b", "after-close")) == 6
    assert [r.subject_id for r in logged(engine)][-1] == "after-close"
    assert verify_chain(engine, SECRET).ok

