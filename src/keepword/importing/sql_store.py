"""The SQL side of a bulk import: look-ups in bulk, and rows handed straight to the driver.

Everything runs in the unit of work's session, so the whole import is one transaction, and the
unit of work still runs its before-commit hooks. Rows, the events' outbox rows among them, go to the
driver in the form it takes (:func:`keepword.store.bulk_insert.insert_on_driver`): multi-row
``INSERT`` statements on SQLite, on a thread of their own while the import checks its next chunk;
``COPY`` on PostgreSQL. Neither the ORM's object-at-a-time flush nor Core's per-row bind processing:
both cost more than the inserts themselves.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import partial

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from keepword.domain.cases import CREDITOR, DEBTOR, OPEN
from keepword.domain.errors import AlreadyExists
from keepword.domain.events import Event, JudgmentRegistered, WarningIssued
from keepword.domain.ids import new_ids
from keepword.domain.parties import PERSON
from keepword.importing.rows import PartyRecord
from keepword.services.imports import NewCase
from keepword.store import tables as t
from keepword.store.bulk_insert import DatabaseForm, cents, insert_on_driver, json_text, timestamp_form
from keepword.store.sqlite_json import amount_text, uuid4_text
from keepword.store.unit_of_work import OUTBOX_COLUMNS, outbox_rows
from keepword.store.write_behind import WriteBehind


class SqlImportStore:
    """The :class:`~keepword.services.imports.CaseImportStore` on SQLAlchemy: bulk reads, driver-level writes."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._behind = WriteBehind(threaded=session.get_bind().dialect.name == "sqlite")

    def existing_courts(self, court_ids: Iterable[str]) -> set[str]:
        """Which of these court ids are registered."""
        ids = list(set(court_ids))
        if not ids:
            return set()
        return set(self.session.scalars(select(t.courts.c.id).where(t.courts.c.id.in_(ids))))

    def registered_case_numbers(self, court_id: str, numbers: Iterable[str]) -> set[str]:
        """Which of these case numbers the court has registered already."""
        found = set()
        for part in _parts(set(numbers)):
            found.update(number for (number,) in self._select(
                "SELECT case_number FROM cases WHERE court_id = {} AND case_number IN ({})", [court_id], part))
        return found

    def parties_by_identifier(self, id_numbers: Iterable[str], credit_codes: Iterable[str]) -> dict[str, PartyRecord]:
        """Registered parties with these identifiers, keyed by identifier."""
        found = {}
        for column, identifiers in (("id_number", set(id_numbers)), ("credit_code", set(credit_codes))):
            for part in _parts(identifiers):
                for party_id, kind, name, id_number, credit_code, phones in self._select(
                        f"SELECT id, kind, name, id_number, credit_code, phones FROM parties WHERE {column} IN ({{}})",
                        [], part):
                    identifier = id_number if kind == PERSON else credit_code
                    if isinstance(phones, str):  # SQLite gives the JSON text, psycopg the list
                        phones = json.loads(phones)
                    found[identifier] = PartyRecord(kind, name, identifier, phones=list(phones or []), id=party_id)
        return found

    def _select(self, sql: str, fixed: list, values: list) -> list[tuple]:
        # The look-ups by the thousand, as plain SQL: Core's handling of an IN list of that size cost more
        # than the query.
        conn = self.session.connection()
        mark = "?" if conn.dialect.name == "sqlite" else "%s"
        sql = sql.format(*[mark] * len(fixed), ", ".join([mark] * len(values)))
        return conn.exec_driver_sql(sql, tuple(fixed + values)).fetchall()

    def insert(self, parties: list[PartyRecord], cases: list[NewCase], *, policy_id: str, at: datetime,
               warned_on: date) -> None:
        """Begin writing new parties (with their legal representatives), then open, warned cases and their
        parties; :meth:`written` tells whether they were written.

        The rows are made here; on SQLite the insert runs on a thread of its own
        (:class:`~keepword.store.write_behind.WriteBehind`), while the import goes on.
        """
        conn = self.session.connection()  # the import's transaction, begun before the write starts
        form = DatabaseForm(conn.dialect)
        day = form.day
        party_rows = [(p.id, p.kind, p.name, p.identifier if p.kind == PERSON else None,
                       None if p.kind == PERSON else p.identifier, None if p.birth_date is None else day(p.birth_date),
                       p.sex, _json_phones(p.phones)) for p in parties]
        represented = [p for p in parties if p.legal_representative is not None]
        bound_rows = [(bound_id, p.id, "legal_representative", p.legal_representative.name,
                       p.legal_representative.id_number) for bound_id, p in zip(new_ids(len(represented)), represented)]
        # The state EnforcementCase.register followed by issue_warning leaves a case in.
        stamp, warned = form.timestamp(at), day(warned_on)
        case_rows = [(case.id, case.court_id, case.case_number, policy_id, cents(case.obligation.amount),
                      case.obligation.currency, case.obligation_text, day(case.filed_on), day(case.judgment_date),
                      day(case.effective_date), warned, OPEN, stamp, stamp, 1) for case in cases]
        link_ids = iter(new_ids(2 * len(cases)))
        link_rows = []
        for case in cases:
            link_rows.append((next(link_ids), case.id, case.creditor_id, CREDITOR, 1, False))
            link_rows.append((next(link_ids), case.id, case.debtor_id, DEBTOR, 1, False))
        tables = ((t.parties.name, party_rows), (t.bound_persons.name, bound_rows), (t.cases.name, case_rows),
                  (t.case_parties.name, link_rows))
        self._behind.start(partial(_write_chunk, conn.connection.driver_connection, conn.dialect, tables))

    def insert_events(self, events: list[Event]) -> None:
        """Begin writing the outbox rows of ``events``, after the rows of the last :meth:`insert` (not at all
        when those are refused).

        On SQLite the outbox rows of registrations (:func:`_registered`) are made by the database from the
        case rows, on the writer thread; other events' rows are made here.
        """
        conn = self.session.connection()
        driver = conn.connection.driver_connection
        registered = _registered(events) if conn.dialect.name == "sqlite" else None
        if registered is not None:
            case_ids, at, actor = registered
            params = (actor, timestamp_form(conn.dialect)(at), at.isoformat(), CREDITOR, DEBTOR, json_text(case_ids))
            self._behind.start(partial(driver.execute, _REGISTRATION_OUTBOX, params))
            return
        rows = outbox_rows(events, conn.dialect)
        self._behind.start(partial(insert_on_driver, driver, conn.dialect.name, t.outbox.name, OUTBOX_COLUMNS, rows))

    def written(self) -> None:
        """Wait for the rows of the last :meth:`insert` and :meth:`insert_events`. AlreadyExists when the
        database refused one of them (another writer registered one of the cases or parties since it was
        looked up): then none of that chunk is written, and the import's transaction goes on."""
        self._behind.wait()

    def close(self) -> None:
        """End the writer thread, once the writes started are done."""
        self._behind.close()

    def update_phones(self, parties: list[PartyRecord]) -> None:
        """Store the phone numbers the import added to parties written earlier."""
        if parties:
            statement = update(t.parties).where(t.parties.c.id == bindparam("party_id")).values(
                phones=bindparam("new_phones"))
            with _refused_as_already_exists():
                self.session.connection().execute(statement, [{"party_id": p.id, "new_phones": list(p.phones)}
                                                              for p in parties])


