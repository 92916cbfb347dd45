"""The stored form of the audit log and the outbox does not change: for one fixed scenario, the audit
rows (content, hashes), the signed checkpoints and the outbox rows are exactly those the format has
always had, on both backends. A change here would make ``keepword audit verify`` reject every log
written before it, and would change what partners read from the feed."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy.orm import Session

from keepword.audit import AuditEntry, AuditTrail, entry_for_event, verify_chain
from keepword.domain import events as ev
from keepword.store.unit_of_work import write_outbox

SECRET = "audit-format-secret"
AT = datetime(2024, 3, 4, 10, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))


def _events() -> list[ev.Event]:
    at = AT
    return [
        ev.JudgmentRegistered(occurred_at=at, case_id="case-1", debtor_id="party-2", actor="user:clerk-1",
                              court_id="330102", case_number="（2024）浙0102执1号", amount=Decimal("5000.5"),
                              currency="CNY", creditor_ids=("party-1",), debtor_ids=("party-2", "party-3")),
        ev.WarningIssued(occurred_at=at, case_id="case-1", actor="user:clerk-1"),
        ev.PaymentRecorded(occurred_at=at + timedelta(days=3), case_id="case-1", debtor_id="party-2", actor=None,
                           payment_id="pay-1", amount=Decimal("100"), currency="CNY", paid_on=date(2024, 3, 7),
                           outstanding=Decimal("4900.50")),
        ev.DebtorListed(occurred_at=at + timedelta(days=40), case_id="case-1", debtor_id="party-2",
                        actor="user:judge-9", listing_id="listing-1", grounds=(2, 1), published_on=date(2024, 4, 13),
                        expires_on=None, published={"name": "张三", "id_number": "3301**********1234"}),
        ev.CaseClosed(occurred_at=at + timedelta(days=90), case_id="case-1", actor="user:officer-1",
                      outcome="settled", reason="自愿履行 \"in full\"\n"),
    ]


def _entries() -> list[AuditEntry]:
    return [
        AuditEntry(at=AT, actor="user:审计员", action="read.case", subject_type="case", subject_id="case-1",
                   purpose="enforcement"),
        AuditEntry(at=AT.astimezone(timezone.utc), actor="x" * 150, action="a" * 80, subject_type=None,
                   subject_id="s" * 90, purpose="p" * 250, details={}),
        AuditEntry(at=datetime(2024, 1, 1, tzinfo=timezone.utc), actor="cli:admin", action="retention.purge",
                   details={"case_ids": ("c1", "c2"), "count": 2, "ratio": 0.25, "ok": True, "none": None,
                            "nested": {"b": [1, {"z": "é", "a": "\u2028"}], "a": "控制"}, "escape": "tab\t\"q\"\\"}),
        AuditEntry(at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc), actor="user:u", action="read.party",
                   subject_type="party", subject_id="", purpose="", details={3: "int key", "10": "text key"}),
    ]


def _scenario(engine) -> None:
    """Two standalone appends, then a change's outbox rows and audit entries in one transaction."""
    trail = AuditTrail(SECRET, checkpoint_every=3)
    entries = _entries()
    with Session(engine) as session, session.begin():
        assert trail.append(session, entries[:1]) == [1]
    with Session(engine) as session, session.begin():
        assert trail.append(session, entries[1:]) == [2, 3, 4]
    with Session(engine) as session, session.begin():
        write_outbox(session, _events())
        trail.hook(session, _events())


def _stored(engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(sql)]


