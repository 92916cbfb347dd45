"""Bulk import of enforcement cases, the way courts hand over batches.

Every row is checked by the domain's rules (:func:`keepword.importing.rows.parse_row`: Money.parse,
the identifier checks of Party.person / Party.organization; then
:func:`keepword.domain.cases.check_registration`, the rules of EnforcementCase.register) and by
the checks that need the database: the court exists, the case number is new at that court and
not repeated in the file. A bad row is reported with its line, the column and the reason.

All or nothing: when any row is bad nothing is written, unless ``skip_invalid`` asks for the
good rows. Rows are checked and written in chunks inside ONE transaction (the unit of work's), so
memory stays bounded and a failure anywhere leaves the registry as it was; while the store writes a
chunk, the next one is read and checked. Each case gets what registering it one by one gives: the
execution notice's warning, and JudgmentRegistered and WarningIssued in the outbox (written with the
chunk's rows, and handed to the unit of work, so its before-commit hooks see them).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import Protocol

from keepword.domain import events as ev
from keepword.domain.cases import check_registration
from keepword.domain.errors import AlreadyExists, NotFound, ValidationFailed
from keepword.domain.ids import new_id, new_ids
from keepword.domain.money import Money
from keepword.importing.readers import LINE
from keepword.importing.rows import ParsedRow, PartyRecord, RowError, parse_row, reason_of
from keepword.services.context import ServiceContext

__all__ = ["CaseImportStore", "ImportReport", "NewCase", "RowError", "import_cases"]

CHUNK_ROWS = 1000
# Checks of one chunk against the registry, when other writers keep registering its cases or parties meanwhile.
_ATTEMPTS = 3
# Fields named by check_registration's errors, as the import file's columns call them.
_COLUMN_OF = {"court": "court_id", "creditors": "creditor_id", "debtors": "debtor_id", "parties": "debtor_id"}

Progress = Callable[[int, int], None]  # (rows checked, rows written) so far


@dataclass(slots=True)
class NewCase:
    """A checked case to insert, with its one creditor and one debtor."""

    id: str
    court_id: str
    case_number: str
    obligation: Money
    obligation_text: str
    filed_on: date
    judgment_date: date
    effective_date: date
    creditor_id: str
    debtor_id: str


class CaseImportStore(Protocol):
    """Bulk look-ups and writes inside the unit of work's transaction."""

    def existing_courts(self, court_ids: Iterable[str]) -> set[str]:
        """Which of these court ids are registered."""

    def registered_case_numbers(self, court_id: str, numbers: Iterable[str]) -> set[str]:
        """Which of these case numbers the court has registered already."""

    def parties_by_identifier(self, id_numbers: Iterable[str], credit_codes: Iterable[str]) -> dict[str, PartyRecord]:
        """Registered parties with these identifiers, keyed by identifier."""

    def insert(self, parties: list[PartyRecord], cases: list[NewCase], *, policy_id: str, at: datetime,
               warned_on: date) -> None:
        """Begin inserting new parties, and the cases (open, warned on ``warned_on``) with their parties.

        The store may go on writing after it returns: until :meth:`written` has returned, the import makes
        no call to it but :meth:`insert_events`.
        """

    def insert_events(self, events: list[ev.Event]) -> None:
        """Begin inserting the outbox rows of ``events``, after the rows of the last :meth:`insert`."""

    def written(self) -> None:
        """Wait until the rows of the last :meth:`insert` and :meth:`insert_events` are written.

        All or none of them: AlreadyExists when another writer registered one of the cases or parties since
        it was looked up (the transaction stays usable, so the batch can be checked again).
        """

    def update_phones(self, parties: list[PartyRecord]) -> None:
        """Store the phone numbers of parties that gained some."""

    def close(self) -> None:
        """Release what the store holds for the import (a writer thread), whatever the outcome."""


@dataclass
class ImportReport:
    """What an import did: ``committed`` is False when nothing was written."""

    rows: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False

    @property
    def skipped(self) -> int:
        return self.rows - self.imported

    @property
    def bad_rows(self) -> int:
        return len({e.line for e in self.errors})

    def as_dict(self) -> dict:
        return {"rows": self.rows, "imported": self.imported, "skipped": self.skipped, "bad_rows": self.bad_rows,
                "committed": self.committed,
                "errors": [{"line": e.line, "field": e.field, "reason": e.reason} for e in self.errors]}


def import_cases(ctx: ServiceContext, store_for: Callable[[object], CaseImportStore], rows: Iterable[Mapping], *,
                 by: str, skip_invalid: bool = False, court_id: str | None = None, progress: Progress | None = None,
                 chunk_rows: int = CHUNK_ROWS) -> ImportReport:
    """Check and register a batch of cases in one transaction (see the module docstring).

    ``store_for(uow)`` gives the bulk store working in that unit of work
    (:func:`keepword.importing.sql_store.case_import_store`). ``rows`` are dicts keyed by the
    column names of docs/import.md, with the file line under ``"line"`` (the readers of
    :mod:`keepword.importing.readers` produce them from CSV or XLSX). ``court_id`` makes every
    row belong to that court. ``by`` is the accountable officer.
    """
    with _collector_paused():
        # Everything the import built is dropped when _import returns, before the collector resumes.
        return _import(ctx, store_for, rows, by=by, skip_invalid=skip_invalid, court_id=court_id, progress=progress,
                       chunk_rows=chunk_rows)


