"""On SQLite, the answer to GET /api/v1/cases/{case_id} written by the database, ready to send.

:mod:`keepword.web.api.case_read` returns a case's records for the response model to validate and
write. On SQLite one statement can write the whole ``CaseOut`` document instead (``json_object``
and ordered ``json_group_array``), and the answer is then those bytes as they come: no parse, no
model, no second serialisation. The statement is generated from the response models, field by
field in their order, each value written as pydantic writes its type:

- text, integers and ``null`` as they are (SQLite and pydantic-core escape strings alike);
- booleans (0/1 in SQLite) as ``true``/``false``;
- dates as stored (ISO text); timestamps (stored naive UTC) in ISO form with ``Z``, the fraction
  only when it is not zero;
- JSON list columns (``grounds``, ``categories``: numbers and ASCII codes) minified;
- amounts from their cents with two decimals; children in the orders of the ORM mapping.

A field of a response model that is neither a column nor written here stops the module loading,
and tests compare the bytes with those of the loaded aggregate's ``CaseOut``.
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import JSON, Boolean, Engine, Table

from keepword.store import tables as t
from keepword.store.sqlite_reads import sqlite_read
from keepword.web.schemas.cases import (CaseOut, CasePartyOut, ExemptionOut, ListingOut, MeasureOut, ObjectionOut,
                                        PaymentOut, RestrictionOut)


def _money(cents: str) -> str:
    return f"printf('%d.%02d', {cents} / 100, {cents} % 100)"  # cents are never negative


def _timestamp(value: str) -> str:
    """Stored ``YYYY-MM-DD HH:MM:SS.ffffff`` (UTC) as pydantic writes an aware UTC datetime."""
    return (f"CASE WHEN {value} IS NULL THEN NULL ELSE substr({value}, 1, 10) || 'T' || substr({value}, 12, 8) || "
            f"CASE WHEN substr({value}, 20) IN ('', '.000000') THEN '' ELSE substr({value}, 20) END || 'Z' END")


def _base(annotation) -> type:
    """``X`` of ``X``, ``X | None`` and ``list[X]`` (``list`` itself for the latter)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        (annotation,) = [a for a in typing.get_args(annotation) if a is not type(None)]
    return list if typing.get_origin(annotation) is list else annotation


def _column_value(table: Table, alias: str, field: str, annotation) -> str:
    column = table.c.get(field)
    if column is None:
        raise LookupError(f"{table.name} has no column for the field {field!r} of the case answer")
    ref, base = f"{alias}.{column.name}", _base(annotation)
    if base is bool:
        if not isinstance(column.type, Boolean):
            raise TypeError(f"{table.name}.{field}: a boolean field needs a boolean column")
        return f"json(CASE {ref} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)"
    if base is datetime:
        return _timestamp(ref)
    if base is list:
        if not isinstance(column.type, JSON):
            raise TypeError(f"{table.name}.{field}: a list field needs a JSON column")
        return f"json({ref})"
    if base not in (str, int, date):
        raise TypeError(f"{table.name}.{field}: no SQL writer for {annotation}")
    return ref


def _object(model: type[BaseModel], table: Table, alias: str, written: dict[str, str]) -> str:
    """``json_object`` of ``model``'s fields in order: ``written`` ones as given, the others from ``table``."""
    pairs = [f"'{field}', {written[field] if field in written else _column_value(table, alias, field, info.annotation)}"
             for field, info in model.model_fields.items()]
    return "json_object(" + ", ".join(pairs) + ")"


def _array(document: str, source: str, where: str, order: str) -> str:
    """The ordered JSON array of ``document`` over the rows of ``source``; ``[]`` for none."""
    return (f"(SELECT json_group_array(json(document)) FROM "
            f"(SELECT {document} AS document FROM {source} WHERE {where} ORDER BY {order}))")


def _statement() -> str:
    exemptions = _array(_object(ExemptionOut, t.exemptions, "e", {}), "exemptions e", "e.restriction_id = r.id",
                        "e.id")
    restrictions = _array(_object(RestrictionOut, t.restrictions, "r", {"exemptions": exemptions}),
                          "restrictions r", "r.case_id = c.id", "r.ordered_on, r.id")
    objections = _array(_object(ObjectionOut, t.objections, "o", {}), "objections o", "o.listing_id = l.id",
                        "o.filed_on, o.id")
    listings = _array(_object(ListingOut, t.listings, "l", {"objections": objections}), "listings l",
                      "l.case_id = c.id", "l.proposed_on, l.id")
    measures = _array(_object(MeasureOut, t.measures, "m", {
        "value": f"CASE WHEN m.value_cents IS NULL THEN NULL ELSE {_money('m.value_cents')} END"}),
        "measures m", "m.case_id = c.id", "m.ordered_on, m.id")
    payments = _array(_object(PaymentOut, t.payments, "pay", {"amount": _money("pay.amount_cents")}),
                      "payments pay", "pay.case_id = c.id", "pay.paid_on, pay.id")
    parties = _array(_object(CasePartyOut, t.case_parties, "cp", {
        "kind": "p.kind", "name": "p.name",
        "identifier": "CASE p.kind WHEN 'person' THEN p.id_number ELSE p.credit_code END"}),
        "case_parties cp JOIN parties p ON p.id = cp.party_id", "cp.case_id = c.id", "cp.role, cp.id")
    case = _object(CaseOut, t.cases, "c", {
        "obligation": _money("c.obligation_cents"), "paid": _money("paid.cents"),
        "outstanding": _money("max(c.obligation_cents - paid.cents, 0)"),
        "parties": parties, "payments": payments, "measures": measures, "listings": listings,
        "restrictions": restrictions})
    return (f"SELECT c.court_id, c.version, {case} FROM cases c, "
            "(SELECT coalesce(sum(amount_cents), 0) AS cents FROM payments WHERE case_id = ?) AS paid "
            "WHERE c.id = ?")


_STATEMENT = _statement()


def case_json(engine: Engine, case_id: str) -> tuple[str, int, str] | None:
    """On a SQLite ``engine``: the court, version and ``CaseOut`` JSON of case ``case_id``; None if there is none."""
    rows = sqlite_read(engine, _STATEMENT, (case_id, case_id))
    return rows[0] if rows else None
