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
# The same creditor (a bank) or debtor recurs across a batch; the results are immutable.
_id_number = lru_cache(maxsize=8192)(parse_id_number)
_credit_code = lru_cache(maxsize=8192)(parse_credit_code)
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
    row.court_id = _court_of(values, row, court_id)
    try:
        row.case_number = required_text(values.get("case_number"), "case_number")
        if len(row.case_number) > MAX_CASE_NUMBER:
            row.fail("case_number", f"longer than {MAX_CASE_NUMBER} characters")
    except ValidationFailed as exc:
        row.fail("case_number", reason_of(exc))
    for name in DATE_FIELDS:
        try:
            day = parse_date(values.get(name), name)
        except ValidationFailed as exc:
            row.fail(name, reason_of(exc))
            continue
        if day > today:
            row.fail(name, f"{day.isoformat()} is in the future")
        row.dates[name] = day
    row.obligation = _money(values, row, policy)
    row.obligation_text = text(values.get("obligation_text"))
    row.creditor = _party(values, "creditor", row)
    row.debtor = _party(values, "debtor", row)
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


def _party(values, role, row) -> PartyRecord | None:
    before = len(row.errors)
    kind = _checked(row, f"{role}_kind", parse_kind, values.get(f"{role}_kind"), f"{role}_kind")
    name = _checked(row, f"{role}_name", clean_name, text(values.get(f"{role}_name")))
    raw_id = _checked(row, f"{role}_id", identifier_text, values.get(f"{role}_id"), f"{role}_id")
    phones = [_checked(row, f"{role}_phones", clean_phone, p) for p in split_phones(values.get(f"{role}_phones"))]
    representative = _legal_representative(values, row, kind) if role == "debtor" else None
    record = None
    if kind == PERSON and raw_id is not None:
        ric = _checked(row, f"{role}_id", _id_number, raw_id, f"{role}_id")
        if ric is not None:
            record = PartyRecord(PERSON, name, ric.number, ric.birth_date, ric.sex)
    elif kind == ORGANIZATION and raw_id is not None:
        code = _checked(row, f"{role}_id", _credit_code, raw_id, f"{role}_id")
        if code is not None:
            record = PartyRecord(ORGANIZATION, name, code.code, legal_representative=representative)
    if record is None or len(row.errors) > before:
        return None
    record.phones = phones
    return record


def _checked(row: ParsedRow, column: str, check, *args):
    """``check(*args)``, or None with the error noted against ``column``."""
    try:
        return check(*args)
    except ValidationFailed as exc:
        row.fail(column, reason_of(exc))
        return None


def _legal_representative(values: Mapping, row: ParsedRow, kind: str | None) -> Representative | None:
    name = text(values.get("debtor_legal_representative"))
    raw_id = text(values.get("debtor_legal_representative_id"))
    if not name and not raw_id:
        return None
    if kind != ORGANIZATION:
        if kind is not None:
            row.fail("debtor_legal_representative", "only an organisation has a legal representative")
        return None
    # The rules of BoundPerson: a name, and a valid ID number when one is given.
    name = _checked(row, "debtor_legal_representative", clean_name, name)
    ric = _checked(row, "debtor_legal_representative_id", _id_number, raw_id, "debtor_legal_representative_id") \
        if raw_id else None
    if name is None or (raw_id and ric is None):
        return None
    return Representative(name, ric.number if ric else None)
