"""The answer to GET /api/v1/cases/{case_id}, ready to send: on SQLite written by the database.

Loading the aggregate through the ORM costs a query per collection and most of a millisecond of
mapping, and even records read in one statement must be parsed, validated by the response model and
written again. On SQLite, which runs in this process, one statement writes the whole ``CaseOut``
document instead (``json_object``, ``json_group_array`` over ordered subqueries), and the answer is
those bytes as they come; being one statement, it reads one consistent snapshot. The statement is
generated from the response models, field by field in their order, each value written as pydantic
writes its type:

- text, integers and ``null`` as they are (SQLite's ``json_object`` and pydantic-core escape strings
  alike, and leave non-ASCII text unescaped);
- booleans (0/1 in SQLite) as ``true``/``false``;
- dates as stored (ISO text); timestamps (stored naive UTC) in ISO form with ``Z``, the fraction only
  when it is not zero;
- JSON list columns (``grounds``, ``categories``: numbers and ASCII codes) without spaces;
- amounts from their cents with two decimals; children in the orders of the ORM mapping.

A field of a response model that is neither a column nor written here stops the module loading, and
tests compare the bytes with those of the loaded aggregate's ``CaseOut``. On PostgreSQL the database
returns the records (:mod:`keepword.web.api.case_read`) and the response model writes them: writing
the document there costs the database, the tier that does not grow by adding processes, about twice
the CPU (ADR 0013).
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import JSON, Boolean, Engine, Table

from keepword.store import sqlite_json
from keepword.store import tables as t
from keepword.store.sqlite_reads import sqlite_read
from keepword.web.api.case_read import case_records
from keepword.web.schemas.cases import (CaseOut, CasePartyOut, ExemptionOut, ListingOut, MeasureOut, ObjectionOut,
                                        PaymentOut, RestrictionOut)


def _document(pairs: list[tuple[str, str]]) -> str:
    return "json_object(" + ", ".join(f"'{key}', {value}" for key, value in pairs) + ")"


def _array(document: str, source: str, where: str, order: list[str]) -> str:
    # SQLite aggregates the rows of an ordered subquery in its order (the subquery is not flattened
    # into an aggregate); text compares by its bytes, as Python compares code points.
    by = ", ".join(order)
    return (f"(SELECT json_group_array(json(document)) FROM "
            f"(SELECT {document} AS document FROM {source} WHERE {where} ORDER BY {by}))")


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
        return sqlite_json.boolean(ref)
    if base is datetime:
        return sqlite_json.timestamp(ref)
    if base is list:
        if not isinstance(column.type, JSON):
            raise TypeError(f"{table.name}.{field}: a list field needs a JSON column")
        return f"json({ref})"
    if base not in (str, int, date):
        raise TypeError(f"{table.name}.{field}: no SQL writer for {annotation}")
    return ref


def _object(model: type[BaseModel], table: Table, alias: str, written: dict[str, str]) -> str:
    """The document of ``model``'s fields in order: ``written`` ones as given, the others from ``table``."""
    return _document([(field, written[field] if field in written else
                       _column_value(table, alias, field, info.annotation))
                      for field, info in model.model_fields.items()])


def _order(table: Table, alias: str, *names: str) -> list[str]:
    """``ORDER BY`` columns of ``table`` (as ``alias``)."""
    return [f"{alias}.{table.c[name].name}" for name in names]


def _statement() -> str:
    money = sqlite_json.amount_text
    exemptions = _array(_object(ExemptionOut, t.exemptions, "e", {}), "exemptions e",
                        "e.restriction_id = r.id", _order(t.exemptions, "e", "id"))
    restrictions = _array(_object(RestrictionOut, t.restrictions, "r", {"exemptions": exemptions}),
                          "restrictions r", "r.case_id = c.id", _order(t.restrictions, "r", "ordered_on", "id"))
    objections = _array(_object(ObjectionOut, t.objections, "o", {}), "objections o",
                        "o.listing_id = l.id", _order(t.objections, "o", "filed_on", "id"))
    listings = _array(_object(ListingOut, t.listings, "l", {"objections": objections}), "listings l",
                      "l.case_id = c.id", _order(t.listings, "l", "proposed_on", "id"))
    measures = _array(_object(MeasureOut, t.measures, "m", {"value": money("m.value_cents")}),
                      "measures m", "m.case_id = c.id", _order(t.measures, "m", "ordered_on", "id"))
    payments = _array(_object(PaymentOut, t.payments, "pay", {"amount": money("pay.amount_cents")}),
                      "payments pay", "pay.case_id = c.id", _order(t.payments, "pay", "paid_on", "id"))
    parties = _array(_object(CasePartyOut, t.case_parties, "cp", {
        "kind": "p.kind", "name": "p.name",
        "identifier": "CASE p.kind WHEN 'person' THEN p.id_number ELSE p.credit_code END"}),
        "case_parties cp JOIN parties p ON p.id = cp.party_id", "cp.case_id = c.id",
        _order(t.case_parties, "cp", "role", "id"))
    case = _object(CaseOut, t.cases, "c", {
        "obligation": money("c.obligation_cents"), "paid": money("paid.cents"),
        "outstanding": money("max(c.obligation_cents - paid.cents, 0)"),
        "parties": parties, "payments": payments, "measures": measures, "listings": listings,
        "restrictions": restrictions})
    return (f"SELECT c.court_id, c.version, {case} FROM cases c, "
            f"(SELECT CAST(coalesce(sum(amount_cents), 0) AS BIGINT) AS cents FROM payments WHERE case_id = ?) AS paid "
            f"WHERE c.id = ?")


_SQLITE_STATEMENT = _statement()


async def case_json(engine: Engine, case_id: str) -> tuple[str, int, str] | None:
    """The court, version and ``CaseOut`` JSON of case ``case_id``; None if there is none. On SQLite in
    the process (WAL reads take no lock); on PostgreSQL on the event loop (keepword.store.async_reads)."""
    if engine.dialect.name == "sqlite":
        rows = sqlite_read(engine, _SQLITE_STATEMENT, (case_id, case_id))
        return tuple(rows[0]) if rows else None
    answer = await case_records(engine, case_id)
    if answer is None:
        return None
    # Validated and written in one step (pydantic-core).
    return answer["court_id"], answer["version"], CaseOut.model_validate(answer).model_dump_json()
