"""Appending to the audit log inside the caller's transaction, one linear chain under a lock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from keepword.audit.chain import GENESIS, canonical_json, chained_hash, checkpoint_signature
from keepword.audit.entries import AuditEntry, entry_for_event
from keepword.store.bulk_insert import json_text, timestamp_form, write_rows

# Any fixed 64-bit number works; it only has to be the same for every writer of the audit log.
_PG_AUDIT_LOCK = 0x6B77_6175_6469_74

_HEAD = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
# Lock and head in one round trip, as two statements: under READ COMMITTED each statement sees what was
# committed when it started, so the read that follows the lock sees the entries of the writer it waited for
# (one statement doing both would read from before the wait, and fork the chain).
_PG_LOCK_AND_HEAD = f"SELECT pg_advisory_xact_lock({_PG_AUDIT_LOCK}); {_HEAD}"

_ENTRY_COLUMNS = ("seq", "at", "actor", "action", "subject_type", "subject_id", "purpose", "details", "prev_hash",
                  "hash")
_ENTRY_JSON = frozenset({"details"})
_CHECKPOINT_COLUMNS = ("seq", "entry_hash", "signature", "created_at")


class AuditTrail:
    """The writer of the audit log. ``hook`` is a unit-of-work ``before_commit`` hook."""

    def __init__(self, secret: str, checkpoint_every: int = 100) -> None:
        self.secret = secret
        self.checkpoint_every = checkpoint_every

    def append(self, conn: Session | Connection, entries: Iterable[AuditEntry]) -> list[int]:
        """Chain ``entries`` after the last one, in the caller's transaction; returns their sequence numbers.

        Everything but the chaining (the entries' canonical text, their values in database form) is done
        before the lock is taken, so concurrent writers hold it only for the hashes and the inserts.
        """
        connection = conn.connection() if isinstance(conn, Session) else conn
        prepared = _prepared(entries, connection.dialect)
        if not prepared:
            return []
        first, prev = _locked_head(connection)
        seq, every = first, self.checkpoint_every
        rows, checkpoints = [], []
        for canonical, values in prepared:
            seq += 1
            digest = chained_hash(prev, canonical)
            rows.append((seq, *values, prev, digest))
            if seq % every == 0:
                checkpoints.append((seq, digest, checkpoint_signature(self.secret, seq, digest), values[0]))
            prev = digest
        write_rows(connection, "audit_log", _ENTRY_COLUMNS, rows, _ENTRY_JSON)
        write_rows(connection, "audit_checkpoints", _CHECKPOINT_COLUMNS, checkpoints)
        return list(range(first + 1, seq + 1))

    def hook(self, session: Session, events: list) -> None:
        """Before commit: one entry per domain event, with the event's actor."""
        self.append(session, [entry_for_event(e) for e in events])

    def record(self, engine: Engine, *entries: AuditEntry) -> list[int]:
        """Entries that stand alone (a read of personal data, a login), in a transaction of their own."""
        with Session(engine) as session, session.begin():
            return self.append(session, entries)


def _prepared(entries: Iterable[AuditEntry], dialect) -> list[tuple[str, tuple]]:
    """Each entry's canonical JSON (what its hash covers) and its stored values from ``at`` to ``details``,
    in database form (the timestamp by its column type's own processor, the details as Core's JSON text)."""
    to_database = timestamp_form(dialect)  # audit_log.at is a UTCDateTime column
    stamps: dict[datetime, object] = {}  # the entries of one append mostly share their instant
    out = []
    for entry in entries:
        content = entry.content()
        stamp = stamps.get(entry.at)
        if stamp is None:
            stamp = stamps[entry.at] = to_database(entry.at)
        out.append((canonical_json(content), (stamp, content["actor"], content["action"], content["subject_type"],
                                              content["subject_id"], content["purpose"],
                                              json_text(content["details"]))))
    return out


def _locked_head(conn: Connection) -> tuple[int, str]:
    """The last entry's (seq, hash), (0, GENESIS) for an empty log, with the chain locked to the end of the
    transaction: one round trip. (SQLite needs no lock: every transaction starts with BEGIN IMMEDIATE, one
    writer at a time.)"""
    if not conn.in_transaction():
        conn.begin()  # what Core's autobegin would do: the lock lasts to the caller's commit
    driver = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with driver.cursor() as cursor:
            cursor.execute(_PG_LOCK_AND_HEAD)
            cursor.nextset()
            last = cursor.fetchone()
    else:
        last = driver.execute(_HEAD).fetchone()
    return (last[0], last[1]) if last else (0, GENESIS)
