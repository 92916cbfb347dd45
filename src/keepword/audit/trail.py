"""Appending to the audit log inside the caller's transaction, one linear chain under a lock."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

from keepword.audit.chain import GENESIS, checkpoint_signature, entry_hash
from keepword.audit.entries import AuditEntry, entry_for_event
from keepword.store import tables as t

# Any fixed 64-bit number works; it only has to be the same for every writer of the audit log.
_PG_AUDIT_LOCK = 0x6B77_6175_6469_74


def _dialect(conn) -> str:
    return conn.get_bind().dialect.name if isinstance(conn, Session) else conn.dialect.name


class AuditTrail:
    """The writer of the audit log. ``hook`` is a unit-of-work ``before_commit`` hook."""

    def __init__(self, secret: str, checkpoint_every: int = 100) -> None:
        self.secret = secret
        self.checkpoint_every = checkpoint_every

    def append(self, conn: Session, entries: Iterable[AuditEntry]) -> list[int]:
        """Chain ``entries`` after the last one, in the caller's transaction; returns their sequence numbers."""
        entries = list(entries)
        if not entries:
            return []
        if _dialect(conn) == "postgresql":
            # Held to the end of the transaction: concurrent writers queue here, so seq and prev_hash never fork.
            # (SQLite needs nothing: every transaction starts with BEGIN IMMEDIATE, one writer at a time.)
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
        last = conn.execute(select(t.audit_log.c.seq, t.audit_log.c.hash)
                            .order_by(t.audit_log.c.seq.desc()).limit(1)).first()
        seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
        rows, checkpoints = [], []
        for entry in entries:
            seq += 1
            content = entry.content()
            digest = entry_hash(prev, content)
            rows.append({"seq": seq, "at": entry.at, "actor": content["actor"], "action": content["action"],
                         "subject_type": content["subject_type"], "subject_id": content["subject_id"],
                         "purpose": content["purpose"], "details": content["details"], "prev_hash": prev,
                         "hash": digest})
            if seq % self.checkpoint_every == 0:
                checkpoints.append({"seq": seq, "entry_hash": digest, "created_at": entry.at,
                                    "signature": checkpoint_signature(self.secret, seq, digest)})
            prev = digest
        conn.execute(insert(t.audit_log), rows)
        if checkpoints:
            conn.execute(insert(t.audit_checkpoints), checkpoints)
        return [r["seq"] for r in rows]

    def hook(self, session: Session, events: list) -> None:
        """Before commit: one entry per domain event, with the event's actor."""
        self.append(session, [entry_for_event(e) for e in events])

    def record(self, engine: Engine, *entries: AuditEntry) -> list[int]:
        """Entries that stand alone (a read of personal data, a login), in a transaction of their own."""
        with Session(engine) as session, session.begin():
            return self.append(session, entries)