# Computed once with the original implementation; frozen.
EXPECTED_AUDIT = [(1,
      'user:审计员',
      'read.case',
      'case',
      'case-1',
      'enforcement',
      '{}',
      '0000000000000000000000000000000000000000000000000000000000000000',
      '41d1040f95f209e02114851241d7fef24e3c5978ef1870bd60ba9a6b348cbe25'),
     (2,
      "x" * 100,
      "a" * 60,
      None,
      "s" * 64,
      "p" * 200,
      '{}',
      '41d1040f95f209e02114851241d7fef24e3c5978ef1870bd60ba9a6b348cbe25',
      'd12298ee92c95d1daf5173971938c71f1fea02ec191c26fdcf46d946a440c52e'),
     (3,
      'cli:admin',
      'retention.purge',
      None,
      None,
      None,
      '{"case_ids": ["c1", "c2"], "count": 2, "ratio": 0.25, "ok": true, "none": null, "nested": {"b": [1, {"z": '
      '"\\u00e9", "a": "\\u2028"}], "a": "\\u63a7\\u5236"}, "escape": "tab\\t\\"q\\"\\\\"}',
      'd12298ee92c95d1daf5173971938c71f1fea02ec191c26fdcf46d946a440c52e',
      '19b08365a91f0fd533a83338d15cb2e779fe1be0c491c54b76d880ef59bf8c40'),
     (4,
      'user:u',
      'read.party',
      'party',
      None,
      None,
      '{"3": "int key", "10": "text key"}',
      '19b08365a91f0fd533a83338d15cb2e779fe1be0c491c54b76d880ef59bf8c40',
      'b99f413811a963f39cd07c829e12038c954294e1d46bf99ad1e90d7173e9d4c6'),
     (5,
      'user:clerk-1',
      'event.JudgmentRegistered',
      'case',
      'case-1',
      None,
      '{"debtor_id": "party-2", "court_id": "330102", "case_number": "\\uff082024\\uff09\\u6d590102\\u62671\\u53f7", '
      '"amount": "5000.50", "currency": "CNY", "creditor_ids": ["party-1"], "debtor_ids": ["party-2", "party-3"]}',
      'b99f413811a963f39cd07c829e12038c954294e1d46bf99ad1e90d7173e9d4c6',
      'ed0b9af0df51d8981aedbd363b4c7b4210cc01d76ad3fc9ec2a1096a4a2f1b05'),
     (6,
      'user:clerk-1',
      'event.WarningIssued',
      'case',
      'case-1',
      None,
      '{"debtor_id": null}',
      'ed0b9af0df51d8981aedbd363b4c7b4210cc01d76ad3fc9ec2a1096a4a2f1b05',
      '454baff4dc1544ca14623cdf9e63028b46ac3e12fbef2db00fe6230e2f89002c'),
     (7,
      'system',
      'event.PaymentRecorded',
      'case',
      'case-1',
      None,
      '{"debtor_id": "party-2", "payment_id": "pay-1", "amount": "100.00", "currency": "CNY", "paid_on": "2024-03-07", '
      '"outstanding": "4900.50"}',
      '454baff4dc1544ca14623cdf9e63028b46ac3e12fbef2db00fe6230e2f89002c',
      '9ad8428bf2c76f6792cba403a7369c6d066c0c7fc150a79cb51d8280a710cb36'),
     (8,
      'user:judge-9',
      'event.DebtorListed',
      'case',
      'case-1',
      None,
      '{"debtor_id": "party-2", "listing_id": "listing-1", "grounds": [2, 1], "published_on": "2024-04-13", '
      '"expires_on": null}',
      '9ad8428bf2c76f6792cba403a7369c6d066c0c7fc150a79cb51d8280a710cb36',
      '6744b2f2594fef2c9fd9328dd3a440efb9a8ff51ac38e26ee8df4710739d5029'),
     (9,
      'user:officer-1',
      'event.CaseClosed',
      'case',
      'case-1',
      None,
      '{"debtor_id": null, "outcome": "settled"}',
      '6744b2f2594fef2c9fd9328dd3a440efb9a8ff51ac38e26ee8df4710739d5029',
      '7dbd825185894d39c3f433a58e116b3791889a44ad8632145691e6db4a1e3cf0')]
EXPECTED_CHECKPOINTS = [(3,
      '19b08365a91f0fd533a83338d15cb2e779fe1be0c491c54b76d880ef59bf8c40',
      '96321cb13fbdd08f95bb7f1b084ff6c8a60ef40a7b15081832e5436533c1bee6'),
     (6,
      '454baff4dc1544ca14623cdf9e63028b46ac3e12fbef2db00fe6230e2f89002c',
      'd9d1a2e7ce0bcb30d38c2f8ea091884a6bf4484d305e9611da4b17759b7aea6a'),
     (9,
      '7dbd825185894d39c3f433a58e116b3791889a44ad8632145691e6db4a1e3cf0',
      'f3000e0ea36fe728faeae1d86ffdebbe85be216f0f096ab20e8d1b8bd9172f03')]