# The columns the import fills, in the order of the row tuples above; the others are NULL.
_COLUMNS = {
    "parties": ("id", "kind", "name", "id_number", "credit_code", "birth_date", "sex", "phones"),
    "bound_persons": ("id", "party_id", "role", "name", "id_number"),
    "cases": ("id", "court_id", "case_number", "policy_id", "obligation_cents", "currency", "obligation_text",
              "filed_on", "judgment_date", "effective_date", "warned_on", "status", "created_at", "updated_at",
              "version"),
    "case_parties": ("id", "case_id", "party_id", "role", "performance_order", "guarantee_given"),
}


def _registered(events: list[Event]) -> tuple[list[str], datetime, str | None] | None:
    """``(case ids, instant, actor)`` when ``events`` are, case after case, the JudgmentRegistered and
    WarningIssued that registering a case records, at one instant by one actor, as the import records them
    (each JudgmentRegistered made from the case row it inserted, with its one creditor and one debtor);
    None otherwise."""
    if not events or len(events) % 2:
        return None
    first = events[0]
    at, actor = first.occurred_at, first.actor
    case_ids = []
    for registered, warned in zip(events[::2], events[1::2]):
        if (registered.__class__ is not JudgmentRegistered or warned.__class__ is not WarningIssued
                or registered.case_id != warned.case_id or registered.occurred_at != at or warned.occurred_at != at
                or registered.actor != actor or warned.actor != actor or registered.debtor_id is not None
                or warned.debtor_id is not None or len(registered.creditor_ids) != 1
                or len(registered.debtor_ids) != 1):
            return None
        case_ids.append(registered.case_id)
    return case_ids, at, actor


