"""Checking one import row on its own, with the domain's rules; no database.

Parties are checked by the rules of ``Party.person`` / ``Party.organization`` (``clean_name``,
``parse_id_number`` / ``parse_credit_code``, ``clean_phone``) but kept as plain records: the domain
classes are instrumented by the ORM mapping, which makes building one for each of thousands of
rows about ten times slower than checking the same rules directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from keepword.domain.errors import ValidationFailed
from keepword.domain.identifiers import parse_credit_code, parse_id_number
from keepword.domain.money import Money
from keepword.domain.parties import ORGANIZATION, PERSON, clean_name, clean_phone
from keepword.domain.policy import Policy
from keepword.importing.values import (amount_text, identifier_text, parse_date, parse_kind, required_text,
                                       split_phones, text)

DATE_FIELDS = ("filed_on", "judgment_date", "effective_date")
# The same creditor (a bank) or debtor recurs across a batch, and so do dates and party kinds; the results
# are immutable. typed: an Excel cell 20240305 (int) and 20240305.0 (float) are read differently.
_id_number = lru_cache(maxsize=8192)(parse_id_number)
_credit_code = lru_cache(maxsize=8192)(parse_credit_code)
_date = lru_cache(maxsize=8192, typed=True)(parse_date)
_kind = lru_cache(maxsize=256, typed=True)(parse_kind)
MAX_CASE_NUMBER = 100  # cases.case_number is VARCHAR(100)
MAX_NAME = 200


@dataclass(frozen=True, order=True)
class RowError:
    """One reason a row cannot be imported."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.reason}"


def reason_of(exc: ValidationFailed) -> str:
    """The reason of a domain error without the field name it starts with."""
    detail = getattr(exc, "detail", None)
    return detail or exc.message.removeprefix(f"{exc.field}: ")


class Representative(NamedTuple):
    """An organisation's legal representative (RULES.md §1 rule 6 publishes the name)."""

    name: str
    id_number: str | None


@dataclass(slots=True)
class PartyRecord:
    """A checked party of a row; ``id`` is set when the import resolves it (registered or new)."""

    kind: str
    name: str
    identifier: str  # the normalised ID number or credit code
    birth_date: date | None = None
    sex: str | None = None
    phones: list[str] = field(default_factory=list)
    legal_representative: Representative | None = None
    id: str = ""

    @property
    def is_person(self) -> bool:
        return self.kind == PERSON


@dataclass(slots=True)
class ParsedRow:
    """One row after the checks that need no database; fields that failed stay None."""

    line: int
    errors: list[RowError] = field(default_factory=list)
    court_id: str | None = None
    case_number: str | None = None
    dates: dict[str, date] = field(default_factory=dict)
    obligation: Money | None = None
    obligation_text: str = ""
    creditor: PartyRecord | None = None
    debtor: PartyRecord | None = None

    def fail(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.line, column, reason))


def parse_row(values: Mapping, line: int, *, policy: Policy, today: date, court_id: str | None = None) -> ParsedRow:
    """Check one row's values; every bad column is reported, not just the first.

    ``court_id`` is the court the whole import is for (rows may leave theirs empty).
    """
    row = ParsedRow(line)
    get = values.get
    row.court_id = _court_of(values, row, court_id)
    try:
        row.case_number = required_text(get("case_number"), "case_number")
        if len(row.case_number) > MAX_CASE_NUMBER:
            row.fail("case_number", f"longer than {MAX_CASE_NUMBER} characters")
    except ValidationFailed as exc:
        row.fail("case_number", reason_of(exc))
    dates = row.dates
    for name in DATE_FIELDS:
        try:
            day = _date(get(name), name)
        except ValidationFailed as exc:
            row.fail(name, reason_of(exc))
            continue
        if day > today:
            row.fail(name, f"{day.isoformat()} is in the future")
        dates[name] = day
    row.obligation = _money(values, row, policy)
    row.obligation_text = text(get("obligation_text"))
    row.creditor = _party(values, _CREDITOR, row)
    row.debtor = _party(values, _DEBTOR, row)
    return row



def _court_of(values: Mapping, row: ParsedRow, default: str | None) -> str | None:
    court = text(values.get("court_id"))
    if default is not None:
        if court and court != default:
            row.fail("court_id", f"this import is for court {default}, the row says {court}")
            return None
        return default
    if not court:
        row.fail("court_id", "empty")
        return None
    return court


def _money(values: Mapping, row: ParsedRow, policy: Policy) -> Money | None:
    raw = amount_text(values.get("amount"))
    if raw == "":
        row.fail("amount", "empty")
        return None
    currency = text(values.get("currency")).upper() or policy.currency
    try:
        return Money.parse(raw, currency, field="amount")
    except ValidationFailed as exc:
        row.fail("currency" if exc.field == "currency" else "amount", reason_of(exc))
        return None