EXPECTED_OUTBOX = [('JudgmentRegistered',
      'case-1',
      'party-2',
      'user:clerk-1',
      '{"occurred_at": "2024-03-04T10:30:15.123456+08:00", "case_id": "case-1", "debtor_id": "party-2", "actor": '
      '"user:clerk-1", "court_id": "330102", "case_number": "\\uff082024\\uff09\\u6d590102\\u62671\\u53f7", "amount": '
      '"5000.50", "currency": "CNY", "creditor_ids": ["party-1"], "debtor_ids": ["party-2", "party-3"]}'),
     ('WarningIssued',
      'case-1',
      None,
      'user:clerk-1',
      '{"occurred_at": "2024-03-04T10:30:15.123456+08:00", "case_id": "case-1", "debtor_id": null, "actor": '
      '"user:clerk-1"}'),
     ('PaymentRecorded',
      'case-1',
      'party-2',
      None,
      '{"occurred_at": "2024-03-07T10:30:15.123456+08:00", "case_id": "case-1", "debtor_id": "party-2", "actor": null, '
      '"payment_id": "pay-1", "amount": "100.00", "currency": "CNY", "paid_on": "2024-03-07", "outstanding": '
      '"4900.50"}'),
     ('DebtorListed',
      'case-1',
      'party-2',
      'user:judge-9',
      '{"occurred_at": "2024-04-13T10:30:15.123456+08:00", "case_id": "case-1", "debtor_id": "party-2", "actor": '
      '"user:judge-9", "listing_id": "listing-1", "grounds": [2, 1], "published_on": "2024-04-13", "expires_on": null, '
      '"published": {"name": "\\u5f20\\u4e09", "id_number": "3301**********1234"}}'),
     ('CaseClosed',
      'case-1',
      None,
      'user:officer-1',
      '{"occurred_at": "2024-06-02T10:30:15.123456+08:00", "case_id": "case-1", "debtor_id": null, "actor": '
      '"user:officer-1", "outcome": "settled", "reason": "\\u81ea\\u613f\\u5c65\\u884c \\"in full\\"\\n"}')]
EXPECTED_AT = ['2024-03-04 02:30:15.123456',
     '2024-03-04 02:30:15.123456',
     '2024-01-01 00:00:00.000000',
     '2024-01-02 03:04:05.000000',
     '2024-03-04 02:30:15.123456',
     '2024-03-04 02:30:15.123456',
     '2024-03-07 02:30:15.123456',
     '2024-04-13 02:30:15.123456',
     '2024-06-02 02:30:15.123456']


def test_stored_audit_rows_checkpoints_and_outbox_rows_keep_their_exact_form(engine):
    _scenario(engine)
    audit = _stored(engine, "SELECT seq, actor, action, subject_type, subject_id, purpose, CAST(details AS TEXT), "
                            "prev_hash, hash FROM audit_log ORDER BY seq")
    assert audit == EXPECTED_AUDIT
    checkpoints = _stored(engine, "SELECT seq, entry_hash, signature FROM audit_checkpoints ORDER BY seq")
    assert checkpoints == EXPECTED_CHECKPOINTS
    outbox = _stored(engine, "SELECT type, case_id, debtor_id, actor, CAST(payload AS TEXT) FROM outbox ORDER BY seq")
    assert outbox == EXPECTED_OUTBOX
    at = [row[0] for row in _stored(engine, "SELECT at FROM audit_log ORDER BY seq")]
    if engine.dialect.name == "sqlite":
        assert at == EXPECTED_AT, "naive UTC text on SQLite"
    else:
        assert at == [datetime.fromisoformat(v).replace(tzinfo=timezone.utc) for v in EXPECTED_AT]
    assert verify_chain(engine, SECRET).ok