# The outbox rows of the JudgmentRegistered and WarningIssued of each of the chunk's cases (ids in a JSON
# array, in order), made by SQLite from the rows just inserted, on the writer thread: the same columns and
# payloads as outbox_rows makes from the events (tested), without two dicts and two JSON texts per case in
# Python. Event ids are random (version 4) UUIDs, as uuid.uuid4() gives them.
_REGISTRATION_OUTBOX = f"""
WITH parameters(actor, stamp, instant, creditor, debtor) AS (VALUES (?, ?, ?, ?, ?)),
chunk AS MATERIALIZED (
    SELECT ids.key AS n, c.id, c.court_id, c.case_number, c.obligation_cents, c.currency,
           hex(randomblob(16)) AS registered_event, hex(randomblob(16)) AS warned_event,
           (SELECT party_id FROM case_parties WHERE case_id = c.id AND role = parameters.creditor) AS creditor_id,
           (SELECT party_id FROM case_parties WHERE case_id = c.id AND role = parameters.debtor) AS debtor_id
    FROM json_each(?) AS ids JOIN cases AS c ON c.id = ids.value, parameters
)
INSERT INTO outbox (event_id, type, case_id, debtor_id, actor, occurred_at, payload)
SELECT event_id, type, case_id, NULL, actor, stamp, payload FROM (
    SELECT n, 0 AS k, {uuid4_text("registered_event")} AS event_id, 'JudgmentRegistered' AS type,
           chunk.id AS case_id,
           json_object('occurred_at', instant, 'case_id', chunk.id, 'debtor_id', NULL, 'actor', actor,
                       'court_id', court_id, 'case_number', case_number,
                       'amount', {amount_text("obligation_cents")},
                       'currency', currency, 'creditor_ids', json_array(creditor_id),
                       'debtor_ids', json_array(debtor_id)) AS payload
    FROM chunk, parameters
    UNION ALL
    SELECT n, 1, {uuid4_text("warned_event")}, 'WarningIssued', chunk.id,
           json_object('occurred_at', instant, 'case_id', chunk.id, 'debtor_id', NULL, 'actor', actor)
    FROM chunk, parameters
), parameters
ORDER BY n, k
"""


def _write_chunk(driver, dialect, tables: tuple[tuple[str, list[tuple]], ...]) -> None:
    """Insert one chunk's rows on the DB-API connection in a savepoint: when another writer took one of its
    cases or parties since the look-ups, none of the chunk stays written and the import's transaction goes
    on, to check the chunk again."""
    driver.execute("SAVEPOINT import_chunk")
    try:
        for table, rows in tables:
            insert_on_driver(driver, dialect.name, table, _COLUMNS[table], rows)
    except dialect.dbapi.IntegrityError as exc:
        driver.execute("ROLLBACK TO SAVEPOINT import_chunk")
        driver.execute("RELEASE SAVEPOINT import_chunk")
        raise _taken_meanwhile(exc) from None
    driver.execute("RELEASE SAVEPOINT import_chunk")


def _json_phones(phones: list[str]) -> str:
    """``json.dumps(phones)``; checked phone numbers (ASCII digits and "+") need no escaping, so joined directly."""
    if not phones:
        return "[]"
    joined = '", "'.join(phones)
    if joined.isascii() and joined.replace('", "', "").replace("+", "").isdigit():
        return f'["{joined}"]'
    return json.dumps(phones)


@contextmanager
def _refused_as_already_exists():
    try:
        yield
    except IntegrityError as exc:
        raise _taken_meanwhile(exc) from None


def _taken_meanwhile(exc: Exception) -> AlreadyExists:
    # Only a concurrent writer can cause this: every row was checked against the database first.
    return AlreadyExists(f"a case or party in this file was registered by someone else during the import; "
                         f"nothing was written, run the import again ({_constraint(exc)})")


def _parts(values: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    """Values in lists short enough for one statement's parameters (SQLite allows 32,766 at most)."""
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _constraint(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc)).splitlines()[0]
    return text[:200]


def case_import_store(uow) -> SqlImportStore:
    """The bulk store working in ``uow``'s session (pass it to ``import_cases``)."""
    return SqlImportStore(uow.session)