class _Role(NamedTuple):
    """The columns of one party of a row."""

    kind: str
    name: str
    id: str
    phones: str
    is_debtor: bool


_EMPTY = (None, "")
_CREDITOR = _Role("creditor_kind", "creditor_name", "creditor_id", "creditor_phones", False)
_DEBTOR = _Role("debtor_kind", "debtor_name", "debtor_id", "debtor_phones", True)


def _party(values: Mapping, role: _Role, row: ParsedRow) -> PartyRecord | None:
    get = values.get
    if role.is_debtor:
        checked = _checked_party(role, get(role.kind), get(role.name), get(role.id), get(role.phones),
                                 get("debtor_legal_representative"), get("debtor_legal_representative_id"))
    else:
        cells = (role, get(role.kind), get(role.name), get(role.id), get(role.phones), None, None)
        try:
            checked = _recurring_party(*cells)
        except TypeError:  # a cell that cannot be a cache key
            checked = _checked_party(*cells)
    if checked.problems:
        for column, reason in checked.problems:
            row.fail(column, reason)
        return None
    return PartyRecord(checked.kind, checked.name, checked.identifier, checked.birth_date, checked.sex,
                       list(checked.phones), checked.representative)


class _CheckedParty(NamedTuple):
    kind: str | None
    name: str | None
    identifier: str | None
    birth_date: date | None
    sex: str | None
    phones: tuple[str, ...]
    representative: Representative | None
    problems: tuple[tuple[str, str], ...]  # (column, reason)


def _checked_party(role: _Role, kind_cell, name_cell, id_cell, phones_cell, representative_cell,
                   representative_id_cell) -> _CheckedParty:
    """One party's cells checked: a pure function of them."""
    problems: list[tuple[str, str]] = []
    kind = name = raw_id = identifier = birth_date = sex = None
    # The checks of _checked, written out for the cells every row has.
    try:
        kind = _kind(kind_cell, role.kind)
    except ValidationFailed as exc:
        problems.append((role.kind, reason_of(exc)))
    try:
        name = clean_name(text(name_cell))
    except ValidationFailed as exc:
        problems.append((role.name, reason_of(exc)))
    try:
        raw_id = identifier_text(id_cell, role.id)
    except ValidationFailed as exc:
        problems.append((role.id, reason_of(exc)))
    phones = () if phones_cell in _EMPTY else \
        tuple([_phone(problems, role.phones, p) for p in split_phones(phones_cell)])
    representative = None
    if role.is_debtor and not (representative_cell in _EMPTY and representative_id_cell in _EMPTY):
        representative = _legal_representative(problems, representative_cell, representative_id_cell, kind)
    if raw_id is not None:
        try:
            if kind == PERSON:
                ric = _id_number(raw_id, role.id)
                identifier, birth_date, sex = ric.number, ric.birth_date, ric.sex
            elif kind == ORGANIZATION:
                identifier = _credit_code(raw_id, role.id).code
        except ValidationFailed as exc:
            problems.append((role.id, reason_of(exc)))
    return _CheckedParty(kind, name, identifier, birth_date, sex, phones, representative, tuple(problems))


# A bank or a lender is the creditor of many rows of a batch: its cells are checked once.
_recurring_party = lru_cache(maxsize=1024, typed=True)(_checked_party)


def _phone(problems: list, column: str, phone: str) -> str | None:
    # What clean_phone returns for a number that is digits only, without its per-character scan (most are).
    if phone.isdigit() and 5 <= len(phone) <= 16:
        return phone
    return _checked(problems, column, clean_phone, phone)


def _checked(problems: list, column: str, check, *args):
    """``check(*args)``, or None with the problem noted against ``column``."""
    try:
        return check(*args)
    except ValidationFailed as exc:
        problems.append((column, reason_of(exc)))
        return None


def _legal_representative(problems: list, name_cell, id_cell, kind: str | None) -> Representative | None:
    if name_cell in _EMPTY and id_cell in _EMPTY:  # most rows: a person, or an organisation without one
        return None
    name, raw_id = text(name_cell), text(id_cell)
    if not name and not raw_id:
        return None
    if kind != ORGANIZATION:
        if kind is not None:
            problems.append(("debtor_legal_representative", "only an organisation has a legal representative"))
        return None
    # The rules of BoundPerson: a name, and a valid ID number when one is given.
    name = _checked(problems, "debtor_legal_representative", clean_name, name)
    ric = _checked(problems, "debtor_legal_representative_id", _id_number, raw_id,
                   "debtor_legal_representative_id") if raw_id else None
    if name is None or (raw_id and ric is None):
        return None
    return Representative(name, ric.number if ric else None)


def clear_caches() -> None:
    """Forget the parties, identifiers, dates and kinds checked so far (a benchmark times each import as a
    fresh process would run it)."""
    for cached in (_id_number, _credit_code, _date, _kind, _recurring_party):
        cached.cache_clear()
