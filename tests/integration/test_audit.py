"""The audit log: written with the change it records, linear under concurrent writers, and any edit,
insertion or deletion made directly in SQL is named by ``keepword audit verify``."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from factories import organization, party_input, person
from keepword.audit import AuditEntry, AuditTrail, verify_chain
from keepword.audit.chain import entry_hash
from keepword.audit.retention import purge_expired
from keepword.bootstrap import build_context
from keepword.cli import _load_commands, app as cli_app
from keepword.domain.errors import AlreadyExists
from keepword.services import cases as case_service
from keepword.store import tables as t

SECRET = "audit-test-secret"


@pytest.fixture
def trail():
    return AuditTrail(SECRET, checkpoint_every=10)


@pytest.fixture
def audited(engine, clock, trail, ctx):
    """Services on the test database whose units of work append audit entries before they commit."""
    return build_context(engine, clock=clock, hooks=(trail.hook,))


def _register(ctx, number: str = "（2024）浙0102执1号"):
    return case_service.register_judgment(
        ctx, court_id="330102", case_number=number, creditors=[party_input(organization(with_bound_persons=False))],
        debtors=[party_input(person())], amount="5000.00", judgment_date=date(2023, 12, 1),
        effective_date=date(2023, 12, 20), filed_on=date(2024, 3, 1), by="user:clerk-1")


def _entries(engine) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(t.audit_log).order_by(t.audit_log.c.seq)))


def test_each_domain_event_is_audited_in_the_same_transaction(audited, engine):
    case = _register(audited)
    entries = _entries(engine)
    assert [e.action for e in entries] == ["event.JudgmentRegistered", "event.WarningIssued"]
    assert all(e.actor == "user:clerk-1" and e.subject_id == case.id for e in entries)
    assert "张三" not in str(entries), "no names in the audit log"
    with pytest.raises(AlreadyExists):
        _register(audited, case.case_number)
    assert len(_entries(engine)) == 2, "a failed change leaves no audit entry"


def test_a_failing_audit_append_undoes_the_change(engine, clock, ctx):
    def broken_hook(session, events):
        raise RuntimeError("audit store unavailable")

    failing = build_context(engine, clock=clock, hooks=(broken_hook,))
    with pytest.raises(RuntimeError):
        _register(failing)
    with engine.connect() as conn:
        assert conn.execute(select(t.cases.c.id)).first() is None


def _log_of(engine, trail, clock, n: int = 25) -> None:
    with engine.begin() as conn:
        conn.execute(delete(t.audit_checkpoints))
        conn.execute(delete(t.audit_log))
    for i in range(n):
        trail.record(engine, AuditEntry(at=clock.now() + timedelta(seconds=i), actor=f"user:u{i % 3}",
                                        action="read.case", subject_type="case", subject_id=f"case{i}",
                                        purpose="enforcement", details={"n": i}))


def _verify_cli(engine) -> tuple[int, str]:
    _load_commands()
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli_app, ["audit", "verify", "--db", url], env={"KEEPWORD_SECRET_KEY": SECRET})
    return result.exit_code, result.output


def _row(engine, seq: int):
    with engine.connect() as conn:
        return conn.execute(select(t.audit_log).where(t.audit_log.c.seq == seq)).one()


def test_verify_names_the_first_altered_inserted_or_deleted_entry(engine, trail, clock, ctx):
    _log_of(engine, trail, clock)
    code, output = _verify_cli(engine)
    assert code == 0 and "intact: 25 entries, 2 signed checkpoints" in output

    with engine.begin() as conn:  # someone edits who read a record
        conn.execute(update(t.audit_log).where(t.audit_log.c.seq == 7).values(actor="user:somebody-else"))
    code, output = _verify_cli(engine)
    assert code == 1 and "altered at seq 7" in output

    _log_of(engine, trail, clock)
    row12 = _row(engine, 12)
    forged = {"at": row12.at, "actor": "user:u1", "action": "read.case", "subject_type": "case",
              "subject_id": "made-up", "purpose": "enforcement", "details": {"n": 99}}
    forged_entry = AuditEntry(**forged)
    with engine.begin() as conn:  # make room after 12 and slip a well-formed entry in
        conn.execute(update(t.audit_log).where(t.audit_log.c.seq > 12).values(seq=t.audit_log.c.seq + 1000))
        conn.execute(update(t.audit_log).where(t.audit_log.c.seq > 1000).values(seq=t.audit_log.c.seq - 999))
        conn.execute(insert(t.audit_log).values(seq=13, prev_hash=row12.hash,
                                                hash=entry_hash(row12.hash, forged_entry.content()), **forged))
    code, output = _verify_cli(engine)
    assert code == 1 and "inserted at seq 13" in output

    _log_of(engine, trail, clock)
    with engine.begin() as conn:
        conn.execute(delete(t.audit_log).where(t.audit_log.c.seq == 18))
    code, output = _verify_cli(engine)
    assert code == 1 and "deleted at seq 18" in output


def test_a_rewritten_chain_is_caught_by_the_signed_checkpoints(engine, trail, clock, ctx):
    _log_of(engine, trail, clock)
    with engine.begin() as conn:  # edit entry 3 and recompute every hash after it, as a careful forger would
        rows = list(conn.execute(select(t.audit_log).order_by(t.audit_log.c.seq)))
        prev = rows[1].hash
        for row in rows[2:]:
            entry = AuditEntry(at=row.at, actor="user:forger" if row.seq == 3 else row.actor, action=row.action,
                               subject_type=row.subject_type, subject_id=row.subject_id, purpose=row.purpose,
                               details=row.details)
            digest = entry_hash(prev, entry.content())
            conn.execute(update(t.audit_log).where(t.audit_log.c.seq == row.seq)
                         .values(actor=entry.actor, prev_hash=prev, hash=digest))
            prev = digest
    report = verify_chain(engine, SECRET)
    assert (report.problem.kind, report.problem.seq) == ("altered", 10)
    assert "checkpoint 10" in report.problem.message

    _log_of(engine, trail, clock)
    with engine.begin() as conn:  # cut the tail, including a checkpointed entry
        conn.execute(delete(t.audit_log).where(t.audit_log.c.seq >= 20))
    report = verify_chain(engine, SECRET)
    assert (report.problem.kind, report.problem.seq) == ("deleted", 20)
    assert not verify_chain(engine, "another-secret").ok, "checkpoints are signed with the server secret"


@pytest.mark.postgres
def _run_writers(writer, count: int) -> None:
    """``writer(n)`` in ``count`` threads at once, until all are done."""
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_concurrent_writers_keep_one_linear_chain(engine, trail, clock):
    errors = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                trail.record(engine, AuditEntry(at=clock.now(), actor=f"user:w{n}", action="read.case",
                                                subject_id=f"c{n}-{i}"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    _run_writers(writer, 6)
    assert not errors
    report = verify_chain(engine, SECRET)
    assert report.ok and report.entries == 90 and report.checkpoints == 9
    assert [r.seq for r in _entries(engine)] == list(range(1, 91))


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_concurrent_appends_of_one_and_of_many_entries_keep_one_linear_chain(engine, trail, clock):
    """Small appends (one multi-row INSERT) and large ones (COPY) from many threads at once: no fork, no gap."""
    errors, numbers = [], []

    def writer(n: int) -> None:
        try:
            for i in range(6):
                size = 70 if (n + i) % 3 == 0 else 1 + i
                with Session(engine) as session, session.begin():
                    numbers.extend(trail.append(session, [
                        AuditEntry(at=clock.now(), actor=f"user:w{n}", action="read.case", subject_id=f"c{n}-{i}-{k}")
                        for k in range(size)]))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    _run_writers(writer, 8)
    assert not errors
    total = len(numbers)
    assert sorted(numbers) == list(range(1, total + 1)), "every append got its own, consecutive numbers"
    report = verify_chain(engine, SECRET)
    assert report.ok and report.entries == total and report.checkpoints == total // 10
    assert [r.seq for r in _entries(engine)] == list(range(1, total + 1))


def test_the_retention_purge_deletes_expired_records_and_is_audited(audited, engine, trail, clock):
    old = _register(audited, "（2010）浙0102执1号")
    case_service.close_case(audited, old.id, outcome="settled", by="user:officer-1", reason="settled in full")
    kept = _register(audited, "（2024）浙0102执2号")
    clock.advance(days=365 * 10 + 5)
    report = purge_expired(engine, audited.policy, trail, clock, actor="cli:admin")
    assert report.cases == [old.id] and len(report.parties) == 2
    with engine.connect() as conn:
        assert list(conn.execute(select(t.cases.c.id))) == [(kept.id,)]
        assert conn.execute(select(t.parties.c.id).where(t.parties.c.id.in_(report.parties))).first() is None
    purge = _entries(engine)[-1]
    assert purge.action == "retention.purge" and purge.actor == "cli:admin"
    assert purge.details["case_ids"] == [old.id]
    assert verify_chain(engine, SECRET).ok
    again = purge_expired(engine, audited.policy, trail, clock, actor="cli:admin")
    assert again.cases == [] and again.audit_seq == purge.seq + 1, "every purge is audited, even an empty one"


def test_verify_walks_a_long_log_in_batches(engine, trail, clock, ctx):
    entries = [AuditEntry(at=clock.now(), actor="user:x", action="read.case", subject_id=str(i)) for i in range(2500)]
    with Session(engine) as session, session.begin():
        trail.append(session, entries)
    report = verify_chain(engine, SECRET)
    assert report.ok and report.entries == 2500 and report.checkpoints == 250 and report.unsigned_tail == 0
