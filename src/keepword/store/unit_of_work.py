"""The unit of work: one transaction for state, outbox rows and audit entries."""

from __future__ import annotations

import os
import uuid

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from keepword.domain.errors import AlreadyExists, ConcurrencyConflict
from keepword.domain.events import Event
from keepword.store.bulk_insert import json_text, timestamp_form, write_rows
from keepword.store.mapping import start_mappers
from keepword.store.repositories import CaseRepository, CourtRepository, PartyRepository


def outbox_row(event: Event) -> dict:
    """The outbox row of ``event`` in Python values, as Core inserts it."""
    return {"event_id": str(uuid.uuid4()), "type": type(event).__name__, "case_id": event.case_id,
            "debtor_id": event.debtor_id, "actor": event.actor, "occurred_at": event.occurred_at,
            "payload": event.payload()}


OUTBOX_COLUMNS = ("event_id", "type", "case_id", "debtor_id", "actor", "occurred_at", "payload")
_OUTBOX_JSON = frozenset({"payload"})


def write_outbox(session: Session, events: list[Event]) -> None:
    """Insert the outbox rows of ``events``, in their order, straight to the driver (:func:`write_rows`:
    multi-row ``INSERT`` statements on SQLite; ``COPY`` or one multi-row ``INSERT`` on PostgreSQL)."""
    conn = session.connection()
    write_rows(conn, "outbox", OUTBOX_COLUMNS, outbox_rows(events, conn.dialect), _OUTBOX_JSON)


def outbox_rows(events: list[Event], dialect) -> list[tuple]:
    """The outbox rows of ``events`` (values in :data:`OUTBOX_COLUMNS` order) in ``dialect``'s database form.

    The values are put in database form here (the timestamp by its column type's own bind
    processor, once per instant; the payload as the JSON text Core would store) instead of by Core
    for every row: for the thousands of events of a bulk import that per-row processing cost more
    than the insert.
    """
    to_database = timestamp_form(dialect)  # occurred_at is a UTCDateTime column
    last_at, stamp = None, None  # the events of one commit share their instants, in runs
    rows = []
    append = rows.append
    for event, event_id in zip(events, _uuid4_texts(len(events))):
        at = event.occurred_at
        if at is not last_at:
            last_at, stamp = at, to_database(at)
        append((event_id, event.__class__.__name__, event.case_id, event.debtor_id, event.actor, stamp,
                json_text(event.payload())))
    return rows


def _uuid4_texts(count: int) -> list[str]:
    """``count`` random (version 4) UUIDs as text, like ``str(uuid.uuid4())`` but from one read of the OS's
    random source and without building UUID objects."""
    digits = os.urandom(16 * count).hex()
    variant = _VARIANT
    return [f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant[h[16]]}{h[17:20]}-{h[20:]}"
            for h in (digits[start:start + 32] for start in range(0, 32 * count, 32))]


# The first hex digit of the clock_seq field with its top two bits set to the RFC 4122 variant (10).
_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}


class SqlUnitOfWork:
    """``with uow: ...; uow.commit()``: leaving the block without commit rolls back."""

    def __init__(self, engine: Engine) -> None:
        start_mappers()
        self.engine = engine
        self.session_factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
        self.session: Session | None = None
        self.after_commit: list = []
        # Called with (session, events) inside the transaction, before it commits (audit log, feed).
        self.before_commit: list = []

    def __enter__(self) -> SqlUnitOfWork:
        self.session = self.session_factory()
        self.cases = CaseRepository(self.session)
        self.parties = PartyRepository(self.session)
        self.courts = CourtRepository(self.session)
        self.extra_events: list[Event] = []
        self.written_events: list[Event] = []
        return self

    def __exit__(self, *exc) -> None:
        if self.session is not None:
            # Detach what was loaded first, so a read-only block leaves usable objects rather than
            # expired ones; nothing uncommitted is written either way.
            self.session.expunge_all()
            self.session.rollback()
            self.session.close()
            self.session = None

    def record(self, event: Event) -> None:
        """An event not raised by a case aggregate (party changes, for instance)."""
        self.extra_events.append(event)

    def record_written(self, events: list[Event]) -> None:
        """Events whose outbox rows the caller has already written in this unit of work's transaction (a bulk
        writer, with its own rows): the commit does not write them again, but hands them to the before-commit
        hooks and returns them, first and in this order."""
        self.written_events.extend(events)

    def collect_events(self) -> list[Event]:
        events: list[Event] = []
        for case in self.cases.seen.values():
            events.extend(case.events)
        return events + self.extra_events

    def commit(self) -> list[Event]:
        """Flush state, write outbox rows, commit; returns the events written."""
        assert self.session is not None, "commit outside the unit of work"
        unwritten = self.collect_events()
        events = self.written_events + unwritten if self.written_events else unwritten
        for case in self.cases.seen.values():
            if case.events:
                # A change may touch only child rows, at the instant of the last one (updated_at unchanged):
                # the version must still move, or a concurrent change to the case would go unnoticed.
                flag_modified(case, "updated_at")
        try:
            self.session.flush()
            if unwritten:
                write_outbox(self.session, unwritten)
            for hook in self.before_commit:
                hook(self.session, events)
            self.session.commit()
        except StaleDataError:
            self.session.rollback()
            raise ConcurrencyConflict("the record was changed by someone else since it was read: reload and retry") from None
        except IntegrityError as exc:
            self.session.rollback()
            raise _integrity_error(exc) from None
        for case in self.cases.seen.values():
            case.events.clear()
        self.extra_events.clear()
        self.written_events.clear()
        for callback in self.after_commit:
            callback(events)
        return events

    def rollback(self) -> None:
        if self.session is not None:
            self.session.rollback()


def _integrity_error(exc: IntegrityError) -> AlreadyExists:
    text = str(exc.orig).lower()
    if "case_number" in text or "uq_cases" in text:
        return AlreadyExists("case_number: this court already has a case with that number", field="case_number")
    if "id_number" in text:
        return AlreadyExists("id_number: a party with that ID number exists already", field="id_number")
    if "credit_code" in text:
        return AlreadyExists("credit_code: a party with that credit code exists already", field="credit_code")
    return AlreadyExists(f"conflicting record: {exc.orig}")
