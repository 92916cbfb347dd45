"""Records as partners send them to the screening API, answered one decision each.

A record is a JSON object with the fields of :class:`~keepword.screening.decide.ScreeningRecord`
(``record_id``, ``kind``, ``name``, ``id_number``, ``birth_date``) or, in the privacy mode, a
``digest`` (``hmac_key(secret, identifier)``) instead of the identifier. A record that cannot be
read is answered ``invalid`` with the reason naming the field; it never fails the other records
of a batch.

The audit summary of a request names the partner's own record ids that got ``match`` or
``review`` and the entries they hit, never an identifier, name or digest: a record id that looks
like an identifier (a partner using ID numbers as its keys) is replaced by its position.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from keepword.domain.errors import ValidationFailed
from keepword.domain.identifiers import is_valid_credit_code, is_valid_id_number
from keepword.screening.decide import INVALID, MATCH, REVIEW, Decision, ScreeningRecord, check, check_digest
from keepword.screening.index import ScreeningIndex
from keepword.screening.registry_entries import parse_date, parse_kind

#: Records one batch request may carry.
MAX_BATCH_RECORDS = 10_000
#: The fields of a record, and the longest text each may hold.
FIELD_LIMITS = {"record_id": 100, "kind": 20, "name": 200, "id_number": 40, "birth_date": 20, "digest": 100}
RECORD_FIELDS = tuple(FIELD_LIMITS)
_IDENTIFYING = ("id_number", "name", "birth_date")
_DIGIT_RUN = re.compile(r"\d{15}")


@dataclass(frozen=True, slots=True)
class Answer:
    """One record's decision, with the record id the partner sent (``""`` if none)."""

    record_id: str
    decision: Decision


def answer_record(index: ScreeningIndex, fields: object, on: date) -> Answer:
    """Read one record as sent (a dict, as JSON objects parse) and decide it; a record that cannot
    be read is answered ``invalid``.

    Raises :class:`~keepword.screening.index.DigestLookupUnavailable` for a digest when the index
    was built without the shared secret: that is the server's setup, not the record's fault.
    """
    if not isinstance(fields, dict):
        return Answer("", _invalid("record", "each record must be a JSON object", "invalid_record"))
    record_id = fields.get("record_id")
    record_id = record_id.strip() if isinstance(record_id, str) else ""
    problem = _shape_problem(fields)
    if problem is not None:
        return Answer(record_id, problem)
    digest = (fields.get("digest") or "").strip()
    if digest:
        if any((fields.get(name) or "").strip() for name in _IDENTIFYING):
            return Answer(record_id, _invalid("digest", "a record with a digest carries no id_number, name or "
                                                        "birth_date (privacy mode)", "invalid_digest"))
        return Answer(record_id, check_digest(index, digest, on))
    try:
        record = ScreeningRecord(record_id=record_id, kind=parse_kind(fields.get("kind")),
                                 name=(fields.get("name") or "").strip(),
                                 id_number=(fields.get("id_number") or "").strip(),
                                 birth_date=parse_date(fields.get("birth_date"), "birth_date"))
    except ValidationFailed as failed:
        return Answer(record_id, Decision(INVALID, "", 0.0, str(failed), f"invalid_{failed.field}"))
    return Answer(record_id, check(index, record, on))


def answer_batch(index: ScreeningIndex, records: Sequence[object], on: date) -> list[Answer]:
    """One answer per record, in order (see :func:`answer_record`)."""
    return [answer_record(index, fields, on) for fields in records]


def audit_summary(answers: Sequence[Answer]) -> dict:
    """What the audit log keeps of a request: counts, and which records matched or need review."""
    counts: dict[str, int] = {}
    for answer in answers:
        kind = answer.decision.decision
        counts[kind] = counts.get(kind, 0) + 1
    summary: dict = {"records": len(answers), "decisions": dict(sorted(counts.items()))}
    for kind in (MATCH, REVIEW):
        if kind in counts:
            summary[kind] = [{"record": _audit_ref(answer.record_id, position), "entry": answer.decision.entry_id}
                             for position, answer in enumerate(answers, 1) if answer.decision.decision == kind]
    return summary


def _shape_problem(fields: dict) -> Decision | None:
    for name, value in fields.items():
        limit = FIELD_LIMITS.get(name)
        if limit is None:
            return _invalid(name, f"unknown field; a record has {', '.join(FIELD_LIMITS)}", "unknown_field")
        if value is not None and not isinstance(value, str):
            return _invalid(name, f"expected text, got {_json_type(value)}", f"invalid_{name}")
        if value is not None and len(value) > limit:
            return _invalid(name, f"longer than {limit} characters", f"invalid_{name}")
    return None


def _invalid(field: str, reason: str, code: str) -> Decision:
    return Decision(INVALID, "", 0.0, f"{field}: {reason}", code)


def _audit_ref(record_id: str, position: int) -> str:
    """The record id, or ``#position`` when there is none or it could be an identifier."""
    if not record_id or len(record_id) >= 15 and (_DIGIT_RUN.search(record_id) or is_valid_id_number(record_id)
                                                  or is_valid_credit_code(record_id)):
        return f"#{position}"
    return record_id


def _json_type(value: object) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__)