def _many() -> list[AuditEntry]:
    start = datetime(2024, 5, 6, 7, 8, 9, 10, tzinfo=timezone.utc)
    return [AuditEntry(at=start + timedelta(seconds=i // 3), actor=f"user:读者{i % 7}", action="read.case",
                       subject_type="case", subject_id=f"case-{i}", purpose="enforcement" if i % 2 else None,
                       details={"n": i, "ids": [f"p{i}", f"p{i + 1}"], "名": "值"} if i % 5 else {})
            for i in range(150)]


def _fingerprint(engine) -> str:
    rows = _stored(engine, "SELECT seq, actor, action, subject_type, subject_id, purpose, CAST(details AS TEXT), "
                           "prev_hash, hash FROM audit_log ORDER BY seq")
    rows += _stored(engine, "SELECT seq, entry_hash, signature FROM audit_checkpoints ORDER BY seq")
    return hashlib.sha256(repr(rows).encode()).hexdigest()


# Computed once with the original implementation; frozen.
EXPECTED_LARGE_FINGERPRINT = "4cc8021351bae02322123c50bcce5971e7283fce166119bf04ba4e9fa1b00074"
EXPECTED_LARGE_OUTBOX_FINGERPRINT = "76fb42feebb1f958d4976d65994376e5a5aacfa54b8ad7173456426f279b2c33"


def test_a_large_append_stores_the_same_rows(engine):
    """Many rows at once go to the database another way (COPY on PostgreSQL): the same rows all the same."""
    trail = AuditTrail(SECRET, checkpoint_every=50)
    with Session(engine) as session, session.begin():
        assert trail.append(session, _many()) == list(range(1, 151))
        write_outbox(session, _events() * 30)
    assert _fingerprint(engine) == EXPECTED_LARGE_FINGERPRINT
    outbox = _stored(engine, "SELECT type, case_id, debtor_id, actor, CAST(payload AS TEXT) FROM outbox ORDER BY seq")
    assert len(outbox) == 150
    assert hashlib.sha256(repr(outbox).encode()).hexdigest() == EXPECTED_LARGE_OUTBOX_FINGERPRINT
    at = [row[0] for row in _stored(engine, "SELECT at FROM audit_log WHERE seq IN (1, 150) ORDER BY seq")]
    expected_at = [datetime(2024, 5, 6, 7, 8, 9, 10, tzinfo=timezone.utc),
                   datetime(2024, 5, 6, 7, 8, 58, 10, tzinfo=timezone.utc)]
    if engine.dialect.name == "sqlite":
        assert at == ["2024-05-06 07:08:09.000010", "2024-05-06 07:08:58.000010"]
    else:
        assert at == expected_at
    assert verify_chain(engine, SECRET).ok


def _audit_rows(engine, write) -> list[tuple]:
    """The audit rows ``write(session)`` appends to an empty log; rolled back afterwards."""
    with Session(engine) as session:
        with session.begin():
            write(session)
            rows = [tuple(row) for row in session.connection().exec_driver_sql(
                "SELECT seq, at, actor, action, subject_type, subject_id, purpose, CAST(details AS TEXT), prev_hash, "
                "hash FROM audit_log ORDER BY seq")]
            session.rollback()
    return rows


def test_the_hook_writes_for_each_event_the_entry_entry_for_event_makes(engine):
    """The hook puts the events' entries together directly (a bulk write appends tens of thousands): the same
    rows as appending ``entry_for_event`` of each, for instants in UTC and in other zones, any actor and case."""
    utc = AT.astimezone(timezone.utc)
    events = _events() + [
        ev.WarningIssued(occurred_at=utc, case_id="case-2", actor=None),
        ev.PaymentRecorded(occurred_at=utc, case_id="", debtor_id="party-2", actor="user:" + "长" * 120,
                           payment_id="pay-2", amount=Decimal("0.5"), currency="CNY", paid_on=date(2024, 3, 4),
                           outstanding=Decimal("0")),
        ev.DebtorListed(occurred_at=utc + timedelta(microseconds=1), case_id="c" * 80, debtor_id="party-2",
                        actor="user:judge-9", listing_id="listing-2", grounds=(1,), published_on=date(2024, 4, 13),
                        expires_on=date(2026, 4, 13), published={"name": "李四"}),
        ev.CaseClosed(occurred_at=datetime(2024, 6, 1, tzinfo=timezone(timedelta(hours=-5))), case_id="case-3",
                      actor="system:tick", outcome="fruitless"),
    ]
    trail = AuditTrail(SECRET, checkpoint_every=3)
    hooked = _audit_rows(engine, lambda session: trail.hook(session, events))
    appended = _audit_rows(engine, lambda session: trail.append(session, [entry_for_event(e) for e in events]))
    assert len(hooked) == len(events)
    assert hooked == appended