def _import(ctx: ServiceContext, store_for: Callable[[object], CaseImportStore], rows: Iterable[Mapping], *,
            by: str, skip_invalid: bool, court_id: str | None, progress: Progress | None,
            chunk_rows: int) -> ImportReport:
    report = ImportReport()
    with ctx.uow() as uow:
        store = store_for(uow)
        if court_id is not None and not store.existing_courts([court_id]):
            raise NotFound(f"court_id: no court {court_id} is registered", court_id=court_id)
        batch = _Batch(ctx, uow, store, report, by=by, skip_invalid=skip_invalid, court_id=court_id)
        try:
            for chunk in _chunks(rows, chunk_rows):
                batch.add(chunk)
                if progress:
                    progress(report.rows, report.imported)
            batch.settle()
        finally:
            store.close()  # after a failure too: no write may still run when the transaction rolls back
        report.errors.sort()
        if report.errors and not skip_invalid:
            report.imported = 0
            uow.rollback()
            return report
        batch.finish()
        uow.commit()
    report.committed = True
    return report


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while an import runs, as bulk loaders do.

    An import allocates millions of small objects that live until the commit (events, rows, parties), and
    the collector kept walking them and everything else the process holds: about 15% of the import's time.
    Reference counting still frees what the import drops; only reference cycles wait until the end.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _chunks(rows: Iterable[Mapping], size: int) -> Iterator[list[Mapping]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass(slots=True)
class _Chunk:
    """The checked rows of one chunk, and what registering them gave: written, or forgotten when refused."""

    rows: list[ParsedRow]
    attempt: int
    cases: list[NewCase] = field(default_factory=list)
    new_parties: list[PartyRecord] = field(default_factory=list)  # first seen in this chunk
    events: list[ev.Event] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # found against the registry


class _Batch:
    """What one import carries from chunk to chunk: what it has seen, resolved and written."""

    def __init__(self, ctx: ServiceContext, uow, store: CaseImportStore, report: ImportReport, *, by: str,
                 skip_invalid: bool, court_id: str | None) -> None:
        self.uow, self.store, self.report, self.by = uow, store, report, by
        self.policy = ctx.policy
        self.at = ctx.clock.now()
        self.today = self.at.astimezone(self.policy.zone).date()  # the court's day, as issue_warning takes it
        self.skip_invalid, self.court_id = skip_invalid, court_id
        self.courts: dict[str, bool] = {}
        self.first_line: dict[tuple[str, str], int] = {}
        self.registered: set[tuple[str, str]] = set()  # (court, case number) registered before: this chunk's
        self.parties: dict[str, PartyRecord] = {}  # identifier -> registered party, or new in this file
        self.stored_phones: dict[str, tuple[str, ...]] = {}  # party id -> phones as in the database
        self.pending: _Chunk | None = None  # the chunk the store is writing

    def add(self, chunk: list[Mapping]) -> None:
        """Check ``chunk`` on its own (while the store writes the previous chunk), then against the registry,
        and begin writing its good rows."""
        report, policy, today, court_id = self.report, self.policy, self.today, self.court_id
        parsed = []
        for values in chunk:
            report.rows += 1
            line = values.get(LINE) or report.rows + 1  # the header is line 1
            row = parse_row(values, line, policy=policy, today=today, court_id=court_id)
            self._check_repeat(row)
            if row.errors:
                report.errors.extend(row.errors)
            else:
                parsed.append(row)
        self.settle()
        self._register_and_write(parsed, attempt=1)

    def settle(self) -> None:
        """Wait for the chunk being written. When the store refused it (another writer registered one of its
        cases or parties after they were checked; nothing of it was written), check it again against what
        is now registered and write it again."""
        while self.pending is not None:
            chunk, self.pending = self.pending, None
            try:
                self.store.written()
            except AlreadyExists:
                for row in chunk.rows:
                    row.errors.clear()
                for party in chunk.new_parties:
                    del self.parties[party.identifier]
                if chunk.attempt == _ATTEMPTS:
                    raise
                self._register_and_write(chunk.rows, attempt=chunk.attempt + 1)
                continue
            self.report.errors.extend(chunk.errors)
            for party in chunk.new_parties:
                self.stored_phones[party.id] = tuple(party.phones)
            self.uow.record_written(chunk.events)
            self.report.imported += len(chunk.cases)

    def _register_and_write(self, rows: list[ParsedRow], *, attempt: int) -> None:
        chunk = _Chunk(rows, attempt)
        self._load(rows)
        # A case and its debtor per row, with ids made in one go (the same as one by one, and in the same order).
        self.ids = iter(new_ids(2 * len(rows)))
        for row in rows:
            case = self._register(row, chunk)
            if case is not None:
                chunk.cases.append(case)
        if (self.report.errors or chunk.errors) and not self.skip_invalid:
            self.report.errors.extend(chunk.errors)
            return  # nothing will be written: only the rest of the file is still checked
        self.store.insert(chunk.new_parties, chunk.cases, policy_id=self.policy.id, at=self.at, warned_on=self.today)
        self.pending = chunk
        # While the store writes the rows: their events, to be written after them.
        record, at, by = chunk.events.append, self.at, self.by
        for case in chunk.cases:
            # What EnforcementCase.register and issue_warning record for one case.
            record(ev.JudgmentRegistered(
                occurred_at=at, case_id=case.id, actor=by, court_id=case.court_id, case_number=case.case_number,
                amount=case.obligation.amount, currency=case.obligation.currency, creditor_ids=(case.creditor_id,),
                debtor_ids=(case.debtor_id,)))
            record(ev.WarningIssued(occurred_at=at, case_id=case.id, actor=by))
        self.store.insert_events(chunk.events)

    def _check_repeat(self, row: ParsedRow) -> None:
        if row.court_id is None or row.case_number is None:
            return
        first = self.first_line.setdefault((row.court_id, row.case_number), row.line)
        if first != row.line:
            row.fail("case_number", f"{row.case_number} appears twice in the file (first on line {first})")

    def _load(self, rows: list[ParsedRow]) -> None:
        """The bulk look-ups for one chunk: courts, registered case numbers, registered parties."""
        new_courts = {r.court_id for r in rows} - self.courts.keys()
        found = self.store.existing_courts(new_courts)
        self.courts.update({c: c in found for c in new_courts})
        by_court: dict[str, list[str]] = {}
        for r in rows:
            by_court.setdefault(r.court_id, []).append(r.case_number)
        self.registered = {(court, number) for court, numbers in by_court.items() if self.courts[court]
                           for number in self.store.registered_case_numbers(court, numbers)}
        unknown = [p for r in rows for p in (r.creditor, r.debtor) if p.identifier not in self.parties]
        registered = self.store.parties_by_identifier([p.identifier for p in unknown if p.is_person],
                                                      [p.identifier for p in unknown if not p.is_person])
        for identifier, party in registered.items():
            self.parties[identifier] = party
            self.stored_phones[party.id] = tuple(party.phones)

    def _register(self, row: ParsedRow, chunk: _Chunk) -> NewCase | None:
        if not self.courts[row.court_id]:
            row.fail("court_id", f"no court {row.court_id} is registered")
        elif (row.court_id, row.case_number) in self.registered:
            row.fail("case_number", f"{row.case_number} is already registered at court {row.court_id}")
        if row.errors:
            chunk.errors.extend(row.errors)
            return None
        creditor = self._resolve(row.creditor)
        debtor = self._resolve(row.debtor)
        try:
            case_number = check_registration(
                court_id=row.court_id, case_number=row.case_number, creditors=[creditor], debtors=[debtor],
                obligation=row.obligation, judgment_date=row.dates["judgment_date"],
                effective_date=row.dates["effective_date"], filed_on=row.dates["filed_on"], policy=self.policy)
        except ValidationFailed as exc:
            chunk.errors.append(RowError(row.line, _COLUMN_OF.get(exc.field, exc.field), reason_of(exc)))
            return None
        for known, candidate in ((creditor, row.creditor), (debtor, row.debtor)):
            if known is candidate:
                self.parties[candidate.identifier] = candidate
                chunk.new_parties.append(candidate)
            elif candidate.phones:
                # The identifier is the key and the registered details stay; only new phone numbers are added.
                known.phones = known.phones + [p for p in candidate.phones if p not in known.phones]
        dates = row.dates
        return NewCase(id=next(self.ids, None) or new_id(), court_id=row.court_id, case_number=case_number,
                       obligation=row.obligation, obligation_text=row.obligation_text, filed_on=dates["filed_on"],
                       judgment_date=dates["judgment_date"], effective_date=dates["effective_date"],
                       creditor_id=creditor.id, debtor_id=debtor.id)

    def _resolve(self, candidate: PartyRecord) -> PartyRecord:
        known = self.parties.get(candidate.identifier)
        if known is not None:
            return known
        candidate.id = candidate.id or next(self.ids, None) or new_id()
        return candidate

    def finish(self) -> None:
        """Store phone numbers added to parties written before (rows further down named them again)."""
        changed = [p for p in self.parties.values()
                   if p.id in self.stored_phones and tuple(p.phones) != self.stored_phones[p.id]]
        self.store.update_phones(changed)
