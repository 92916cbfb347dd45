"""Appending to the audit log inside the caller's transaction, one linear chain under a lock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from keepword.audit.chain import GENESIS, canonical_json, chained_hash, checkpoint_signature, json_string
from keepword.audit.entries import AuditEntry, event_details, utc_text
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
        return self._chain(connection, _prepared(entries, connection.dialect))

    def _chain(self, connection: Connection, prepared: list[tuple[str, tuple]]) -> list[int]:
        """Chain prepared entries (canonical JSON, stored values from ``at`` to ``details``) after the last one."""
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
        """Before commit: one entry per domain event, with the event's actor (what ``append`` of
        :func:`~keepword.audit.entries.entry_for_event` of each would write, made straight from the events)."""
        if events:
            connection = session.connection()
            self._chain(connection, _prepared_events(events, connection.dialect))

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


def _prepared_events(events: Iterable, dialect) -> list[tuple[str, tuple]]:
    """:func:`_prepared` of the events' entries (:func:`~keepword.audit.entries.entry_for_event`), without
    building them: a bulk write (import, demo) appends tens of thousands at a time.

    An event's entry has fixed keys, so its canonical JSON (sorted keys, no spaces) is put together here
    around the canonical JSON of its details; the golden test of the stored form
    (tests/integration/test_audit_format.py) holds it to the bytes :func:`canonical_json` gives for the entry.
    """
    to_database = timestamp_form(dialect)  # audit_log.at is a UTCDateTime column
    last_at, stamp, at_json = None, None, ""
    actions: dict[type, tuple[str, str]] = {}
    actors: dict[str | None, tuple[str, str]] = {}
    out = []
    for event in events:
        kind = event.__class__
        action = actions.get(kind)
        if action is None:
            name = f"event.{event.type}"[:60]
            action = actions[kind] = (name, '{"action":' + json_string(name))
        actor = actors.get(event.actor)
        if actor is None:
            text = (event.actor or "system")[:100]
            actor = actors[event.actor] = (text, ',"actor":' + json_string(text))
        details = event_details(event)  # makes the payload, where an instant in UTC is its UTC text already
        at = event.occurred_at
        if at is not last_at:  # the events of a bulk write share their instants, in runs
            last_at, stamp = at, to_database(at)
            text = event.payload()["occurred_at"] if at.tzinfo is timezone.utc else utc_text(at)
            at_json = ',"at":"' + text + '","details":'
        subject_id = event.case_id[:64] if event.case_id else None
        out.append((f'{action[1]}{actor[1]}{at_json}{canonical_json(details)},"purpose":null,"subject_id":'
                    f'{"null" if subject_id is None else json_string(subject_id)},"subject_type":"case"}}',
                    (stamp, actor[0], action[0], "case", subject_id, None, json_text(details))))
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
